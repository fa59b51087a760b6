from __future__ import annotations

import spacy

import nlp.canonical  # noqa: F401  (registers the factories)
import nlp.quotes  # noqa: F401
from nlp.canonical import canonical_name
from nlp.watchlist import WatchlistMatcher, add_watchlist_ruler, watchlist_config


def _blank(watchlist, lang="en"):
    nlp = spacy.blank(lang)
    add_watchlist_ruler(nlp, watchlist)
    nlp.add_pipe("newswatch_entity_canonicalizer")
    return nlp


def _ents(doc):
    return [(e.text, e.label_, e._.entity_id) for e in doc.ents]


def test_english_alias_is_found_case_insensitively_with_label_from_type(watchlist):
    doc = _blank(watchlist)("Shares of VELTRIX rose after the Nova 7 launch.")
    assert _ents(doc) == [("VELTRIX", "ORG", "veltrix"), ("Nova 7", "PRODUCT", "nova-7")]


def test_chinese_alias_is_found_inside_an_unsegmented_run(watchlist):
    text = "据报道维创移动今天在杭州发布了新手机"
    doc = _blank(watchlist, "zh")(text)
    assert _ents(doc) == [("维创移动", "ORG", "veltrix")]
    assert WatchlistMatcher(watchlist).find(text)[0].start == 3


def test_alias_does_not_match_inside_a_longer_word(watchlist):
    doc = _blank(watchlist)("The Duartes and Veltrixes were absent; Helena Duartez too.")
    assert doc.ents == ()


def test_surname_after_full_name_links_to_the_watched_person(watchlist):
    text = "Trade Minister Helena Duarte arrived. Later Ms. Duarte spoke, and Minister Duarte left; Duarte smiled."
    doc = _blank(watchlist)(text)
    ids = [(e.text, e._.entity_id) for e in doc.ents]
    assert ids == [
        ("Helena Duarte", "helena-duarte"),
        ("Duarte", "helena-duarte"),
        ("Minister Duarte", "helena-duarte"),
        ("Duarte", "helena-duarte"),
    ]


def test_namesake_with_another_first_name_is_not_linked(watchlist):
    text = "Rafael Duarte, a rancher, spoke. Duarte said the Minister Duarte post was vacant."
    doc = _blank(watchlist)(text)
    assert [e for e in doc.ents if e._.entity_id == "helena-duarte"] == []


def test_namesake_in_the_same_document_keeps_his_own_name(watchlist):
    doc = _blank(watchlist)("Helena Duarte met Rafael Duarte in Recife.")
    assert [(e.text, e._.entity_id) for e in doc.ents] == [("Helena Duarte", "helena-duarte")]


def test_watched_span_wins_over_overlapping_ner_entity(watchlist):
    nlp = spacy.blank("en")

    def fake_ner(doc):
        doc.ents = [doc.char_span(0, 7, label="GPE")]
        return doc

    nlp.add_pipe("newswatch_watchlist_ruler", config={"watchlist": watchlist_config(watchlist)})
    doc = nlp.make_doc("Veltrix Mobile grew.")
    doc = fake_ner(doc)
    doc = nlp.get_pipe("newswatch_watchlist_ruler")(doc)
    assert _ents(doc) == [("Veltrix Mobile", "ORG", "veltrix")]


def test_ruler_accepts_plain_dicts():
    nlp = spacy.blank("en")
    entry = {"id": "kestrel", "name": "Kestrel Research", "type": "agency", "aliases": ["Kestrel"]}
    nlp.add_pipe("newswatch_watchlist_ruler", config={"watchlist": [entry]})
    assert _ents(nlp("Kestrel said so.")) == [("Kestrel", "ORG", "kestrel")]


def test_canonical_names_are_normalised():
    assert canonical_name("the  birch partners's", "ORG") == "Birch Partners"
    assert canonical_name("IBM", "ORG") == "IBM"
    assert canonical_name("TOM HALE", "PERSON") == "Tom Hale"
    assert canonical_name("Hangzhou", "GPE") == "Hangzhou"


def test_watched_entities_get_the_watchlist_name(watchlist):
    doc = _blank(watchlist)("Veltrix's new phone")
    assert [e._.canonical for e in doc.ents] == ["Veltrix Mobile"]


def test_quotes_work_on_a_blank_pipeline():
    nlp = spacy.blank("en")
    nlp.add_pipe("newswatch_quotes")
    text = '"We will appeal the ruling," said Dr. Lena Park.'
    (q,) = nlp(text)._.quotes
    assert (q.text, q.speaker.text) == ("We will appeal the ruling", "Lena Park")
    assert text[q.start : q.end] == q.text


def test_the_ministry_joins_the_named_ministry_before_it():
    import nlp.canonical  # noqa: F401

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "ORG", "pattern": "Trade Ministry"}])
    nlp.add_pipe("newswatch_entity_canonicalizer")
    nlp.add_pipe("newswatch_quotes")
    text = ("Officials at the Trade Ministry met on Monday. The ministry said talks went well. "
            "Tariffs will stay for a year, according to the ministry.")
    doc = nlp(text)
    assert [(e.text, e._.canonical) for e in doc.ents] == [
        ("Trade Ministry", "Trade Ministry"), ("ministry", "Trade Ministry"), ("ministry", "Trade Ministry")]
    (quote,) = doc._.quotes
    assert quote.speaker.text == "Trade Ministry" and quote.text == "Tariffs will stay for a year"


def test_a_generic_head_without_a_named_body_before_it_stays_plain():
    nlp = spacy.blank("en")
    nlp.add_pipe("newswatch_entity_canonicalizer")
    assert nlp("The ministry said nothing about the Trade Ministry.").ents == ()
