"""Stopping a search whose caller has gone away (a closed HTTP connection), at the next safe point.

Snippets cost tokens x terms per hit; a client that asked for 200 hits of 200 terms and left must
not keep a core busy for minutes. The caller runs the search inside ``cancel_when(check)`` in the
thread that does the work; the search calls ``raise_if_cancelled`` between hits, and the SQLite
backend also polls ``check`` while SQLite steps through a query (its progress handler). The check
lives in a thread-local, so a store's method signature stays what the ``Store`` protocol says.
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
