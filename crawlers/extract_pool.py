"""Extraction in worker processes, each page under a time and a memory budget.

Extracting a multi-megabyte page takes seconds of CPU; done in the crawl's event loop it stops
every other fetch and store meanwhile. Worker processes keep the loop free, and make budgets
enforceable: the whole page runs under an alarm (SIGALRM works in a worker's main thread, and
the engines' own shorter budgets nest inside it), and the worker's address space is capped
(``RLIMIT_AS``) so a page that needs more memory fails alone with ``MemoryError``. A worker that
dies anyway (killed by the OS) costs its page only: the pool is rebuilt for the next one.

A page over budget answers ``{"failure": [error class, detail]}`` instead of an extract answer;
classes are those of the crawl's health counts (``timeout``, ``too_large``, ``parse``).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

from crawlers.budgets import DEFAULT_PAGE_BUDGET_S, DEFAULT_PAGE_MEMORY_MB, DEFAULT_WORKERS
from crawlers.extract import extract_bytes


def _cap_memory(memory_mb: int) -> None:
    """Worker initializer: load the extractors, then allow ``memory_mb`` beyond what they occupy.

    One tiny page warms every engine up (their imports are lazy), so neither the first page's time
    budget nor the memory cap pays for loading libraries.
    """
    extract_bytes(b"<html><head><title>Warm up</title></head><body><article><p>A first short page.</p>"
                  b"</article></body></html>", "text/html", None)

    if memory_mb <= 0:
        return
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as f:
            in_use = int(f.read().split()[0]) * resource.getpagesize()
        limit = in_use + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    except (OSError, ValueError, ImportError):  # not Linux: time budget only
        pass


class PageOverBudget(BaseException):
    """The page's whole time budget ran out. A BaseException, so that no engine's fail-soft
    ``except Exception`` (nor its own ``EngineTimeout`` handling) can take it for its own."""


def _expire(_signum: int, _frame: object) -> None:
    raise PageOverBudget


@contextmanager
def page_alarm(budget_s: float) -> Iterator[None]:
    """Raise ``PageOverBudget`` in this (main) thread once ``budget_s`` seconds have passed.

    The engines' shorter budgets (``crawlers.extract.engines.budget``) see this alarm and leave it
    in place when it is due before theirs. Signals reach only the main thread: elsewhere (a server's
    worker thread) the page runs without the overall alarm, under the engines' own budgets.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, max(budget_s, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def over_budget_detail(budget_s: float) -> str:
    return f"extraction ran past the {budget_s:g} s page budget"


def extract_within_budget(body: bytes, content_type: str | None, url: str, budget_s: float) -> dict[str, Any]:
    """``extract_bytes`` in a worker; a page over its time or memory budget answers ``{"failure": ...}``."""
    try:
        with page_alarm(budget_s):
            answer = extract_bytes(body, content_type, url)
    except PageOverBudget:
        return {"failure": ["timeout", over_budget_detail(budget_s)]}
    except MemoryError:
        return {"failure": ["too_large", "extraction needed more than the page memory budget"]}
    # the extractors fail soft, MemoryError included: under the cap it means the page outgrew its budget
    if any("MemoryError" in w for w in answer.get("warnings", [])):
        return {"failure": ["too_large", "extraction needed more than the page memory budget"]}
    return answer


class ExtractPool:
    """A small pool of extraction workers that survives the loss of one (see module docstring)."""

    def __init__(self, workers: int = DEFAULT_WORKERS, budget_s: float = DEFAULT_PAGE_BUDGET_S,
                 memory_mb: int = DEFAULT_PAGE_MEMORY_MB) -> None:
        self.workers, self.budget_s, self.memory_mb = workers, budget_s, memory_mb
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_cap_memory, initargs=(self.memory_mb,))
        return self._pool

    async def extract(self, body: bytes, content_type: str | None, url: str) -> dict[str, Any]:
        """The page's extract answer, or ``{"failure": [class, detail]}``; never raises for the page's sake."""
        try:
            future = self._executor().submit(extract_within_budget, body, content_type, url, self.budget_s)
            answer: dict[str, Any] = await asyncio.wrap_future(future)
            return answer
        except BrokenProcessPool:
            self.close()  # the next page gets fresh workers
            return {"failure": ["too_large", "the extraction worker died on this page (out of memory?)"]}

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def workers_setting(value: int | None) -> int:
    """Workers to start: the setting, else ``DEFAULT_WORKERS`` bounded by the machine's cores."""
    if value is not None:
        return max(value, 0)
    return max(1, min(DEFAULT_WORKERS, os.cpu_count() or 1))
