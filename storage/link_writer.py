"""Storing links while the correlator is still finding them.

Pairing is Python and holds the GIL; storing ten thousand links is mostly SQLite's C code (row
appends, FTS5 segments, the commit), which runs without it. So on SQLite the correlator hands each
chunk of links it has built to :class:`SQLiteLinkWriter`: a thread with a connection of its own
stores it, inside one write transaction committed at the end, while the correlator pairs the next
chunk.

The thread runs one statement per chunk: the rows go into a temporary view whose trigger appends
each link not stored before to ``links``, ``link_ids`` and ``link_terms``. A thread that took the
GIL back for every row, or even for every table, would wait a switch interval (5 ms) behind the
pairing thread each time, and fall behind.

:class:`BufferedLinkSink` is the same contract for every other case (PostgreSQL, an in-memory
SQLite store, a caller inside a transaction on the store's connection): it keeps the links and
stores them in one ``add_links`` call at the end.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from itertools import chain
from types import TracebackType
from typing import Any, Protocol

import orjson

from storage.link_rows import LINK_ROW_WIDTH, SQLITE_LINK_COLUMNS, sqlite_link_row

WRITER_CACHE_KIB = 8192
MAX_PARAMETERS = 32766  # SQLite's most parameters in one statement
KNOWN_SQL = "SELECT h FROM link_ids WHERE h IN (SELECT value FROM json_each(?))"
_COLUMNS = ", ".join(SQLITE_LINK_COLUMNS)
_SQL_STAGE = f"""
CREATE TEMP VIEW IF NOT EXISTS link_stage AS
    SELECT {", ".join(f"NULL AS {c}" for c in (*SQLITE_LINK_COLUMNS, "h", "terms"))};
CREATE TEMP TRIGGER IF NOT EXISTS link_stage_insert INSTEAD OF INSERT ON link_stage
WHEN NOT EXISTS (SELECT 1 FROM main.link_ids WHERE h = NEW.h)
BEGIN
    INSERT INTO main.links({_COLUMNS}) VALUES ({", ".join(f"NEW.{c}" for c in SQLITE_LINK_COLUMNS)});
    INSERT INTO main.link_ids(h) VALUES (NEW.h);
    INSERT INTO main.link_terms(rowid, terms) VALUES (NEW.lseq, NEW.terms);
END;
"""


def insert_many(db: Any, table: str, rows: list[tuple[Any, ...]]) -> None:
    """Insert rows of one width with as many rows per statement as SQLite takes: one step each."""
    if not rows:
        return
    one = "(" + ", ".join("?" * len(rows[0])) + ")"
    per = MAX_PARAMETERS // len(rows[0])
    for i in range(0, len(rows), per):
        part = rows[i:i + per]
        db.execute(f"INSERT INTO {table} VALUES {', '.join([one] * len(part))}", tuple(chain.from_iterable(part)))


def append_link_rows(db: Any, rows: list[tuple[Any, ...]]) -> None:
    """Append links given as :func:`storage.link_rows.sqlite_link_row` rows (known to be new) to ``links``,
    ``link_ids`` and ``link_terms``, inside the caller's write transaction on ``db``."""
    width = len(SQLITE_LINK_COLUMNS)
    insert_many(db, f"links({_COLUMNS})", [r[:width] for r in rows])
    if rows:
        db.execute("INSERT INTO link_ids(h) SELECT value FROM json_each(?)", (orjson.dumps([r[width] for r in rows]),))
    insert_many(db, "link_terms(rowid, terms)", [(r[0], r[width + 1]) for r in rows])


def checkpoint(db: Any) -> None:
    """Copy the WAL back into the database file (PASSIVE: never waits for readers). After ten thousand
    links that is tens of megabytes and an fsync, which SQLite would otherwise do inside the commit."""
    try:
        db.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except Exception:  # noqa: BLE001 - a later commit's automatic checkpoint does it then
        pass


class LinkSink(Protocol):
    """Takes links (``links --json`` shape, with ``id``) chunk by chunk; stores them all or none.

    Used as a context manager: leaving it normally commits and sets :attr:`new` (the links not
    stored before, each given ``created_at``; of two links with one id, the first handed over);
    leaving it by an exception stores nothing.
    """

    new: list[dict[str, Any]]

    def add(self, links: list[dict[str, Any]]) -> None: ...

    def __enter__(self) -> LinkSink: ...

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...


class BufferedLinkSink:
    """Keeps the links and stores them with one ``add_links`` call when the block ends."""

    def __init__(self, add_links: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
        self._add_links = add_links
        self._links: list[dict[str, Any]] = []
        self.new: list[dict[str, Any]] = []

    def add(self, links: list[dict[str, Any]]) -> None:
        self._links += links

    def __enter__(self) -> BufferedLinkSink:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None:
            self.new = self._add_links(self._links)


_COMMIT = "commit"
_ABORT = "abort"


class SQLiteLinkWriter:
    """Stores the links of one correlator run from a thread with its own connection (see the module doc).

    The thread opens its write transaction at once and reports the last ``lseq``, so the caller
    numbers the rows itself and the thread only runs whole-chunk statements. Links stored before (by
    an earlier run that crashed before moving its cursor, say) are left out, and are not in :attr:`new`.
    """

    def __init__(self, connect: Callable[[], Any], now: str) -> None:
        self.now = now
        self.new: list[dict[str, Any]] = []
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._ready = threading.Event()
        self._done = threading.Event()
        self._first = 1  # the number of the first link handed over
        self._last = 0  # the last number handed out
        self._seen: set[str] = set()
        self._handed: list[dict[str, Any]] = []
        self._skipped: set[int] = set()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(connect,), name="newswatch-link-writer",
                                        daemon=True)
        self._thread.start()

    def __enter__(self) -> SQLiteLinkWriter:
        return self

    def add(self, links: list[dict[str, Any]]) -> None:
        """Encode the links (the Python part, here) and queue them for the thread."""
        self._ready.wait()
        if self._error is not None:
            raise self._error
        rows: list[tuple[Any, ...]] = []
        seen, handed, now = self._seen, self._handed, self.now
        n = self._last
        for link in links:
            lid = link["id"]
            if lid in seen:
                continue  # one-by-one arrival would have kept the first
            seen.add(lid)
            n += 1
            rows.append(sqlite_link_row(link, n, now))
            handed.append(link)
        self._last = n
        if rows:
            self._queue.put(rows)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._queue.put(_ABORT if kind is not None else _COMMIT)
        self._done.wait()  # committed (or failed); the thread may go on with the WAL checkpoint: see join()
        if kind is not None:
            return
        if self._error is not None:
            raise self._error
        skipped = self._skipped
        new = [link for n, link in enumerate(self._handed, start=self._first) if n not in skipped]
        for link in new:
            link["created_at"] = self.now
        self.new = new

    def join(self, timeout: float | None = None) -> None:
        """Wait until the thread has ended (it checkpoints the WAL after the commit; the store's close waits)."""
        self._thread.join(timeout)

    def _run(self, connect: Callable[[], Any]) -> None:
        db = None
        item: Any = None
        try:
            db = connect()
            # no checkpoint inside the commit the caller waits for (it runs after, below), and a small page
            # cache, so changed pages go to the WAL while the caller is still pairing, not all in the commit
            db.execute("PRAGMA wal_autocheckpoint=0")
            db.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
            db.execute(_SQL_STAGE)
            db.execute("BEGIN IMMEDIATE")
            self._last = int(db.execute("SELECT coalesce(max(lseq), 0) FROM links").fetchone()[0])
            self._first = self._last + 1
            self._ready.set()
            per = MAX_PARAMETERS // LINK_ROW_WIDTH
            one = "(" + ", ".join("?" * LINK_ROW_WIDTH) + ")"
            while (item := self._queue.get()) not in (_COMMIT, _ABORT):
                for i in range(0, len(item), per):
                    part = item[i:i + per]
                    db.execute(f"INSERT INTO temp.link_stage VALUES {', '.join([one] * len(part))}",
                               tuple(chain.from_iterable(part)))
            if item == _COMMIT:
                self._skipped = self._not_stored(db)
            db.execute("COMMIT" if item == _COMMIT else "ROLLBACK")
            self._done.set()
            if item == _COMMIT:
                checkpoint(db)
        except BaseException as e:  # handed to the caller's thread at add() or at the end
            self._error = e
            if db is not None and db.in_transaction:
                db.execute("ROLLBACK")
            self._ready.set()  # the caller finds the error at its next add() or at the end
            self._done.set()
            while item not in (_COMMIT, _ABORT):
                item = self._queue.get()  # the caller's chunks still coming: drop them until its end
        finally:
            self._ready.set()
            self._done.set()
            if db is not None:
                db.close()

    def _not_stored(self, db: Any) -> set[int]:
        """The numbers handed out whose link the trigger left out (stored before)."""
        first, last = self._first, self._last
        stored = int(db.execute("SELECT count(*) FROM links WHERE lseq >= ?", (first,)).fetchone()[0])
        if stored == last - first + 1:
            return set()
        return set(range(first, last + 1)) - {
            int(r[0]) for r in db.execute("SELECT lseq FROM links WHERE lseq >= ?", (first,))}
