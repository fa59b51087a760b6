"""Events, links and stories kept in the store, for the correlator and the story stage.

Documents carry their events inside their annotations; the correlator needs them across documents,
ordered by arrival and findable by date, so each stored event is also one row here.

Tables (the same on SQLite and PostgreSQL):

- ``events``: one row per event of a stored document (or of a stream, e.g. a listing surge);
  ``eseq`` orders arrival, so the correlator reads only what is new since its cursor;
- ``links``: co-timed pairs found by the correlator, one row each: the link's fields as columns and its
  two events as (key, type, document); ``links()`` reads the rest of each event back from ``events``.
  ``extra`` holds, as JSON, what the columns do not: fields a link has beyond the contract's, and the
  event details an early schema kept inside each link (read when the event itself is gone);
- ``link_entities``: (entity, link id) rows, so the ``link:ENTITY`` search filter is an index lookup;
- ``cursors``: named positions (the correlator's last processed ``eseq``);
- ``story_members`` / ``stories``: which story each document belongs to, its MinHash signature,
  and per story the first-seen time, size and sources;
- ``listing_counts``: new listings per watched entity per day (the listing-surge detector).

The classes below are each backend's ``store.events`` (:class:`storage.base.EventStore`), as
:mod:`storage.crawl_state` gives its ``store.crawl``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, cast

import orjson

from storage.models import Event, EventDate, Link, LinkEnd, Span, utc_now_iso
from storage.sqlite_tx import sqlite_transaction

_SQL_EVENTS_COLUMNS = """
    ekey TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    type TEXT NOT NULL,
    date_start TEXT,
    date_end TEXT,
    confidence DOUBLE PRECISION NOT NULL,
    url TEXT,
    source TEXT,
    kind TEXT,
    published_at TEXT,
    data TEXT NOT NULL,
    stored_at TEXT NOT NULL"""

_SQL_LINKS = """
CREATE TABLE links(
    seq {serial_pk},
    id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    type TEXT NOT NULL,
    rule TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    gap_days DOUBLE PRECISION,
    entities TEXT NOT NULL,
    explanation TEXT NOT NULL,
    event_a TEXT NOT NULL,
    type_a TEXT NOT NULL,
    doc_a TEXT NOT NULL,
    event_b TEXT NOT NULL,
    type_b TEXT NOT NULL,
    doc_b TEXT NOT NULL,
    extra TEXT
);
CREATE INDEX links_created ON links(created_at);
CREATE TABLE link_entities(
    entity TEXT NOT NULL,
    link_id TEXT NOT NULL,
    PRIMARY KEY (entity, link_id)
){without_rowid};
"""

_SQL_TABLES = "CREATE TABLE events(\n    eseq {serial_pk}," + _SQL_EVENTS_COLUMNS + """
);
CREATE INDEX events_doc ON events(doc_id);
CREATE INDEX events_type_date ON events(type, date_start);""" + _SQL_LINKS + """
CREATE TABLE cursors(
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
CREATE TABLE story_members(
    doc_id TEXT PRIMARY KEY,
    story_id TEXT NOT NULL,
    source TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    signature {blob}
);
CREATE INDEX story_members_story ON story_members(story_id);
CREATE TABLE stories(
    story_id TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL,
    size BIGINT NOT NULL,
    sources TEXT NOT NULL,
    lead_doc_id TEXT NOT NULL
);
CREATE TABLE listing_counts(
    entity_id TEXT NOT NULL,
    day TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (entity_id, day)
);
"""

# SQLite keeps a table keyed by its primary key alone in that one B-tree (PostgreSQL has no such choice)
_SQLITE_WITHOUT_ROWID = " WITHOUT ROWID"
_INDEXED = (" ON events", " ON links", " ON story_members")
# tables of earlier link schemas, gone once :func:`sqlite_links_migration` / :func:`postgres_links_migration` ran
_RETIRED_LINK_TABLES = ("link_keys", "link_index", "link_ids", "link_terms")
_OLD_ENTITY_SEP = "\x1f"  # between a link's entities in an earlier SQLite schema's ``entities`` column


def sqlite_migration(db: Any) -> None:
    """Event, link and story tables for :mod:`storage.sqlite_store` (an apsw connection)."""
    db.execute(_SQL_TABLES.format(serial_pk="INTEGER PRIMARY KEY", blob="BLOB", without_rowid=_SQLITE_WITHOUT_ROWID))


def postgres_migration(cur: Any, s: str) -> None:
    """Event, link and story tables for :mod:`storage.postgres_store` in schema ``s``."""
    cur.execute(_in_schema(_SQL_TABLES.format(serial_pk="bigserial PRIMARY KEY", blob="bytea", without_rowid=""), s))


def retired_migration(*_: Any) -> None:
    """A schema version that once changed the link tables; :func:`sqlite_links_migration` (or its
    PostgreSQL twin) now brings every earlier link schema to the current one, so this does nothing."""


def sqlite_event_arrival_migration(db: Any) -> None:
    """``events.eseq`` never reused (SQLite): a plain INTEGER PRIMARY KEY hands a deleted highest number
    out again, so the events of the newest document, analysed again, came back under numbers the
    correlator's cursor had passed and were never paired. AUTOINCREMENT keeps arrival numbers rising."""
    db.execute(f"CREATE TABLE events_v7(eseq INTEGER PRIMARY KEY AUTOINCREMENT,{_SQL_EVENTS_COLUMNS});"
               "INSERT INTO events_v7 SELECT * FROM events ORDER BY eseq;"
               "DROP TABLE events;"
               "ALTER TABLE events_v7 RENAME TO events;"
               "CREATE INDEX events_doc ON events(doc_id);"
               "CREATE INDEX events_type_date ON events(type, date_start);")
    # numbers the correlator may already have passed are not handed out again either
    high = "max((SELECT coalesce(max(eseq), 0) FROM events), (SELECT coalesce(max(value), 0) FROM cursors))"
    db.execute(f"UPDATE sqlite_sequence SET seq = {high} WHERE name = 'events';"
               f"INSERT INTO sqlite_sequence(name, seq) SELECT 'events', {high} "
               "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'events')")


def sqlite_links_migration(db: Any) -> None:
    """Links of any earlier schema (SQLite) rewritten into the current ``links`` and ``link_entities``."""
    tables = {str(r[0]) for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    columns = {str(r[1]) for r in db.execute("PRAGMA table_info(links)")}

    def rows(table: str, order: str = "") -> list[dict[str, Any]]:
        names = [str(r[1]) for r in db.execute(f"PRAGMA table_info({table})")]
        return [dict(zip(names, r, strict=True)) for r in db.execute(f"SELECT * FROM {table} {order}")]

    if "lid" not in columns:  # the link id column of every earlier schema
        return  # a store made with the current schema
    links = _links_of_old_rows(rows("links", "ORDER BY created_at, lseq"),
                               rows("link_index") if "link_index" in tables else [],
                               rows("link_keys") if "link_keys" in tables else [])
    for t in ("links", *_RETIRED_LINK_TABLES):
        db.execute(f"DROP TABLE IF EXISTS {t}")
    db.execute(_SQL_LINKS.format(serial_pk="INTEGER PRIMARY KEY", without_rowid=_SQLITE_WITHOUT_ROWID))
    link_rows, entity_rows = _link_rows(links)
    db.executemany(f"INSERT INTO links({_LINK_COLUMNS}) VALUES ({', '.join('?' * _LINK_WIDTH)})",
                   link_rows)
    db.executemany("INSERT INTO link_entities(entity, link_id) VALUES (?, ?)", entity_rows)


def postgres_links_migration(cur: Any, s: str) -> None:
    """Links of any earlier schema (PostgreSQL schema ``s``) rewritten into the current tables."""
    bare = s.strip('"')
    tables = {str(r[0]) for r in cur.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (bare,)).fetchall()}
    columns = {str(r[0]) for r in cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = 'links'",
        (bare,)).fetchall()}

    def rows(sql: str) -> list[dict[str, Any]]:
        cur.execute(sql)
        names = [d.name for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    if "lid" not in columns:
        return
    links = _links_of_old_rows(rows(f"SELECT * FROM {s}.links ORDER BY created_at, lseq"),
                               rows(f"SELECT * FROM {s}.link_index") if "link_index" in tables else [],
                               rows(f"SELECT * FROM {s}.link_keys") if "link_keys" in tables else [])
    for t in ("links", *_RETIRED_LINK_TABLES):
        cur.execute(f"DROP TABLE IF EXISTS {s}.{t}")
    cur.execute(_in_schema(_SQL_LINKS.format(serial_pk="bigserial PRIMARY KEY", without_rowid=""), s))
    link_rows, entity_rows = _link_rows(links)
    cur.executemany(f"INSERT INTO {s}.links({_LINK_COLUMNS}) VALUES "
                    f"({', '.join(['%s'] * _LINK_WIDTH)})", link_rows)
    cur.executemany(f"INSERT INTO {s}.link_entities(entity, link_id) VALUES (%s, %s)", entity_rows)


def _links_of_old_rows(old: list[dict[str, Any]], index_rows: list[dict[str, Any]],
                       key_rows: list[dict[str, Any]]) -> list[tuple[Link, list[dict[str, Any] | None]]]:
    """Each link of an earlier schema with the event details it kept (url, date, evidence; the first
    schema stored them inside the link). A link kept as columns (``data`` NULL) is read from them; one
    kept as JSON whose events cannot be read takes its documents from that schema's search tables."""
    docs_of: dict[str, list[tuple[str, str]]] = {}
    for r in index_rows:
        docs_of[str(r["lid"])] = [(str(r["doc_a"]), str(r["type_a"])), (str(r["doc_b"]), str(r["type_b"]))]
    for r in key_rows:
        key = str(r["key"])
        if key.startswith("id:"):
            docs_of.setdefault(key[3:], []).append((str(r["doc_id"]), ""))
    out: list[tuple[Link, list[dict[str, Any] | None]]] = []
    for r in old:
        old_id = str(r["lid"])
        if r.get("data") is None:  # the columns of the third schema
            ends = [LinkEnd(str(r["key_a"]), str(r["type_a"]), str(r["doc_a"])),
                    LinkEnd(str(r["key_b"]), str(r["type_b"]), str(r["doc_b"]))]
            entities = str(r["entities"]).split(_OLD_ENTITY_SEP) if r["entities"] else []
            link = Link(id=old_id, rule=str(r["rule"]), events=(ends[0], ends[1]), score=float(r["score"]),
                        gap_days=r["gap_days"], entities=entities, explanation=str(r["explanation"] or ""),
                        created_at=str(r["created_at"]))
            out.append((link, [None, None]))
            continue
        data = json.loads(str(r["data"]))
        events = data.get("events")
        if not (isinstance(events, list) and len(events) == 2 and all(isinstance(e, dict) for e in events)):
            found = (docs_of.get(old_id) or [])[:2]
            found += [("", "")] * (2 - len(found))
            events = [{"id": "", "type": t, "doc_id": d} for d, t in found]
        data.update(id=old_id, rule=r["rule"], score=r["score"], created_at=r["created_at"],
                    events=[{"id": str(e.get("id") or ""), "type": e.get("type"), "doc_id": str(e.get("doc_id") or "")}
                            for e in events])
        details = [{k: e[k] for k in ("url", "date", "evidence") if e.get(k) is not None} or None for e in events]
        out.append((Link.from_dict(data), details))
    return out


def _in_schema(sql: str, s: str) -> str:
    sql = sql.replace("CREATE TABLE ", f"CREATE TABLE {s}.")
    for on in _INDEXED:
        sql = sql.replace(on + "(", f" ON {s}.{on[4:]}(")
    return sql


def link_id(rule: str, keys: Iterable[str]) -> str:
    """Stable id of a link: the same pair under the same rule is one link, however often it is found."""
    return hashlib.sha1("|".join([rule, *sorted(keys)]).encode("utf-8")).hexdigest()[:16]


def event_key(doc_id: str, local_id: str) -> str:
    """The store-wide key of an event: its document and its id within that document's analysis."""
    return f"{doc_id}:{local_id}"


@dataclass(slots=True)
class StoredEvent:
    """One stored event: its arrival number, key (:func:`event_key`), document, and the event itself."""

    eseq: int
    key: str
    doc_id: str
    url: str | None
    event: Event
    source: str | None = None
    kind: str | None = None
    published_at: str | None = None

    @property
    def type(self) -> str:
        return self.event.type


_EVENT_COLUMNS = "eseq, ekey, doc_id, url, data, source, kind, published_at"


def _stored_event(r: Sequence[Any]) -> StoredEvent:
    return StoredEvent(int(r[0]), str(r[1]), str(r[2]), r[3], Event.from_dict(orjson.loads(r[4])), r[5], r[6], r[7])


_LINK_COLUMNS = ("id, created_at, type, rule, score, gap_days, entities, explanation, event_a, type_a, doc_a, "
                 "event_b, type_b, doc_b, extra")
_LINK_WIDTH = _LINK_COLUMNS.count(",") + 1


def _link_rows(links: Iterable[tuple[Link, list[dict[str, Any] | None]]]
               ) -> tuple[list[tuple[Any, ...]], list[tuple[str, str]]]:
    """The ``links`` rows (in :data:`_LINK_COLUMNS` order) and ``link_entities`` rows of ``links``, each
    given with the event details to keep beside it (only links of an earlier schema have them)."""
    rows, entity_rows = [], []
    for link, details in links:
        a, b = link.events
        extra: dict[str, Any] = {}
        if link.extra:
            extra["fields"] = link.extra
        if any(details):
            extra["ends"] = details
        rows.append((link.id, link.created_at, link.type, link.rule, link.score, link.gap_days,
                     orjson.dumps(link.entities).decode(), link.explanation, a.id, a.type, a.doc_id, b.id, b.type,
                     b.doc_id, orjson.dumps(extra).decode() if extra else None))
        entity_rows += [(e, link.id) for e in dict.fromkeys(link.entities)]
    return rows, entity_rows


def _row_link(r: Sequence[Any]) -> tuple[Link, list[dict[str, Any] | None]]:
    extra = orjson.loads(r[14]) if r[14] else {}
    link = Link(id=str(r[0]), created_at=str(r[1]), type=str(r[2]), rule=str(r[3]), score=float(r[4]),
                gap_days=None if r[5] is None else float(r[5]), entities=orjson.loads(r[6]), explanation=str(r[7]),
                events=(LinkEnd(str(r[8]), str(r[9]), str(r[10])), LinkEnd(str(r[11]), str(r[12]), str(r[13]))),
                extra=extra.get("fields") or {})
    return link, extra.get("ends") or [None, None]


def link_docs_subquery(keys: list[str], ph: str, prefix: str = "") -> tuple[str, list[str]]:
    """SQL selecting the documents that are evidence of links named by any of ``keys`` (link id, rule,
    entity id, event type, or ``any``); ``prefix`` is the tables' schema prefix (``"ns."`` on PostgreSQL)."""
    if "any" in keys:
        return f"SELECT doc_a FROM {prefix}links UNION SELECT doc_b FROM {prefix}links", []
    marks = ", ".join([ph] * len(keys))
    match = (f"id IN ({marks}) OR rule IN ({marks}) OR type_a IN ({marks}) OR type_b IN ({marks}) "
             f"OR id IN (SELECT link_id FROM {prefix}link_entities WHERE entity IN ({marks}))")
    return (f"SELECT doc_a FROM {prefix}links WHERE {match} UNION SELECT doc_b FROM {prefix}links WHERE {match}",
            keys * 10)


class _EventStoreBase:
    """SQL shared by both backends; subclasses say how to run it (placeholders, transactions)."""

    _placeholder = "?"

    def _event_table(self, name: str) -> str:
        return name

    def _event_tx(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def _execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def _event_rows(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]:
        return cast(list[Sequence[Any]], self._execute(sql.replace("?", self._placeholder), params).fetchall())

    def _event_sql(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._execute(sql.replace("?", self._placeholder), params)

    def _event_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self._execute_many(sql.replace("?", self._placeholder), rows)

    # -- events

    def put_events(self, doc_id: str, events: Sequence[Event], url: str | None = None,
                   source: str | None = None, kind: str | None = None, published_at: str | None = None) -> int:
        """Replace the stored events of ``doc_id`` with ``events``; returns how many."""
        t = self._event_table("events")
        now = utc_now_iso()
        rows = [(event_key(doc_id, ev.id), doc_id, ev.type, ev.date.start, ev.date.end or ev.date.start,
                 ev.confidence, url, source, kind, published_at, orjson.dumps(ev.to_dict()).decode(), now)
                for ev in events]
        with self._event_tx():
            self._event_sql(f"DELETE FROM {t} WHERE doc_id = ?", (doc_id,))
            self._event_many(f"INSERT INTO {t}(ekey, doc_id, type, date_start, date_end, confidence, url, source, "
                             "kind, published_at, data, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def events_after(self, eseq: int, limit: int = 5000) -> list[StoredEvent]:
        """Events stored after arrival number ``eseq``, oldest first (at most ``limit``)."""
        return [_stored_event(r) for r in self._event_rows(
            f"SELECT {_EVENT_COLUMNS} FROM {self._event_table('events')} WHERE eseq > ? ORDER BY eseq LIMIT ?",
            (eseq, limit))]

    def events_starting(self, first_day: str, last_day: str, max_eseq: int) -> list[StoredEvent]:
        """Events stored up to arrival ``max_eseq`` whose date starts within ``first_day``..``last_day``
        (ISO dates, inclusive), in arrival order: the part of the past a correlator needs."""
        return [_stored_event(r) for r in self._event_rows(
            f"SELECT {_EVENT_COLUMNS} FROM {self._event_table('events')} WHERE eseq <= ? AND date_start >= ? "
            "AND substr(date_start, 1, 10) <= ? ORDER BY eseq", (max_eseq, first_day, last_day))]

    def events_of(self, doc_id: str) -> list[StoredEvent]:
        return [_stored_event(r) for r in self._event_rows(
            f"SELECT {_EVENT_COLUMNS} FROM {self._event_table('events')} WHERE doc_id = ? ORDER BY eseq", (doc_id,))]

    def events_by_key(self, keys: list[str]) -> dict[str, StoredEvent]:
        out: dict[str, StoredEvent] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            for r in self._event_rows(f"SELECT {_EVENT_COLUMNS} FROM {self._event_table('events')} "
                                      f"WHERE ekey IN ({', '.join('?' * len(chunk))})", chunk):
                ev = _stored_event(r)
                out[ev.key] = ev
        return out

    def iter_events(self, batch: int = 5000) -> Iterator[StoredEvent]:
        """Every stored event, oldest first, in pages."""
        after = 0
        while rows := self.events_after(after, batch):
            yield from rows
            after = rows[-1].eseq

    def count_events(self) -> int:
        rows = self._event_rows(f"SELECT count(*) FROM {self._event_table('events')}")
        return int(rows[0][0]) if rows else 0

    # -- cursors

    def get_cursor(self, name: str) -> int:
        rows = self._event_rows(f"SELECT value FROM {self._event_table('cursors')} WHERE name = ?", (name,))
        return int(rows[0][0]) if rows else 0

    def set_cursor(self, name: str, value: int) -> None:
        with self._event_tx():
            self._write_cursor(name, value)

    def _write_cursor(self, name: str, value: int) -> None:
        self._event_sql(f"INSERT INTO {self._event_table('cursors')}(name, value) VALUES (?, ?) ON CONFLICT (name) "
                        "DO UPDATE SET value = excluded.value", (name, int(value)))

    def cursors(self) -> dict[str, int]:
        """Every named cursor (the correlator's: the last event arrival it has read)."""
        return {str(n): int(v) for n, v in self._event_rows(f"SELECT name, value FROM {self._event_table('cursors')}")}

    # -- links

    def add_links(self, links: Sequence[Link], cursor: tuple[str, int] | None = None) -> list[Link]:
        """Store the links not stored before (of two with one id, the first) and, in the same transaction,
        move ``cursor`` (name, value): a run killed later keeps both or neither. Returns the new links,
        their ``created_at`` set (on the given objects)."""
        first: dict[str, Link] = {}
        for link in links:
            first.setdefault(link.id, link)
        with self._event_tx():
            known = self._stored_link_ids(list(first))
            new = [link for link in first.values() if link.id not in known]
            now = utc_now_iso()
            for link in new:
                link.created_at = now
            rows, entity_rows = _link_rows((link, [None, None]) for link in new)
            self._event_many(f"INSERT INTO {self._event_table('links')}({_LINK_COLUMNS}) "
                             f"VALUES ({', '.join('?' * _LINK_WIDTH)})", rows)
            # in key order: each index page is visited once, not once per link spread over the whole index
            self._event_many(f"INSERT INTO {self._event_table('link_entities')}(entity, link_id) VALUES (?, ?)",
                             sorted(entity_rows))
            if cursor is not None:
                self._write_cursor(*cursor)
        return new

    def _stored_link_ids(self, ids: list[str]) -> set[str]:
        known: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            known.update(str(r[0]) for r in self._event_rows(
                f"SELECT id FROM {self._event_table('links')} WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
        return known

    def links(self, since: str | None = None, limit: int | None = None) -> list[Link]:
        """Stored links, oldest first, each event with the url, date and evidence of the stored event;
        ``since`` (ISO date or time) compares with ``created_at``."""
        sql = f"SELECT {_LINK_COLUMNS} FROM {self._event_table('links')}"
        params: tuple[Any, ...] = ()
        if since:
            sql += " WHERE created_at >= ?"
            params = (since,)
        sql += " ORDER BY created_at, seq"
        if limit:
            sql += f" LIMIT {int(limit)}"
        read = [_row_link(r) for r in self._event_rows(sql, params)]
        found = self.events_by_key(sorted({end.id for link, _ in read for end in link.events}))
        for link, details in read:
            for end, kept in zip(link.events, details, strict=True):
                _fill_end(end, found.get(end.id), kept)
        return [link for link, _ in read]

    def docs_for_link_key(self, key: str) -> set[str]:
        """Documents that are evidence of a link named by ``key`` (link id, rule, entity id, event type or ``any``)."""
        sql, params = link_docs_subquery([key], self._placeholder, self._event_table(""))
        return {str(r[0]) for r in self._event_rows(sql, params)}

    # -- stories

    def story_signatures(self) -> Iterator[tuple[str, str, bytes | None]]:
        """(doc_id, story_id, MinHash signature bytes) of every story member, for rebuilding the index."""
        for r in self._event_rows(f"SELECT doc_id, story_id, signature FROM {self._event_table('story_members')}"):
            yield str(r[0]), str(r[1]), bytes(r[2]) if r[2] is not None else None

    def iter_story_members(self, batch: int = 5000) -> Iterator[dict[str, Any]]:
        """Every story member with all it holds (doc_id, story_id, source, seen_at, signature), by doc_id."""
        after = ""
        t = self._event_table("story_members")
        collate = ' COLLATE "C"' if self._placeholder == "%s" else ""
        while rows := self._event_rows(f"SELECT doc_id, story_id, source, seen_at, signature FROM {t} "
                                       f"WHERE doc_id{collate} > ? ORDER BY doc_id{collate} LIMIT {int(batch)}",
                                       (after,)):
            for r in rows:
                yield {"doc_id": str(r[0]), "story_id": str(r[1]), "source": str(r[2]), "seen_at": str(r[3]),
                       "signature": bytes(r[4]) if r[4] is not None else None}
            after = str(rows[-1][0])

    def story_of(self, doc_id: str) -> str | None:
        rows = self._event_rows(f"SELECT story_id FROM {self._event_table('story_members')} WHERE doc_id = ?",
                                (doc_id,))
        return str(rows[0][0]) if rows else None

    def story_members(self, story_id: str, limit: int = 200) -> list[str]:
        """Ids of the documents of ``story_id``, first seen first (at most ``limit``)."""
        rows = self._event_rows(f"SELECT doc_id FROM {self._event_table('story_members')} WHERE story_id = ? "
                                f"ORDER BY seen_at, doc_id LIMIT {int(limit)}", (story_id,))
        return [str(r[0]) for r in rows]

    def put_story_member(self, doc_id: str, story_id: str, source: str, seen_at: str,
                         signature: bytes | None) -> dict[str, Any]:
        """Record ``doc_id`` in ``story_id`` (moving it if it was elsewhere); returns the story's summary."""
        mt, st = self._event_table("story_members"), self._event_table("stories")
        with self._event_tx():
            old = self._event_rows(f"SELECT story_id FROM {mt} WHERE doc_id = ?", (doc_id,))
            self._event_sql(f"DELETE FROM {mt} WHERE doc_id = ?", (doc_id,))
            self._event_sql(f"INSERT INTO {mt}(doc_id, story_id, source, seen_at, signature) VALUES (?, ?, ?, ?, ?)",
                          (doc_id, story_id, source, seen_at, signature))
            for sid in {story_id, *(str(r[0]) for r in old)}:
                self._refresh_story(sid, mt, st)
        return self.story(story_id) or {}

    def _refresh_story(self, sid: str, mt: str, st: str) -> None:
        rows = self._event_rows(f"SELECT doc_id, source, seen_at FROM {mt} WHERE story_id = ? ORDER BY seen_at, doc_id",
                                (sid,))
        self._event_sql(f"DELETE FROM {st} WHERE story_id = ?", (sid,))
        if rows:
            sources = sorted({str(r[1]) for r in rows})
            self._event_sql(f"INSERT INTO {st}(story_id, first_seen, size, sources, lead_doc_id) "
                            "VALUES (?, ?, ?, ?, ?)",
                            (sid, str(rows[0][2]), len(rows), json.dumps(sources), str(rows[0][0])))

    def story(self, story_id: str) -> dict[str, Any] | None:
        rows = self._event_rows("SELECT story_id, first_seen, size, sources, lead_doc_id "
                                f"FROM {self._event_table('stories')} WHERE story_id = ?", (story_id,))
        if not rows:
            return None
        r = rows[0]
        return {"story_id": r[0], "first_seen": r[1], "size": int(r[2]), "sources": json.loads(str(r[3])),
                "lead_doc_id": r[4]}

    def stories(self, min_size: int = 1) -> list[dict[str, Any]]:
        rows = self._event_rows(f"SELECT story_id FROM {self._event_table('stories')} WHERE size >= ? "
                             "ORDER BY size DESC, first_seen", (min_size,))
        return [s for s in (self.story(str(r[0])) for r in rows) if s]

    # -- listings per watched entity per day

    def count_listing(self, entity_id: str, day: str, n: int = 1) -> None:
        with self._event_tx():
            self._event_sql(f"INSERT INTO {self._event_table('listing_counts')}(entity_id, day, n) VALUES (?, ?, ?) "
                          "ON CONFLICT (entity_id, day) DO UPDATE SET n = listing_counts.n + excluded.n",
                          (entity_id, day, n))

    def all_listing_counts(self) -> list[tuple[str, str, int]]:
        """Every (entity_id, day, n) listing count, sorted."""
        rows = self._event_rows(f"SELECT entity_id, day, n FROM {self._event_table('listing_counts')}")
        return sorted((str(e), str(d), int(n)) for e, d, n in rows)

    def set_listing_count(self, entity_id: str, day: str, n: int) -> None:
        """Set the listing count of ``entity_id`` on ``day`` to ``n`` (a copy, not an addition)."""
        with self._event_tx():
            self._event_sql(f"INSERT INTO {self._event_table('listing_counts')}(entity_id, day, n) VALUES (?, ?, ?) "
                            "ON CONFLICT (entity_id, day) DO UPDATE SET n = excluded.n", (entity_id, day, int(n)))

    def listing_counts(self, entity_id: str, start: str, end: str) -> dict[str, int]:
        rows = self._event_rows(f"SELECT day, n FROM {self._event_table('listing_counts')} "
                                "WHERE entity_id = ? AND day >= ? AND day <= ?", (entity_id, start, end))
        return {str(d): int(n) for d, n in rows}


def _fill_end(end: LinkEnd, stored: StoredEvent | None, kept: dict[str, Any] | None) -> None:
    """Give a link's event the url, date and evidence of the stored event. One analysed again since, and
    gone or now of another type, keeps what an early schema kept inside the link, else ``null``: the
    link still names its document."""
    if stored is not None and stored.type == end.type:
        end.url, end.date, end.evidence = stored.url, stored.event.date, stored.event.evidence
    elif kept:
        date, evidence = kept.get("date"), kept.get("evidence")
        end.url = kept.get("url")
        end.date = EventDate.from_dict(date) if isinstance(date, dict) else None
        end.evidence = Span.from_dict(evidence) if isinstance(evidence, dict) and "text" in evidence else None


class SQLiteEventStore(_EventStoreBase):
    """The events part of :class:`storage.sqlite_store.SQLiteStore`, on the store's apsw connection."""

    def __init__(self, db: Any) -> None:
        self._db = db

    def _event_tx(self) -> AbstractContextManager[Any]:
        return sqlite_transaction(self._db)

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._db.execute(sql, params)

    def _execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self._db.executemany(sql, rows)


class PostgresEventStore(_EventStoreBase):
    """The events part of :class:`storage.postgres_store.PostgresStore`, on its connection and schema."""

    _placeholder = "%s"

    def __init__(self, conn: Any, schema_sql: str) -> None:
        self._conn = conn
        self._s = schema_sql

    def _event_table(self, name: str) -> str:
        return f"{self._s}.{name}"

    def _event_tx(self) -> AbstractContextManager[Any]:
        return self._conn.transaction()

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._conn.execute(sql, params)

    def _execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        with self._conn.cursor() as cur:
            cur.executemany(sql, rows)
