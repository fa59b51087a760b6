"""The ingesting side of the analysis workers: arrival here, then one task per fresh document.

:class:`WorkerStage` stands where :class:`pipeline.ingest.staged.StagedIngest` stands in a crawl or
an ingest (``take``, ``resume``, ``close``), with the same arrival stage: the unchanged check,
the story id, the watchlist matcher's entities, and the alerts that need no more (mentions, first
mentions, saved searches) fire here, seconds after a document arrives. Then each fresh document
is noted durably (the pending list, as the child-process path does) and a task naming it goes
to the broker; the row is handed to the broker's name (:func:`pipeline.workers.app.broker_owner`)
so that no later ingest resends it. A document whose task could not be sent (broker down) stays
noted under this process, and the next ingest resends it (:meth:`WorkerStage.resume`).

Nothing waits here for the analysis: ``close`` returns once every task is sent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

from celery import Celery
from kombu.utils.url import maybe_sanitize_url

from nlp.watchlist import WatchlistMatcher
from pipeline.config.model import WorkersConfig
from pipeline.ingest.ingestor import Ingestor
from pipeline.ingest.pending import PendingAnalysis, pending_key
from pipeline.ingest.staged import StagedIngestError
from pipeline.workers.app import TASK, broker_owner, make_app
from storage.base import UpsertResult
from storage.models import Document, WatchEntry

log = logging.getLogger(__name__)


class MatcherOnly:
    """What the ingesting process keeps of an analyzer when workers analyse: the watchlist matcher."""

    def __init__(self, entries: Sequence[WatchEntry]) -> None:
        self.matcher = WatchlistMatcher(entries)

    def model_versions(self) -> dict[str, str]:
        return {}

    def analyze_document(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the analysis runs in the workers ([workers] enabled = true)")


class WorkerSendError(StagedIngestError):
    """Tasks could not reach the broker; their documents stay noted and the next ingest sends them."""


class WorkerStage:
    """Arrival in the caller's thread; analysis by Celery workers, one task per fresh document."""

    def __init__(self, ingestor: Ingestor, pending: PendingAnalysis, workers: WorkersConfig,
                 app: Celery | None = None) -> None:
        self.ingestor = ingestor
        self.pending_store = pending
        self.workers = workers
        self.app = app or make_app(workers)
        self.resumed = 0
        self.sent = 0
        self.unsent = 0
        self.errors: list[str] = []
        if isinstance(ingestor.lock, nullcontext):  # the crawl's state and the ingestor take turns, as staged
            ingestor.lock = threading.RLock()

    def submit(self, doc: Document) -> UpsertResult | None:
        result, fresh = self.take([doc])[0]
        return None if fresh else result

    def take(self, docs: list[Document]) -> list[tuple[UpsertResult, bool]]:
        """Arrival stage for each of ``docs`` now, then one durable note of the fresh ones, then their tasks."""
        out = [self.ingestor.arrive_result(doc) for doc in docs]
        fresh = [doc for doc, (_, queued) in zip(docs, out, strict=True) if queued]
        if fresh:
            self.pending_store.put_many(fresh)
            self._send(fresh)
        return out

    def resume(self) -> int:
        """Send the tasks of documents a stopped ingest noted but never handed to the broker."""
        docs = self.pending_store.take_orphans()
        self._send(docs)
        self.resumed += len(docs)
        if docs:
            log.info("sending the analysis of %d document(s) left by a stopped run to the workers", len(docs))
        return len(docs)

    def _send(self, docs: list[Document]) -> None:
        sent = []
        for doc in docs:
            try:
                self.app.send_task(TASK, args=[pending_key(doc)], queue=self.workers.queue)
            except Exception as exc:  # noqa: BLE001 - kept noted: the next ingest sends it
                self.unsent += 1
                self.errors.append(f"{type(exc).__name__}: {exc}")
                log.warning("could not send the analysis task of %s: %s", doc.url, exc)
                continue
            sent.append(doc)
        if sent:
            self.pending_store.hand_over(sent, broker_owner(self.workers))
            self.sent += len(sent)

    @property
    def pending(self) -> int:
        return 0  # nothing waits in this process

    def drain(self, timeout: float | None = None) -> bool:
        return True

    def close(self) -> None:
        """Close the broker connections; raise :class:`WorkerSendError` when some task could not be sent."""
        self.app.close()
        if self.errors:
            broker = maybe_sanitize_url(self.workers.broker_url)
            raise WorkerSendError(f"{self.unsent} analysis task(s) not sent to the broker {broker}: "
                                  f"{self.errors[0]}; their documents stay noted and the next run sends them",
                                  lost=self.unsent, first_error=self.errors[0])


def send_tasks(workers: WorkersConfig, pending: PendingAnalysis, docs: list[Document]) -> int:
    """Queue the tasks of ``docs`` (already on the pending list) from outside an ingest; how many were sent."""
    app = make_app(workers)
    try:
        sent = 0
        for doc in docs:
            app.send_task(TASK, args=[pending_key(doc)], queue=workers.queue)
            sent += 1
        pending.hand_over(docs, broker_owner(workers))
        return sent
    finally:
        app.close()
