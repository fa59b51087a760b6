"""Storing links while the correlator is still finding them.

Pairing is Python and holds the GIL; storing ten thousand links is mostly SQLite's C code (row
appends, FTS5 segments, the commit), which runs without it. So on SQLite the correlator hands each
chunk of links it has built to :class:`SQLiteLinkWriter`: a thread with a connection of its own
stores it while the correlator pairs on. Each batch of new events is one write transaction of that
thread, its links and then the correlator's cursor, so a run killed midway keeps the batches it
finished and pairs only the rest again, and other processes wait for the write lock one batch at
most.

The thread runs one statement per chunk: the rows go into a temporary view whose trigger appends
each link not stored before to ``links``, ``link_ids`` and ``link_terms``. A thread that took the
GIL back for every row, or even for every table, would wait a switch interval (5 ms) behind the
pairing thread each time, and fall behind. For the same reason a chunk is bound as one JSON array
(encoded by orjson in C) that SQLite unpacks, not as tens of thousands of parameters, each bound
with the GIL held. The correlator's links arrive with their row fields already worked out
(:class:`storage.link_rows.EncodedLink`).

:class:`BufferedLinkSink` is the same contract for every other case (PostgreSQL, an in-memory
SQLite store, a caller inside a transaction on the store's connection, a few new events): it
keeps each batch's links and stores them with one ``add_links`` call, then the cursor.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol

import orjson

from storage.link_rows import LINK_FIELDS_WIDTH, SQLITE_LINK_COLUMNS, link_fields

WRITER_CACHE_KIB = 8192
CHECKPOINT_EVERY = 16  # batches (of 1,000 new events by default: some 50,000 links, 30 MB of WAL)
_COLUMNS_BUT_LSEQ = ", ".join(SQLITE_LINK_COLUMNS[1:])  # the writer thread lets SQLite number the rows
_SQL_STAGE = f"""
CREATE TEMP TABLE IF NOT EXISTS link_skipped(h INTEGER PRIMARY KEY);
CREATE TEMP VIEW IF NOT EXISTS link_stage AS
    SELECT {", ".join(f"NULL AS {c}" for c in (*SQLITE_LINK_COLUMNS, "h", "terms"))};
CREATE TEMP TRIGGER IF NOT EXISTS link_stage_insert INSTEAD OF INSERT ON link_stage
BEGIN
    INSERT INTO temp.link_skipped(h) SELECT NEW.h WHERE EXISTS (SELECT 1 FROM main.link_ids WHERE h = NEW.h);
    INSERT INTO main.links({_COLUMNS_BUT_LSEQ}) SELECT {", ".join(f"NEW.{c}" for c in SQLITE_LINK_COLUMNS[1:])}
        WHERE NOT EXISTS (SELECT 1 FROM main.link_ids WHERE h = NEW.h);
    INSERT INTO main.link_terms(rowid, terms) SELECT last_insert_rowid(), NEW.terms
        WHERE NOT EXISTS (SELECT 1 FROM main.link_ids WHERE h = NEW.h);
    INSERT OR IGNORE INTO main.link_ids(h) VALUES (NEW.h);
END;
"""
# a chunk is one JSON array of link_fields (one parameter, unpacked by SQLite's C code rather than bound value
# by value with the GIL held); the trigger numbers the rows (lseq NULL), the second parameter is created_at.
# jsonb_each, not json_each: json_each hands each row to ``->>`` as JSON text, parsed again for every
# field, which was two thirds of the thread's work
_SQL_STAGE_ROWS = (f"INSERT INTO temp.link_stage SELECT NULL, value ->> 0, ?2, "
                   f"{', '.join(f'value ->> {i}' for i in range(1, LINK_FIELDS_WIDTH))} FROM jsonb_each(?1)")
_H = LINK_FIELDS_WIDTH - 2  # the link_ids key among link_fields
_SQL_CURSOR = ("INSERT INTO cursors(name, value) VALUES (?, ?) "
               "ON CONFLICT (name) DO UPDATE SET value = excluded.value")


def stage_links(db: Any, links: list[dict[str, Any]], now: str) -> None:
    """Append ``links`` (known to be new) to ``links``, ``link_ids`` and ``link_terms`` through the
    ``link_stage`` view, inside the caller's write transaction on ``db``: the store's ``add_links`` takes
    the same SQL path as the writer thread (which encodes its chunks in the caller's thread instead)."""
    if links:
        db.execute(_SQL_STAGE)  # temporary, per connection; IF NOT EXISTS: made once
        db.execute(_SQL_STAGE_ROWS, (orjson.dumps([link_fields(link) for link in links]), now))


def checkpoint(db: Any) -> None:
    """Copy the WAL back into the database file (PASSIVE: never waits for readers). After ten thousand
    links that is tens of megabytes and an fsync, which SQLite would otherwise do inside the commit."""
    try:
        db.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except Exception:  # noqa: BLE001 - a later commit's automatic checkpoint does it then
        pass


class LinkSink(Protocol):
    """Takes links (``links --json`` shape, with ``id``) chunk by chunk, and stores them batch by batch.

    :meth:`end_batch` stores what was handed over since the last one together with a cursor value,
    so a run that dies later keeps its finished batches and pairs the rest again. Used as a context
    manager: leaving it normally stores what is left; leaving it by an exception drops what was
    handed over since the last batch end. Either way :attr:`new` then holds the links stored by
    this sink that were not stored before, each with ``created_at`` (of two links with one id, the
    first handed over).
    """

    new: list[dict[str, Any]]

    def add(self, links: list[dict[str, Any]]) -> None: ...

    def end_batch(self, cursor: str, value: int) -> None: ...

    def __enter__(self) -> LinkSink: ...

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...


class BufferedLinkSink:
    """Keeps each batch's links and stores them with one ``add_links`` call at its end, then the cursor."""

    def __init__(self, add_links: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
                 set_cursor: Callable[[str, int], None]) -> None:
        self._add_links = add_links
        self._set_cursor = set_cursor
        self._links: list[dict[str, Any]] = []
        self.new: list[dict[str, Any]] = []

    def add(self, links: list[dict[str, Any]]) -> None:
        self._links += links

    def end_batch(self, cursor: str, value: int) -> None:
        self.new += self._add_links(self._links)
        self._links = []
        self._set_cursor(cursor, value)  # after the links: a crash in between pairs them again

    def __enter__(self) -> BufferedLinkSink:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None and self._links:
            self.new += self._add_links(self._links)
        self._links = []


_END = "end"
_ABORT = "abort"


class SQLiteLinkWriter:
    """Stores the links of one correlator run from a thread with its own connection (see the module doc).

    Each batch is one write transaction of the thread: its links, then the cursor, then the commit;
    the write lock is free between batches, so other processes' writes wait one batch at most. The
    trigger behind ``link_stage`` numbers the rows and leaves out links stored before (by an earlier
    run that crashed before moving its cursor, say), noting them in ``temp.link_skipped``.
    """

    def __init__(self, connect: Callable[[], Any], now: str) -> None:
        self.now = now
        self.new: list[dict[str, Any]] = []
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._ready = threading.Event()
        self._done = threading.Event()
        self._seen: set[str] = set()
        self._handed: list[dict[str, Any]] = []  # the links handed over, first of each id
        self._handed_keys: list[int] = []  # and their link_ids keys
        self._batch_ends: list[int] = []  # len(_handed) at each end_batch
        self._committed = 0  # batches the thread has committed
        self._skipped: set[int] = set()  # keys of links found stored before
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(connect,), name="newswatch-link-writer",
                                        daemon=True)
        self._thread.start()

    def __enter__(self) -> SQLiteLinkWriter:
        return self

    def add(self, links: list[dict[str, Any]]) -> None:
        """Encode the links (the Python part, here) and queue them for the thread."""
        self._raise_error()
        rows: list[tuple[Any, ...]] = []
        seen, handed, keys = self._seen, self._handed, self._handed_keys
        for link in links:
            lid = link["id"]
            if lid in seen:
                continue  # one-by-one arrival would have kept the first
            seen.add(lid)
            fields = link_fields(link)
            rows.append(fields)
            handed.append(link)
            keys.append(fields[_H])
        if rows:
            self._queue.put(orjson.dumps(rows))

    def end_batch(self, cursor: str, value: int) -> None:
        """The links handed over so far are stored with ``cursor`` = ``value`` in one transaction."""
        self._raise_error()
        self._batch_ends.append(len(self._handed))
        self._queue.put((cursor, value))

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None and len(self._handed) > (self._batch_ends[-1] if self._batch_ends else 0):
            self._batch_ends.append(len(self._handed))  # links after the last batch end: stored now
            self._queue.put(None)
        self._queue.put(_ABORT if kind is not None else _END)
        self._done.wait()  # committed (or failed); the thread may go on with the WAL checkpoint: see join()
        stored = self._batch_ends[self._committed - 1] if self._committed else 0
        skipped = self._skipped
        if skipped:
            pairs = zip(self._handed_keys[:stored], self._handed[:stored], strict=True)
            self.new = [link for h, link in pairs if h not in skipped]
        else:
            self.new = self._handed[:stored]
        for link in self.new:
            link["created_at"] = self.now
        if kind is None and self._error is not None:
            raise self._error

    def join(self, timeout: float | None = None) -> None:
        """Wait until the thread has ended (it checkpoints the WAL after the commit; the store's close waits)."""
        self._thread.join(timeout)

    def _raise_error(self) -> None:
        self._ready.wait()
        if self._error is not None:
            raise self._error

    def _run(self, connect: Callable[[], Any]) -> None:
        db = None
        item: Any = None
        try:
            db = connect()
            # no checkpoint inside the commits the caller may wait for (one runs at the end, below), and a
            # small page cache, so changed pages go to the WAL while the caller is still pairing
            db.execute("PRAGMA wal_autocheckpoint=0")
            db.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
            db.execute(_SQL_STAGE)
            self._ready.set()
            while (item := self._queue.get()) not in (_END, _ABORT):
                if not db.in_transaction:
                    db.execute("BEGIN IMMEDIATE")
                if isinstance(item, bytes):  # rows, as one JSON array of arrays
                    db.execute(_SQL_STAGE_ROWS, (item, self.now))
                    continue
                if item is not None:  # (cursor, value): the batch's end
                    db.execute(_SQL_CURSOR, item)
                skipped = {int(r[0]) for r in db.execute("SELECT h FROM temp.link_skipped")}
                db.execute("DELETE FROM temp.link_skipped")
                db.execute("COMMIT")
                self._skipped |= skipped
                self._committed += 1
                if self._committed % CHECKPOINT_EVERY == 0:
                    checkpoint(db)  # a long run keeps the WAL bounded; this thread does it, not the caller
            if db.in_transaction:
                db.execute("ROLLBACK")  # rows handed over after the last batch end, dropped by an error
            self._done.set()
            if item == _END and self._committed:
                checkpoint(db)
        except BaseException as e:  # handed to the caller's thread at add(), end_batch() or the end
            self._error = e
            if db is not None and db.in_transaction:
                db.execute("ROLLBACK")
            self._ready.set()
            self._done.set()
            while item not in (_END, _ABORT):
                item = self._queue.get()  # the caller's chunks still coming: drop them until its end
        finally:
            self._ready.set()
            self._done.set()
            if db is not None:
                db.close()
