"""A wish, modal or condition cue takes the event out only in the trigger's own clause (issue 14): with a parse
the cue must govern the trigger's head chain; a cue governing another clause of the sentence no longer does.
Sentences are invented here (companies and people made up)."""

from __future__ import annotations

import pytest

from nlp.analyzer import Analyzer
from nlp.events.rules import RuleExtractor
from nlp.events.syntax import SentenceParses, load_parser


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer([])


def _types(analyzer: Analyzer, text: str, parsed: bool = True) -> list[tuple[str, str | None]]:
    parses = SentenceParses(load_parser(analyzer.nlp) if parsed else None, text)
    cands = RuleExtractor().propose(text, (0, len(text)), [], parses)
    return [(c.type, c.attributes.get("status")) for c in cands]


@pytest.mark.parametrize("text,etype", [
    ("Shippers hope for calm after Beijing imposed tariffs on soybeans last week.", "trade_measure"),
    ("Growers want new buyers because the ministry imposed tariffs on fertiliser.", "trade_measure"),
    ("Importers hope for calm since Ruritania imposed sanctions on Moldova in May.", "sanction"),
])
def test_a_cue_governing_another_clause_no_longer_suppresses(analyzer: Analyzer, text: str, etype: str) -> None:
    assert load_parser(analyzer.nlp) is not None
    assert (etype, None) in _types(analyzer, text)
    # without a parse the character window stands: the earlier cue still takes the event out
    assert _types(analyzer, text, parsed=False) == []


@pytest.mark.parametrize("text", [
    "The ministry would impose tariffs on steel.",
    "Ruritania could slap tariffs on Moldovan wine.",
    "Velora hopes to launch a new tablet next spring.",
    "Senators urged the minister to impose sanctions on Ruritania.",
    "If Ruritania imposes tariffs on wine, exporters will suffer.",
    "Officials discussed possible sanctions against Moldova.",
])
def test_a_cue_governing_the_triggers_own_verb_still_suppresses(analyzer: Analyzer, text: str) -> None:
    assert _types(analyzer, text) == []
    assert _types(analyzer, text, parsed=False) == []


def test_a_plan_governing_the_trigger_stays_a_planned_event(analyzer: Analyzer) -> None:
    assert _types(analyzer, "Velora plans to launch a new tablet.") == [("product_launch", "planned")]


def test_the_analyzer_keeps_the_measure_of_a_clause_the_wish_does_not_govern(analyzer: Analyzer) -> None:
    text = "Shippers hope for calm after Ruritania imposed tariffs on Moldovan wine on Tuesday."
    ans = next(analyzer.analyze_batch([{"id": "t", "text": text, "published_at": "2026-03-11", "lang": "en"}]))
    assert any(e["type"] == "trade_measure" for e in ans["events"])
    text = "Ruritania would impose tariffs on Moldovan wine, the minister warned on Tuesday."
    ans = next(analyzer.analyze_batch([{"id": "t", "text": text, "published_at": "2026-03-11", "lang": "en"}]))
    assert not any(e["type"] == "trade_measure" for e in ans["events"])


@pytest.mark.parametrize("text", [
    "Importers hope that Ruritania imposes tariffs on Moldovan wine.",
    "The company denied reports that it planned to build a plant in Lisbon.",
])
def test_a_cue_over_a_complement_clause_governs_it(analyzer: Analyzer, text: str) -> None:
    assert [t for t, _ in _types(analyzer, text) if t in ("trade_measure", "investment")] == []
