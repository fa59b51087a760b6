"""Two-stage ingest: mention alerts fire on arrival, before the full analysis; analysis rules after it.

The analysis is the real one (spaCy + watchlist + events), held back by a gate so a test can
look at what happened before it ran.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pytest

from pipeline.alerts.rules import AlertEngine
from pipeline.config import AlertRule
from pipeline.ingest.ingestor import Ingestor, document_from_record
from pipeline.ingest.staged import StagedIngest, StagedIngestError
from pipeline.wiring import make_store

VISIT = {"url": "https://news.example/visit", "source": "ledger", "title": "A minister abroad",
         "text": "Trade Minister Helena Duarte visited Jakarta on Tuesday for talks with officials. "
                 "She met port operators and returned home on Friday."}


class GatedAnalyzer:
    """The real analyzer, whose batched analysis waits until the test opens the gate."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.matcher = inner.matcher
        self.gate = threading.Event()
        self.batches: list[int] = []

    def model_versions(self) -> dict[str, str]:
        return dict(self.inner.model_versions())

    def analyze_document(self, text: str, **kw: Any) -> Any:
        self.gate.wait(30)
        return self.inner.analyze_document(text, **kw)

    def annotate_many(self, items: Iterable[tuple[str, Mapping[str, Any] | None]]) -> Iterator[Any]:
        items = list(items)
        self.gate.wait(30)
        self.batches.append(len(items))
        return self.inner.annotate_many(items)


class Broken(GatedAnalyzer):
    def annotate_many(self, items: Iterable[tuple[str, Mapping[str, Any] | None]]) -> Iterator[Any]:
        raise RuntimeError("model file vanished")


@pytest.fixture
def store(config):
    s = make_store(config)
    yield s
    s.close()


def rules() -> list[AlertRule]:
    return [AlertRule(name="watch", watchlist="trade"),
            AlertRule(name="visits", watchlist="trade", type="event", event_types=["official_visit"])]


def test_mention_fires_on_arrival_before_analysis_and_event_after_it(config, store, analyzer) -> None:
    engine = AlertEngine(rules(), store, config.watch_entries())
    gated = GatedAnalyzer(analyzer)
    stage = StagedIngest(Ingestor(store, gated, [engine]))
    doc = document_from_record(VISIT)
    assert stage.submit(doc) is None
    # analysis has not run: the mention alert is already there, the event alert is not
    assert [(a.rule, a.entity_id) for a in engine.fired] == [("watch", "helena-duarte")]
    assert "Helena Duarte visited Jakarta" in engine.fired[0].evidence
    assert store.get(doc.id) is None and stage.pending == 1
    gated.gate.set()
    stage.close()
    assert sorted(a.rule for a in engine.fired) == ["visits", "watch"]  # no second mention alert
    stored = store.get(doc.id)
    assert stored is not None and any(e.label == "GPE" for e in stored.annotations.entities)


def test_arrivals_queued_during_analysis_are_analyzed_together(config, store, analyzer) -> None:
    engine = AlertEngine(rules(), store, config.watch_entries())
    gated = GatedAnalyzer(analyzer)
    stage = StagedIngest(Ingestor(store, gated, [engine]), batch_size=32)
    docs = [document_from_record(dict(VISIT, url=f"https://news.example/visit/{i}", text=f"{VISIT['text']} ({i})"))
            for i in range(6)]
    for doc in docs:
        stage.submit(doc)
    gated.gate.set()
    stage.close()
    assert sum(gated.batches) == 6 and len(gated.batches) <= 2  # the first alone at most, then the rest at once
    assert all(store.get(d.id) is not None for d in docs)


def test_unchanged_document_is_answered_on_arrival(config, store, analyzer) -> None:
    ingestor = Ingestor(store, analyzer, [AlertEngine(rules(), store, config.watch_entries())])
    ingestor.ingest(document_from_record(VISIT))
    stage = StagedIngest(ingestor)
    result = stage.submit(document_from_record(VISIT))
    assert result is not None and result.status == "unchanged" and stage.pending == 0
    stage.close()


def test_a_failed_analysis_is_raised_with_the_number_of_documents_lost(config, store, analyzer) -> None:
    broken = Broken(analyzer)
    broken.gate.set()
    stage = StagedIngest(Ingestor(store, broken, []))
    stage.submit(document_from_record(VISIT))
    with pytest.raises(StagedIngestError, match="1 document.*model file vanished"):
        stage.close()


def test_analyzer_without_matcher_runs_every_rule_after_analysis(config, store, analyzer) -> None:
    class NoMatcher:
        def model_versions(self) -> dict[str, str]:
            return {}

        def analyze_document(self, text: str, **kw: Any) -> Any:
            return analyzer.analyze_document(text, **kw)

    engine = AlertEngine(rules(), store, config.watch_entries())
    Ingestor(store, NoMatcher(), [engine]).ingest(document_from_record(VISIT))
    assert sorted(a.rule for a in engine.fired) == ["visits", "watch"]
