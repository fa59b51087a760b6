"""The post NER network on the post route: offsets stay the caller's, spaCy's dates and numbers stay,
news never meets it. Posts are our own writing."""

from __future__ import annotations

import pytest

from nlp import post_ner
from nlp.analyzer import SOCIAL_ROUTE, Analyzer
from nlp.ner_labels import bio_spans
from nlp.post_ner_net import TAGS, shape

pytestmark = pytest.mark.skipif(not post_ner.available(),
                                reason="post NER head not built (python -m nlp.train_post_ner)")


def test_word_shapes_carry_what_the_uncased_encoder_cannot_see() -> None:
    assert [shape(w) for w in ["marcus", "Marcus", "NASA", "iPhone", "2024", "@dana_w", "#leeds", "!", "I"]] == [
        1, 2, 3, 4, 5, 6, 7, 8, 2]


def test_bio_tags_become_word_spans_and_a_stray_inside_tag_starts_one() -> None:
    assert bio_spans(["B-person", "I-person", "O", "I-location", "B-product"]) == [
        (0, 2, "person"), (3, 4, "location"), (4, 5, "product")]
    assert len(TAGS) == 13


def _ents(analyzer: Analyzer, text: str) -> list[dict[str, object]]:
    (ans,) = analyzer.analyze_batch([{"id": "x", "text": text, "kind": "post"}])
    return list(ans["entities"])


def test_the_post_route_has_the_network_and_news_does_not(analyzer: Analyzer) -> None:
    assert analyzer._route(analyzer._request({"text": "omg just saw marcus in leeds lol"}))[1] == SOCIAL_ROUTE
    social = analyzer._social_pipeline()
    assert social is not None and "newswatch_post_ner" in social.pipe_names
    assert "newswatch_post_ner" not in analyzer.nlp.pipe_names
    assert analyzer.model_versions()["post_ner_net"].startswith("wnut17-minilm")


def test_entities_keep_the_callers_offsets_through_odd_spacing(analyzer: Analyzer) -> None:
    text = "so   hyped  to see Taylor Swift in London\n\nnext friday !!  😍"
    for e in _ents(analyzer, text):
        assert text[e["start"]:e["end"]] == e["text"]  # type: ignore[misc]
    labels = {e["text"]: e["label"] for e in _ents(analyzer, text)}
    assert labels.get("Taylor Swift") == "PERSON" and labels.get("London") == "GPE"


def test_a_lower_case_name_in_a_post_is_read_as_a_name(analyzer: Analyzer) -> None:
    texts = {e["text"] for e in _ents(analyzer, "cant believe lebron james missed that shot lmao")}
    assert "lebron james" in texts


def test_shouted_and_empty_posts_answer_without_a_crash(analyzer: Analyzer) -> None:
    text = "WHY IS EVERYONE AT THE BEACH IN BRIGHTON TODAY I CANT EVEN MOVE"
    for e in _ents(analyzer, text):
        assert text[e["start"]:e["end"]] == e["text"]  # type: ignore[misc]
    assert _ents(analyzer, "😂😂😂 🔥") == []
    (ans,) = analyzer.analyze_batch([{"id": "e", "text": "   ", "kind": "post"}])
    assert ans["entities"] == []
