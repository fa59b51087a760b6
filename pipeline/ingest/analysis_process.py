"""The full analysis in a process of its own, so the arrival stage keeps a core and the GIL.

spaCy, the stance model and the events component hold the GIL for most of their time; in a
thread of the ingesting process they starve the cheap arrival stage (watchlist match, rule
check, outbox write) and the outbox's delivery thread, and a burst's mention alerts wait
seconds behind analysis. :class:`ProcessAnalyzer` builds the real analyzer in a child process
from a picklable factory (the child loads the models; the parent never does) and answers
:meth:`annotate_many` by sending the batch over a pipe: while it waits, the parent's other
threads run freely.

The parent keeps only the watchlist matcher (``matcher``): the arrival stage needs nothing more.
A child that dies (killed, out of memory) makes the waiting call raise
:class:`AnalysisProcessError`; the next call starts a new child.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from multiprocessing.connection import Connection
from typing import Any

from nlp.watchlist import WatchlistMatcher
from storage.models import Annotations, WatchEntry

log = logging.getLogger(__name__)

AnalyzerFactory = Callable[[], Any]
Item = tuple[str, Mapping[str, Any] | None]


class AnalysisProcessError(RuntimeError):
    """The analysis process failed or died; the batch it held was not analysed."""


def _serve(factory: AnalyzerFactory, conn: Connection) -> None:
    """The child: build the analyzer once, then answer batches until the pipe closes."""
    try:
        analyzer = factory()
        conn.send(("ready", analyzer.model_versions()))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    while True:
        try:
            batch = conn.recv()
        except EOFError:
            return
        if batch is None:
            return
        try:
            out = list(analyzer.annotate_many(batch))
        except Exception as exc:  # noqa: BLE001 - this batch fails, the process goes on
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
            continue
        conn.send(("ok", out))


class ProcessAnalyzer:
    """What :class:`pipeline.ingest.Ingestor` needs of an analyzer, with the analysis in a child process.

    ``factory`` builds the real analyzer (e.g. ``functools.partial(make_analyzer, config)``); it
    and its arguments must pickle (the child is spawned, not forked: the parent has threads).
    """

    def __init__(self, factory: AnalyzerFactory, entries: Sequence[WatchEntry]) -> None:
        self.factory = factory
        self.matcher = WatchlistMatcher(entries)
        self._ctx = mp.get_context("spawn")
        self._proc: Any = None
        self._conn: Connection | None = None
        self._versions: dict[str, str] | None = None
        self._lock = threading.Lock()  # one batch in the pipe at a time
        self.start()

    def start(self) -> None:
        """Start the child now (it loads the models while the parent gets on with arrivals)."""
        if self._proc is not None and self._proc.is_alive():
            return
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(target=_serve, args=(self.factory, child), name="newswatch-analysis",
                                       daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent
        self._versions = None

    def _ready(self) -> Connection:
        self.start()
        assert self._conn is not None
        if self._versions is None:
            kind, value = self._recv()
            if kind != "ready":
                self._stop()
                raise AnalysisProcessError(f"the analysis process could not start: {value}")
            self._versions = dict(value)
        return self._conn

    def _recv(self) -> tuple[str, Any]:
        assert self._conn is not None
        try:
            kind, value = self._conn.recv()
        except (EOFError, OSError):
            code = self._proc.exitcode if self._proc is not None else None
            self._stop()
            raise AnalysisProcessError(f"the analysis process died (exit code {code})") from None
        return str(kind), value

    def model_versions(self) -> dict[str, str]:
        with self._lock:
            self._ready()
            assert self._versions is not None
            return dict(self._versions)

    def annotate_many(self, items: Iterable[Item]) -> Iterator[tuple[Annotations, str | None]]:
        batch = [(text, dict(ctx) if ctx else None) for text, ctx in items]
        if not batch:
            return iter(())
        with self._lock:
            conn = self._ready()
            try:
                conn.send(batch)
            except (BrokenPipeError, OSError):
                self._stop()
                raise AnalysisProcessError("the analysis process died before taking the batch") from None
            kind, value = self._recv()
        if kind != "ok":
            raise AnalysisProcessError(f"analysis failed: {value}")
        return iter(value)

    def analyze_document(self, text: str, title: str | None = None, targets: Sequence[str] = (),
                         published_at: str | None = None, lang: str | None = None
                         ) -> tuple[Annotations, str | None]:
        ctx = {"title": title, "targets": list(targets), "published_at": published_at, "lang": lang}
        return next(self.annotate_many([(text, ctx)]))

    def _stop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except OSError:
                pass
        self._conn = None
        if self._proc is not None:
            self._proc.join(timeout=1)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join(timeout=5)
        self._proc = None
        self._versions = None

    def close(self) -> None:
        """Ask the child to finish and wait for it."""
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.send(None)
                except OSError:
                    pass
                if self._proc is not None:
                    self._proc.join(timeout=30)
            self._stop()
