"""Who holds a row: this process, named so that another process can tell whether it still runs.

A lease (an outbox row being sent, a document being analysed) held by a process that was killed
would otherwise wait out its timeout: an alert two minutes late after a crash. The owner is
``host:pid:start time``; a process on the same host whose pid is gone, or now belongs to a
process started at another time (pids are reused), is dead and its rows are taken over at once.
Owners on other hosts cannot be checked here: their leases run out as before.
"""

from __future__ import annotations

import functools
import os
import socket

import psutil


def this_owner() -> str:
    """``host:pid:start`` of this process (start time in centiseconds, as ``psutil`` reads it)."""
    return _owner(os.getpid())


@functools.cache  # by pid: a forked child names itself, not its parent
def _owner(pid: int) -> str:
    return f"{socket.gethostname()}:{pid}:{round(psutil.Process(pid).create_time() * 100)}"


def _running(pid: int) -> str | None:
    """The owner name of the live process ``pid``, None when there is none (a zombie is dead)."""
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return f"{socket.gethostname()}:{pid}:{round(proc.create_time() * 100)}"
    except psutil.NoSuchProcess:
        return None


def owner_gone(owner: str | None) -> bool:
    """True when ``owner`` names a process on this host that no longer runs; False when unsure."""
    if not owner:
        return False
    try:
        host, pid_text, _start = owner.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return False
    if host != socket.gethostname():
        return False
    if pid == os.getpid():
        return owner != this_owner()
    try:
        return _running(pid) != owner
    except psutil.Error:  # access denied: it runs, as someone else
        return False
