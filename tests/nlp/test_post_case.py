"""Shouted posts are read in lower case by the post NER; offsets and text stay the caller's."""

from __future__ import annotations

import pytest

from nlp.analyzer import SOCIAL_NER_DIR, Analyzer
from nlp.post_case import is_shouted


@pytest.mark.parametrize("text", ["WHY DID NOBODY TELL ME THE SHOW WAS TONIGHT", "SO PROUD OF MY SISTER!!! 😭"])
def test_a_post_in_capitals_is_shouted(text: str) -> None:
    assert is_shouted(text)


@pytest.mark.parametrize("text", ["LOL", "NBA 2K", "Saw the new Orlan video, SO GOOD", "", "12345 !!!"])
def test_short_acronyms_and_mixed_case_are_not(text: str) -> None:
    assert not is_shouted(text)


def test_a_shouted_post_keeps_its_text_and_offsets(analyzer: Analyzer) -> None:
    if not SOCIAL_NER_DIR.is_dir():
        pytest.skip("post NER weights not built (python -m nlp.train_ner_social)")
    text = "CANNOT BELIEVE I JUST MET JUSTIN BIEBER AT THE MALL IN TORONTO"
    answer = next(analyzer.analyze_batch([{"id": "1", "text": text, "kind": "post"}]))
    assert answer["entities"], "the lower-cased view finds names the capitals hid"
    for e in answer["entities"]:
        assert text[e["start"]:e["end"]] == e["text"] and e["text"].isupper()


def test_news_headlines_in_capitals_keep_the_news_model(analyzer: Analyzer) -> None:
    text = "JAPAN'S NIKKO SECURITIES SAYS PROFITS ROSE IN FIRST HALF"
    answer = next(analyzer.analyze_batch([{"id": "1", "text": text}]))
    plain = analyzer.nlp(text)
    assert {(e["start"], e["end"]) for e in answer["entities"]} == {(e.start_char, e.end_char) for e in plain.ents}
