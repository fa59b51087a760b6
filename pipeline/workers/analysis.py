"""One worker process's side of a task: analyse one noted document, store it, fire the analysis rules.

A task names a pending row (``doc id|content hash``, :mod:`pipeline.ingest.pending`); the document
itself waits in the service database, so a message is a few bytes and a broker that loses it loses
nothing. Running a task twice changes nothing: a row already gone (analysed), an older content of a
document whose newer content is noted or stored (superseded), or a content already stored and
announced is dropped without analysis; otherwise :meth:`pipeline.ingest.ingestor.Ingestor.complete`
stores it (an upsert of the same content makes no new version, and the announce marks keep the
listeners to one announcement even when a worker died between the two).

The models load once per process and survive a failed task; the store, the alert engine and the
correlator are reopened after one (a dropped database connection is then a retried task, not a
worker that fails every task after it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline.ingest.ingestor import Ingestor
from pipeline.ingest.pending import PendingAnalysis
from pipeline.workers.dead_letter import DeadLetters
from storage.base import Store

log = logging.getLogger(__name__)

AnalyzerFactory = Callable[[], Any]


@dataclass
class OpenIngest:
    """A store, the ingestor completing documents into it (with the alert engine and the correlator), and
    what closes them."""

    store: Store
    ingestor: Ingestor
    closers: list[Callable[[], None]]


IngestOpener = Callable[[Any], OpenIngest]  # analyzer -> OpenIngest (pipeline.wiring.worker_analysis builds it)


class WorkerAnalysis:
    """What one worker process keeps between tasks: the models, and the connections it reopens after a failure.

    ``db_url`` is the service database (pending list, dead letters); ``analyzer_factory`` loads the
    models; ``open_ingest`` opens the store and the listeners around a loaded analyzer.
    """

    def __init__(self, db_url: str, analyzer_factory: AnalyzerFactory, open_ingest: IngestOpener) -> None:
        self.db_url = db_url
        self.factory = analyzer_factory
        self.open_ingest = open_ingest
        self.analyzer: Any = None
        self._open: OpenIngest | None = None

    def load(self) -> None:
        """Load the models now (seconds), before the first task is taken."""
        if self.analyzer is None:
            self.analyzer = self.factory()

    def _parts(self) -> OpenIngest:
        if self._open is None:
            self.load()
            self._open = self.open_ingest(self.analyzer)
        return self._open

    def reset(self) -> None:
        """Drop the store and the engines (after a failure: the next task opens fresh connections)."""
        opened, self._open = self._open, None
        if opened is None:
            return
        for close in opened.closers:
            try:
                close()
            except Exception:  # noqa: BLE001 - a broken connection may fail to close; it is dropped anyway
                log.debug("closing after a failed task", exc_info=True)

    def pending(self) -> PendingAnalysis:
        return PendingAnalysis(self.db_url)

    def analyse(self, key: str) -> str:
        """Analyse and store the document noted under ``key``; what happened, in a word."""
        pending = self.pending()
        doc = pending.get(key)
        if doc is None:
            return "done-before"  # a re-delivered task: its document landed (or went to the dead letters)
        parts = self._parts()
        stored = parts.store.get(doc.id)
        superseded = pending.newer_than(doc) or (
            stored is not None and stored.content_hash != doc.content_hash and bool(stored.fetched_at)
            and bool(doc.fetched_at) and str(stored.fetched_at) > str(doc.fetched_at))
        if superseded or parts.ingestor.landed(doc):
            pending.done([doc])
            return "superseded" if superseded else "stored-before"
        for listener in parts.ingestor.listeners:  # its arrival alerts went out in the ingesting process
            seen = getattr(listener, "arrived_before", None)
            if seen is not None:
                seen(doc)
        result = parts.ingestor.complete([doc])[0]
        pending.done([doc])
        return result.status

    def bury(self, key: str, error: str, attempts: int) -> bool:
        """Move the document of ``key`` to the dead letters; False when it is no longer pending."""
        doc = self.pending().get(key)
        if doc is None:
            return False
        DeadLetters(self.db_url).bury(doc, error, attempts)
        return True

    def close(self) -> None:
        self.reset()
        close = getattr(self.analyzer, "close", None)
        if close is not None:
            close()
