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
analysis runs outside it. A failure in the worker is kept and raised by :meth:`close`, with the
number of documents it could not store, so a command never reports success over lost documents.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections import deque
from collections.abc import Callable

from pipeline.ingest.ingestor import Ingestor
from storage.base import UpsertResult
from storage.models import Document

log = logging.getLogger(__name__)

SWITCH_INTERVAL_S = 0.0005

Done = Callable[[Document, UpsertResult], None]


class StagedIngestError(RuntimeError):
    """The analysis worker failed on some documents; they were not stored."""


class StagedIngest:
    """Arrival now in the caller's thread, analysis and storage in batches in a worker thread."""

    def __init__(self, ingestor: Ingestor, batch_size: int = 32, on_stored: Done | None = None) -> None:
        self.ingestor = ingestor
        self.batch_size = batch_size
        self.on_stored = on_stored
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
        unchanged = self.ingestor.arrive(doc)
        if unchanged is not None:
            return unchanged
        with self._cond:
            self._queue.append(doc)
            self._in_flight += 1
            self._cond.notify_all()
        return None

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
            raise StagedIngestError(f"{self.lost} document(s) not stored: {self.errors[0]}")

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._queue) or self._stop)
                if not self._queue:
                    return
                batch = [self._queue.popleft() for _ in range(min(self.batch_size, len(self._queue)))]
            try:
                results = self.ingestor.complete(batch)
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
