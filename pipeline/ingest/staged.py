"""Ingest with the full analysis in a worker thread, so arrivals never queue behind it.

:meth:`StagedIngest.submit` runs the arrival stage in the caller's thread (unchanged check,
story, watchlist match, the alerts that need no more) and queues the document; a worker thread
takes whatever has queued up, up to ``batch_size`` documents, analyzes them in one batched pass
and stores them (:meth:`pipeline.ingest.ingestor.Ingestor.complete`), which fires the rules that need the
analysis. A burst of 50 documents therefore gets its mention alerts within the time of 50 cheap
arrival stages, while the analysis catches up in batches (faster per document than one by one).

The analysis holds the GIL for long stretches; while the worker runs, the interpreter's switch
interval is cut to half a millisecond (restored by :meth:`close`) so the arrival stage and the
outbox's delivery thread get it back quickly: without this, each of their many short waits on
I/O costs up to 5 ms and a burst's alerts queue for seconds behind the analysis.

Both threads use the one store connection, taking turns through the ingestor's lock; the
analysis runs outside it (in a child process with :class:`pipeline.ingest.analysis_process.ProcessAnalyzer`,
so that it does not hold this process's GIL either). A failure in the worker is kept and raised
by :meth:`close`, with the number of documents it could not store, so a command never reports
success over lost documents.

With ``pending`` (:class:`pipeline.ingest.pending.PendingAnalysis`) every fresh document is
noted durably on arrival, before :meth:`submit` returns (before a crawl marks its page done),
and forgotten once stored: :meth:`resume` analyses what a killed process left noted.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections import deque
from collections.abc import Callable
from contextlib import nullcontext
from typing import Protocol

from pipeline.ingest.ingestor import Ingestor
from pipeline.ingest.pending import PendingAnalysis
from storage.base import UpsertResult
from storage.models import Document

log = logging.getLogger(__name__)

SWITCH_INTERVAL_S = 0.0005

Done = Callable[[Document, UpsertResult], None]


class ArrivalStage(Protocol):
    """What a crawl or an ingest needs of its second stage: this class, or the analysis workers'
    (:class:`pipeline.workers.dispatch.WorkerStage`)."""

    resumed: int

    def take(self, docs: list[Document]) -> list[tuple[UpsertResult, bool]]: ...

    def resume(self) -> int: ...

    def close(self) -> None: ...


class StagedIngestError(RuntimeError):
    """The analysis worker failed on some documents; they were not stored.

    ``lost`` and ``first_error`` let a caller fold the failure into its own summary (the crawl says
    "N item(s) could not be stored" whichever stage refused them)."""

    def __init__(self, message: str, lost: int = 0, first_error: str = "") -> None:
        super().__init__(message)
        self.lost = lost
        self.first_error = first_error


class StagedIngest:
    """Arrival now in the caller's thread, analysis and storage in batches in a worker thread."""

    def __init__(self, ingestor: Ingestor, batch_size: int = 32, on_stored: Done | None = None,
                 pending: PendingAnalysis | None = None) -> None:
        self.ingestor = ingestor
        self.batch_size = batch_size
        self.on_stored = on_stored
        self.pending_store = pending
        self.resumed = 0
        if isinstance(ingestor.lock, nullcontext):  # a lock given by the caller (a crawl's) is kept
            ingestor.lock = threading.RLock()
        self._queue: deque[Document] = deque()
        self._cond = threading.Condition()
        self._in_flight = 0  # queued or being analyzed
        self._stop = False
        self.errors: list[str] = []
        self.lost = 0
        self._interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._interval, SWITCH_INTERVAL_S))
        self._thread = threading.Thread(target=self._run, name="newswatch-analysis", daemon=True)
        self._thread.start()

    def submit(self, doc: Document) -> UpsertResult | None:
        """Arrival stage now; the result for an unchanged document, else None (stored later, in order)."""
        result, fresh = self.take([doc])[0]
        return None if fresh else result

    def take(self, docs: list[Document]) -> list[tuple[UpsertResult, bool]]:
        """Arrival stage for each of ``docs`` now, then one durable note of the fresh ones, then queue them.

        Returns, per document, what storing it will answer and whether it was queued (False:
        unchanged, nothing more to do). The alerts that need no analysis are out before the note.
        """
        out = [self.ingestor.arrive_result(doc) for doc in docs]
        fresh = [doc for doc, (_, queued) in zip(docs, out, strict=True) if queued]
        if fresh and self.pending_store is not None:
            self.pending_store.put_many(fresh)
        self._enqueue(fresh)
        return out

    def resume(self) -> int:
        """Queue the documents a killed process noted but never stored (their arrival alerts are out)."""
        if self.pending_store is None:
            return 0
        docs = self.pending_store.take_orphans()
        for doc in docs:
            for listener in self.ingestor.arrival_listeners:
                seen = getattr(listener, "arrived_before", None)
                if seen is not None:
                    seen(doc)
        self._enqueue(docs)
        self.resumed += len(docs)
        if docs:
            log.info("resuming the analysis of %d document(s) left by a stopped run", len(docs))
        return len(docs)

    def _enqueue(self, docs: list[Document]) -> None:
        if not docs:
            return
        with self._cond:
            self._queue.extend(docs)
            self._in_flight += len(docs)
            self._cond.notify_all()

    @property
    def pending(self) -> int:
        with self._cond:
            return self._in_flight

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every submitted document is stored (or failed); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._in_flight == 0, timeout)

    def close(self) -> None:
        """Drain, stop the worker, and raise :class:`StagedIngestError` if any batch failed."""
        self.drain()
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join()
        sys.setswitchinterval(self._interval)
        if self.errors:
            kept = "; they stay noted and the next run analyses them" if self.pending_store is not None else ""
            raise StagedIngestError(f"{self.lost} document(s) not stored: {self.errors[0]}{kept}",
                                    lost=self.lost, first_error=self.errors[0])

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._queue) or self._stop)
                if not self._queue:
                    return
                batch = [self._queue.popleft() for _ in range(min(self.batch_size, len(self._queue)))]
            try:
                results = self.ingestor.complete(batch)
                if self.pending_store is not None:
                    self.pending_store.done(batch)
            except Exception as exc:  # noqa: BLE001 - kept and raised by close(); the thread goes on
                log.exception("analysis of %d document(s) failed", len(batch))
                self.errors.append(f"{type(exc).__name__}: {exc}")
                self.lost += len(batch)
                results = []
            if self.on_stored is not None:
                for doc, result in zip(batch, results, strict=False):
                    self.on_stored(doc, result)
            with self._cond:
                self._in_flight -= len(batch)
                self._cond.notify_all()
