from __future__ import annotations


def _quotes(analyzer, text):
    ann, _ = analyzer.analyze_document(text)
    for q in ann.quotes:
        assert text[q.start : q.end] == q.text
    return ann.quotes


def test_direct_quote_with_said_after_and_affiliation(analyzer):
    text = '"It is a bold step," said Tom Hale, an analyst at Birch Partners.'
    (q,) = _quotes(analyzer, text)
    assert q.text == "It is a bold step"
    assert q.speaker.text == "Tom Hale"
    assert q.speaker.affiliation in ("Birch Partners", "analyst at Birch Partners")


def test_later_title_and_surname_resolve_to_the_full_name(analyzer):
    text = (
        "Tom Hale, an analyst at Birch Partners, watched the launch. "
        "Mr. Hale said: “The price is far too high.” "
        '"Rivals will respond," Hale said.'
    )
    qs = _quotes(analyzer, text)
    assert [q.text for q in qs] == ["The price is far too high.", "Rivals will respond"]
    assert {q.speaker.text for q in qs} == {"Tom Hale"}
    assert {q.speaker.affiliation for q in qs} == {"Birch Partners"}


def test_a_family_name_written_first_resolves_too(analyzer):
    text = (
        "Chief executive Zhou Lanfang presented the phone in Shenzhen on Monday. "
        '"This market is our second home," Ms. Zhou said.'
    )
    (q,) = _quotes(analyzer, text)
    assert q.speaker.text == "Zhou Lanfang"


def test_indirect_quotes(analyzer):
    text = (
        "According to Priya Natarajan, the phone is the best of the year. "
        "Marcus Lindqvist of Northgate Capital said that the launch came too late."
    )
    qs = _quotes(analyzer, text)
    assert [(q.text, q.speaker.text) for q in qs] == [
        ("the phone is the best of the year", "Priya Natarajan"),
        ("the launch came too late", "Marcus Lindqvist"),
    ]
    assert qs[1].speaker.affiliation == "Northgate Capital"


def test_watched_speaker_carries_the_entity_id(analyzer):
    text = 'Trade Minister Helena Duarte visited Hangzhou. "We welcome this investment," Duarte said.'
    (q,) = _quotes(analyzer, text)
    assert (q.speaker.text, q.speaker.entity_id) == ("Helena Duarte", "helena-duarte")


def test_scare_quotes_are_not_quotes(analyzer):
    assert _quotes(analyzer, 'The firm called the phone "historic" in its filing.') == []
