"""The one way newswatch writes to SQLite: an IMMEDIATE transaction, joined when already inside one.

IMMEDIATE takes the write lock up front, so two writers (a crawl subprocess and the service, say)
wait on the busy timeout instead of failing with a deadlock when a read transaction tries to
upgrade. Kept in its own module so the store and its parts (crawl state, events) share it
without importing each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import apsw

from storage.base import StoreFull, StoreReadOnly


@contextmanager
def sqlite_transaction(db: Any) -> Iterator[None]:
    """Commit on success, roll back on any exception; inside a caller's transaction, join it."""
    if db.in_transaction:
        yield
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except apsw.ReadOnlyError as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise StoreReadOnly(read_only_message(getattr(db, "filename", "") or "the SQLite store")) from exc
    except BaseException as exc:
        if db.in_transaction:  # SQLite has already rolled back after SQLITE_FULL and a few other errors
            db.execute("ROLLBACK")
        if isinstance(exc, apsw.FullError):
            raise StoreFull(full_message(getattr(db, "filename", "") or "the SQLite store")) from exc
        raise
    try:
        db.execute("COMMIT")
    except BaseException as exc:  # a failed COMMIT (disk full) must not leave a transaction for the next writer
        if db.in_transaction:
            db.execute("ROLLBACK")
        if isinstance(exc, apsw.FullError):
            raise StoreFull(full_message(getattr(db, "filename", "") or "the SQLite store")) from exc
        raise


def full_message(path: str) -> str:
    """What a user sees when the disk holding the store fills up mid-write."""
    return (f"the disk holding the store {path} is full: the batch being written was rolled back, everything "
            "stored before it is intact; free some space (or move data_dir) and run the command again")


def read_only_message(path: str, what: str = "the store", setting: str = "[storage] url") -> str:
    """What a user sees when a write meets a read-only database, and what to do about it.

    ``what`` and ``setting`` name the database and the config key that points at it (the document
    store by default; the service database passes its own).
    """
    return (f"{what} {path} is read-only (no write permission on the file or its folder): search, export "
            "and sources still work; to crawl or ingest, make both writable (chmod u+w on the file and its "
            f"folder) or copy it somewhere writable and point {setting} at the copy")
