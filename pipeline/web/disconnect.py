"""Run a search in a worker thread and stop it when the HTTP client goes away.

A synchronous endpoint cannot see its client leave: the work it started goes on to the end (the
issue 16 report: 30 minutes of snippets for nobody). Here the event loop runs the work in a thread
and waits for the client's disconnect meanwhile; once the client is gone the worker's check
(``storage.cancel``) turns true, and the store stops at its next hit or query step. If the server
itself cancels the request, the thread is told to stop as well.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from storage.cancel import cancel_when

T = TypeVar("T")


class ClientGone(Exception):
    """The client left before its answer was ready; the work was stopped and nothing is sent."""


async def unless_disconnected(request: Request, work: Callable[[], T]) -> T:
    """``work()`` in the thread pool; raises ``ClientGone`` (after stopping it) if the client leaves.

    Only for requests whose body the endpoint does not read (searches are GETs): the watcher reads
    the ASGI messages itself, waiting for ``http.disconnect``. ``request.is_disconnected()`` cannot
    be used: it polls with a zero timeout, which never completes behind an HTTP middleware.
    """
    gone = threading.Event()

    def run() -> T:
        with cancel_when(gone.is_set):
            return work()

    async def watch() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass
        gone.set()

    watcher = asyncio.ensure_future(watch())
    try:
        return await run_in_threadpool(run)
    except Exception:
        # whatever the work turned the cancellation into (a search endpoint answers StoreErrors 400)
        if gone.is_set():
            raise ClientGone from None
        raise
    except asyncio.CancelledError:  # the server dropped the request: stop the worker too
        gone.set()
        raise
    finally:
        watcher.cancel()
