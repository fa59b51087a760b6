"""Given targets: found by alias, partial name, hashtag or handle; answered always (by topic when not named)."""

from __future__ import annotations

import pytest

from nlp.targets import TargetFinder, person_partials, split_tag, topic_relevance, topic_stems


def _stance(ans: dict, target: str) -> dict:
    (entry,) = [s for s in ans["stance"] if s["target"] == target]
    return entry


def test_a_person_is_found_by_handle_hashtag_surname_and_first_name() -> None:
    finder = TargetFinder("Hillary Clinton", ["Hillary Clinton"], person_partials("Hillary Clinton"), "PERSON")
    text = "@HillaryClinton spoke. Clinton smiled, Hillary waved. #Hillary2016 but not #Bernie or hillary."
    found = [text[s:e] for s, e in finder.find(text)]
    assert found == ["@HillaryClinton", "Clinton", "Hillary", "#Hillary2016"]


def test_hashtags_split_on_case_changes_and_topics_match_inside_them() -> None:
    assert split_tag("ClimateChange") == ["Climate", "Change"]
    assert split_tag("NASA2026") == ["NASA", "2026"]
    stems = topic_stems("Climate Change is a Real Concern")
    assert topic_relevance("Hot again today #climatecrisis", stems) == 1
    assert topic_relevance("Nice weather for a picnic", stems) == 0


def test_every_given_target_gets_one_entry_even_when_not_named(analyzer) -> None:
    text = "@HillaryClinton you lied about the emails and everyone knows it."
    targets = ["Hillary Clinton", "Climate Change is a Real Concern", "Hillary Clinton"]
    (ans,) = analyzer.analyze_batch([{"id": "p", "text": text, "targets": targets}])
    assert [s["target"] for s in ans["stance"]] == ["Hillary Clinton", "Climate Change is a Real Concern"]
    hillary = _stance(ans, "Hillary Clinton")
    assert hillary["evidence"]["text"] == text and hillary["holder"] == "author"
    handle = [e for e in ans["entities"] if e["text"] == "@HillaryClinton"]
    assert handle and handle[0]["label"] == "PERSON" and handle[0]["canonical"] == "Hillary Clinton"


def test_a_long_text_that_never_names_a_topic_is_neutral_toward_it(analyzer) -> None:
    text = ("Veltrix opened a plant in Porto on Monday. " * 3 + "\n\n") * 4 + "The plant employs 400 people."
    (ans,) = analyzer.analyze_batch([{"id": "n", "text": text, "targets": ["Legalization of Abortion"]}])
    entry = _stance(ans, "Legalization of Abortion")
    assert entry["label"] == "neutral"
    assert text[entry["evidence"]["start"]:entry["evidence"]["end"]] == entry["evidence"]["text"]


def test_the_most_relevant_sentence_is_the_evidence_for_a_topic(analyzer) -> None:
    text = ("The council met on Tuesday to discuss the budget for the coming year in great detail. " * 3
            + "Several members said the flooding shows that climate change is now a local problem. "
            + "The meeting ended at nine in the evening after a long debate about parking fees. " * 2)
    (ans,) = analyzer.analyze_batch([{"id": "c", "text": text, "targets": ["Climate Change is a Real Concern"]}])
    assert "flooding" in _stance(ans, "Climate Change is a Real Concern")["evidence"]["text"]


@pytest.mark.parametrize("text", ["", "😀🎉🔥", "12 345 678"])
def test_texts_without_words_still_answer_every_target(analyzer, text) -> None:
    (ans,) = analyzer.analyze_batch([{"id": "x", "text": text, "targets": ["Orion Mobile", " ", ""]}])
    assert [s["target"] for s in ans["stance"]] == ["Orion Mobile"]
    assert _stance(ans, "Orion Mobile")["label"] == "neutral"
    assert any("target" in w for w in ans["warnings"])
