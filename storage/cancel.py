"""Stopping a search whose caller has gone away (a closed HTTP connection), at the next safe point.

Snippets cost tokens x terms per hit; a client that asked for 200 hits of 200 terms and left must
not keep a core busy for minutes. The caller runs the search inside ``cancel_when(check)`` in the
thread that does the work; the search calls ``raise_if_cancelled`` between hits, the SQLite
backend also polls ``check`` while SQLite steps through a query (its progress handler), and the
PostgreSQL backend has a watcher thread ask the server to cancel a running statement
(``interrupt_when_cancelled``). The check lives in a thread-local, so a store's method signature
stays what the ``Store`` protocol says.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from storage.base import StoreError

_local = threading.local()


class SearchCancelled(StoreError):
    """The search was abandoned because its caller went away; nobody waits for its answer."""


@contextmanager
def cancel_when(check: Callable[[], bool]) -> Iterator[None]:
    """Searches run in this thread inside the block stop once ``check()`` returns True."""
    previous = getattr(_local, "check", None)
    _local.check = check
    try:
        yield
    finally:
        _local.check = previous


def cancelled() -> bool:
    """True when the search running in this thread should stop."""
    check = getattr(_local, "check", None)
    return bool(check is not None and check())


def raise_if_cancelled() -> None:
    if cancelled():
        raise SearchCancelled("search cancelled: the client went away")


@contextmanager
def interrupt_when_cancelled(interrupt: Callable[[], None], poll_s: float = 0.1) -> Iterator[None]:
    """Call ``interrupt()`` from a watcher thread if this thread's search is cancelled inside the block.

    For a backend whose statement blocks in a driver call (PostgreSQL): the watcher polls the check
    while the statement runs and asks the server to cancel it; the driver then raises in the
    worker thread, and the backend turns that into ``SearchCancelled``. Outside ``cancel_when``
    no thread starts.
    """
    check = getattr(_local, "check", None)
    if check is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(poll_s):
            if check():
                interrupt()
                return

    watcher = threading.Thread(target=watch, name="search-cancel-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
