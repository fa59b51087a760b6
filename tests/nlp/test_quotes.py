from __future__ import annotations

from storage.models import Quote, Speaker


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


def _speakers(analyzer, text):
    return [q.speaker.text if q.speaker else None for q in _quotes(analyzer, text)]


def test_a_role_before_the_name_after_the_verb(analyzer):
    text = '"The rollout was a mess," said strategist Dana Whitlock of Pemberton Advisors.'
    assert _speakers(analyzer, text) == ["Dana Whitlock"]


def test_a_role_after_the_name_between_commas(analyzer):
    text = '"Orders are picking up," Gareth Lowe, head of sales at Minden Tools, said on Friday.'
    assert _speakers(analyzer, text) == ["Gareth Lowe"]


def test_a_role_before_the_name_and_the_verb_after_it(analyzer):
    text = '"We will keep the depot open," regional manager Irene Castell told staff.'
    assert _speakers(analyzer, text) == ["Irene Castell"]


def test_an_organisation_before_a_role_does_not_take_the_persons_place(analyzer):
    text = '"The valuation is stretched," said Pemberton Advisors strategist Dana Whitlock.'
    assert _speakers(analyzer, text) == ["Dana Whitlock"]


def test_someone_speaking_for_an_organisation_is_not_the_organisation(analyzer):
    text = '"Talks are at an early stage," a spokesman for Minden Tools said.'
    (q,) = _quotes(analyzer, text)
    assert q.speaker is not None and not q.speaker.named  # a role, not the organisation
    assert (q.speaker.title, q.speaker.affiliation) == ("spokesman", "Minden Tools")
    assert q.speaker.to_dict()["name"] is None


def _roles(analyzer, text):
    return [(q.speaker.title, q.speaker.to_dict()["name"]) if q.speaker else None for q in _quotes(analyzer, text)]


def test_a_role_without_a_name_speaks_with_its_title_and_no_name(analyzer):
    assert _roles(analyzer, "« Le budget sera voté en mars », a déclaré le président.") == [("président", None)]
    assert _roles(analyzer, "La ministre a déclaré : « Nous tiendrons les délais. »") == [("ministre", None)]
    assert _roles(analyzer, "„Die Lage ist ernst“, sagte ein Sprecher des Verbands.") == [
        ("Sprecher des Verbands", None)]
    assert _roles(analyzer, '"Prices will rise," said a senior official.') == [("senior official", None)]
    assert _roles(analyzer, '"We will appeal," said the chief executive.') == [("chief executive", None)]


def test_a_role_with_a_name_is_the_named_person(analyzer):
    assert _speakers(analyzer, "« Nous recrutons », a déclaré la directrice, Odile Marchand.") == ["Odile Marchand"]
    text = 'Trade Minister Rui Costa landed in Porto on Monday. "We came to listen," the minister said.'
    assert _speakers(analyzer, text) == ["Rui Costa"]


def test_the_role_is_not_the_person_the_quote_names(analyzer):
    (q,) = _quotes(analyzer, '"Tom Hale has the margins wrong," the analyst said.')
    assert q.speaker is not None and (q.speaker.title, q.speaker.named) == ("analyst", False)


def test_an_unnamed_speaker_survives_a_round_trip_through_storage():
    q = Quote("We will appeal", 1, 15, Speaker("spokesman", None, "Minden Tools", title="spokesman", named=False))
    d = q.to_dict()
    assert d["speaker"]["name"] is None and d["speaker"]["title"] == "spokesman"
    assert Quote.from_dict(d) == q
    older = {**d, "speaker": {"text": "Tom Hale", "entity_id": None, "affiliation": None}}  # stored before `name`
    assert Quote.from_dict(older).speaker == Speaker("Tom Hale")


def test_words_that_are_no_role_give_no_speaker(analyzer):
    assert _speakers(analyzer, '"Exports fell for a third month," the statistics office said.') == [None]
    assert _speakers(analyzer, '"Talks broke down over pensions," said a person familiar with the talks.') == [None]


def test_french_guillemets_and_verbs(analyzer):
    text = "« Le chantier sera terminé en juin », a précisé Bernard Vasseur, ingénieur chez Ostral."
    assert _speakers(analyzer, text) == ["Bernard Vasseur"]
    text = "« Les ventes reculent », selon Agnès Morin, économiste à la Banque Ferrand."
    assert _speakers(analyzer, text) == ["Agnès Morin"]


def test_german_low_high_quotes_and_verbs(analyzer):
    text = "„Der Umsatz steigt wieder“, sagte Jens Albrecht, Sprecher der Kessler Werke."
    assert _speakers(analyzer, text) == ["Jens Albrecht"]


def test_speaker_before_a_colon_in_french(analyzer):
    text = "Mathilde Garnier, directrice de Solvane, a déclaré : « Nous recrutons deux cents personnes. »"
    assert _speakers(analyzer, text) == ["Mathilde Garnier"]


def test_a_quote_about_something_else_has_no_stance_toward_an_unrelated_politician(analyzer):
    text = ("Senator Walter Brannigan visited the flooded valley on Monday and promised federal aid.\n\n"
            "Lena Hartmann, chief executive of Corvane Energy, spoke at a climate forum in Oslo. "
            '"We have to cut emissions much faster than we are doing now," Hartmann said.')
    ann, _ = analyzer.analyze_document(text, targets=["Walter Brannigan"])
    (q,) = ann.quotes
    assert q.speaker is not None and q.speaker.text == "Lena Hartmann"
    assert [s.target for s in q.stance] == []
    assert [s.target for s in ann.stance] == ["Walter Brannigan"]
