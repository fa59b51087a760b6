"""Issue 17's first bullet, on short lines of our own: a line the detector cannot place (names,
figures, a short headline) is read by the default model with a warning; a given ``lang`` wins."""

from __future__ import annotations

import pytest

from nlp.analyzer import Analyzer, AnalyzerSettings
from storage.models import WatchEntry

NAME_LINES = [
    "Marta Oliveira, Paolo Ferri and Luca Bianchi",
    "Giovanna Rossi named Ferrolux chair",
    "Renata Costa, Pedro Alves: 3-1",
]


@pytest.fixture(scope="module")
def lexicon_analyzer(watchlist: list[WatchEntry]) -> Analyzer:
    return Analyzer(watchlist, AnalyzerSettings(stance_backend="lexicon"))


@pytest.mark.parametrize("text", NAME_LINES)
def test_a_short_line_of_names_keeps_its_entities(lexicon_analyzer: Analyzer, text: str) -> None:
    (ans,) = lexicon_analyzer.analyze_batch([{"id": "1", "text": text}])
    assert ans["entities"], ans
    assert not any("watchlist matching only" in w for w in ans["warnings"])
    if ans["lang"] == "en" and not ans["warnings"]:
        return  # detected as English: nothing to fall back from
    assert any("analysed as 'en'" in w or "default 'en' model" in w for w in ans["warnings"]), ans


def test_a_given_language_without_a_model_wins_and_names_still_read(lexicon_analyzer: Analyzer) -> None:
    (ans,) = lexicon_analyzer.analyze_batch([{"id": "1", "text": NAME_LINES[0], "lang": "it"}])
    assert ans["lang"] == "it" and ans["entities"]
    assert any("no NER model for lang 'it'" in w for w in ans["warnings"])


def test_a_given_language_wins_over_a_sure_detector(lexicon_analyzer: Analyzer) -> None:
    text = "The board of Ferrolux met in Turin on Monday and approved the new budget for next year."
    (ans,) = lexicon_analyzer.analyze_batch([{"id": "1", "text": text, "lang": "pt"}])
    assert ans["lang"] == "pt" and ans["entities"]
