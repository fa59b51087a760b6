"""Events, links and stories kept in the store, for the correlator and the story stage.

Documents carry their events inside their annotations; the correlator needs them across documents,
ordered by arrival and findable by type and date, so each stored event is also one row here.

Tables (one migration, appended to both backends' ``MIGRATIONS``):

- ``events``: one row per event of a stored document (or of a stream, e.g. a listing surge);
  ``eseq`` orders arrival, so the correlator reads only what is new since its cursor;
- ``links``: co-timed pairs found by the correlator, in the ``newswatch links --json`` shape except
  that each event is kept as its id, type and document (``links()`` reads the rest back from ``events``);
- ``link_index`` (second migration): one narrow row per link with what a ``link:`` search filter can name
  (link id, rule, the two event types, the two entities) and the two evidence documents, indexed by
  entity; writing a link costs this one row and its two index entries, where the (key, document) rows
  of ``link_keys`` cost about eight;
- ``link_terms`` and ``link_ids`` (third migration, SQLite only): ``links`` becomes keyed by arrival
  (``lseq``) with its two evidence documents as columns; a contentless FTS5 index names each link
  (link id, rule, event types, every entity) by that key, and ``link_ids`` holds each link id as a
  64-bit integer for the "stored before?" check. A new link costs an appended row, a few terms in
  FTS5's segments and one small integer key, instead of random inserts into three text B-trees
  (``link_index``'s key and its two entity indexes) and the text key of ``links``, which dominated
  storing ten thousand links. ``link_index`` rows of older links are still read. A link's row, key
  and terms are encoded in :mod:`storage.link_rows`; the correlator's larger runs store them from a
  writer thread while they pair (:meth:`SQLiteEventStore.link_sink`, :mod:`storage.link_writer`);
- ``link_keys``: (key, document) rows written by the first schema (still read, so older links stay
  findable) and now only for a link's entities beyond the first two;
- ``cursors``: named positions (the correlator's last processed ``eseq``);
- ``story_members`` / ``stories``: which story each document belongs to, its MinHash signature,
  and per story the first-seen time, size and sources;
- ``listing_counts``: new listings per watched entity per day (the listing-surge detector).

The mixins give both backends the same methods, in the way :mod:`storage.crawl_state` does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol, cast

import orjson

from storage.link_rows import SEP, lid_number, stored_links, terms_query
from storage.link_rows import dumps as _dumps
from storage.link_rows import link_id as link_id  # where the correlator and tests have always found it
from storage.link_writer import BufferedLinkSink, LinkSink, SQLiteLinkWriter, stage_links
from storage.models import utc_now_iso
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

_SQL_TABLES = "CREATE TABLE events(\n    eseq {serial_pk}," + _SQL_EVENTS_COLUMNS + """
);
CREATE INDEX events_doc ON events(doc_id);
CREATE INDEX events_type_date ON events(type, date_start);
CREATE TABLE links(
    lid TEXT PRIMARY KEY,
    lseq {serial},
    created_at TEXT NOT NULL,
    rule TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX links_created ON links(created_at);
CREATE TABLE link_keys(
    key TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    PRIMARY KEY (key, doc_id)
){without_rowid};
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

_SQL_LINK_INDEX = """
CREATE TABLE link_index(
    lid TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    doc_a TEXT NOT NULL,
    doc_b TEXT NOT NULL,
    type_a TEXT NOT NULL,
    type_b TEXT NOT NULL,
    ent_a TEXT,
    ent_b TEXT
){without_rowid};
CREATE INDEX link_index_ent_a ON link_index(ent_a);
CREATE INDEX link_index_ent_b ON link_index(ent_b);
"""

_SQL_LINK_TERMS = """
CREATE TABLE links_v6(
    lseq INTEGER PRIMARY KEY,
    lid TEXT NOT NULL,
    created_at TEXT NOT NULL,
    rule TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    data TEXT,
    doc_a TEXT,
    doc_b TEXT,
    key_a TEXT,
    key_b TEXT,
    type_a TEXT,
    type_b TEXT,
    gap_days DOUBLE PRECISION,
    entities TEXT,
    explanation TEXT
);
INSERT INTO links_v6(lid, created_at, rule, score, data) SELECT lid, created_at, rule, score, data FROM links
    ORDER BY rowid;
DROP TABLE links;
ALTER TABLE links_v6 RENAME TO links;
CREATE INDEX links_created ON links(created_at);
CREATE TABLE link_ids(h INTEGER PRIMARY KEY);
CREATE VIRTUAL TABLE link_terms USING fts5(terms, content='', detail=none);
"""

_INDEXED = (" ON events", " ON links", " ON story_members", " ON link_index")


def sqlite_migration(db: Any) -> None:
    """Event, link and story tables for :mod:`storage.sqlite_store` (an apsw connection)."""
    db.execute(_SQL_TABLES.format(serial_pk="INTEGER PRIMARY KEY", serial="INTEGER NOT NULL DEFAULT 0",
                                  blob="BLOB",
                                  without_rowid=" WITHOUT ROWID"))


def postgres_migration(cur: Any, s: str) -> None:
    """Event, link and story tables for :mod:`storage.postgres_store` in schema ``s``."""
    sql = _SQL_TABLES.format(serial_pk="bigserial PRIMARY KEY", serial="bigserial", blob="bytea", without_rowid="")
    cur.execute(_in_schema(sql, s))


def sqlite_link_index_migration(db: Any) -> None:
    """The narrow ``link_index`` table (one row per link) for :mod:`storage.sqlite_store`."""
    db.execute(_SQL_LINK_INDEX.format(without_rowid=" WITHOUT ROWID"))


def postgres_link_index_migration(cur: Any, s: str) -> None:
    """The narrow ``link_index`` table (one row per link) in PostgreSQL schema ``s``."""
    cur.execute(_in_schema(_SQL_LINK_INDEX.format(without_rowid=""), s))


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


def sqlite_link_terms_migration(db: Any) -> None:
    """``links`` keyed by arrival with its evidence documents, ``link_ids`` and the ``link_terms`` FTS5
    index (:mod:`storage.sqlite_store`); the ids of links already stored move to ``link_ids``."""
    db.execute(_SQL_LINK_TERMS)
    db.executemany("INSERT OR IGNORE INTO link_ids(h) VALUES (?)",
                   [(lid_number(str(r[0])),) for r in db.execute("SELECT lid FROM links").fetchall()])


def _in_schema(sql: str, s: str) -> str:
    sql = sql.replace("CREATE TABLE ", f"CREATE TABLE {s}.")
    for on in _INDEXED:
        sql = sql.replace(on + "(", f" ON {s}.{on[4:]}(")
    return sql


@dataclass(slots=True)
class StoredEvent:
    """One stored event: its arrival number, global key (``doc_id:event id``), document and contract dict."""

    eseq: int
    key: str
    doc_id: str
    type: str
    url: str | None
    data: dict[str, Any]
    source: str | None = None
    kind: str | None = None
    published_at: str | None = None


def link_docs_subquery(keys: list[str], ph: str, prefix: str = "", link_terms: bool = False
                       ) -> tuple[str, list[str]]:
    """SQL selecting the documents that are evidence of links named by any of ``keys`` (link id, rule,
    entity id, event type, or ``any``): over ``link_terms`` (SQLite, ``link_terms=True``), then over
    ``link_index`` and the first schema's ``link_keys``, where older links are.

    ``prefix`` is the tables' schema prefix (``"ns."`` on PostgreSQL, ``""`` on SQLite).
    """
    marks = ", ".join([ph] * len(keys))
    parts: list[str] = []
    params: list[str] = []
    if link_terms:
        if "any" in keys:
            parts += [f"SELECT doc_a FROM {prefix}links WHERE doc_a IS NOT NULL",
                      f"SELECT doc_b FROM {prefix}links WHERE doc_b IS NOT NULL"]
        else:
            for col in ("doc_a", "doc_b"):
                parts.append(f"SELECT {col} FROM {prefix}links WHERE lseq IN "
                             f"(SELECT rowid FROM {prefix}link_terms WHERE link_terms MATCH {ph})")
                params.append(terms_query(keys))
    if "any" in keys:
        match = "1 = 1"
        match_params: list[str] = []
    else:
        match = " OR ".join(f"{col} IN ({marks})" for col in ("lid", "rule", "type_a", "type_b", "ent_a", "ent_b"))
        match_params = keys * 6
    old_keys = [*keys, *(f"id:{k}" for k in keys)]
    parts += [f"SELECT doc_a FROM {prefix}link_index WHERE {match}",
              f"SELECT doc_b FROM {prefix}link_index WHERE {match}",
              f"SELECT doc_id FROM {prefix}link_keys WHERE key IN ({', '.join([ph] * len(old_keys))})"]
    params += [*match_params, *match_params, *old_keys]
    return " UNION ".join(parts), params


def event_key(doc_id: str, local_id: str) -> str:
    return f"{doc_id}:{local_id}"


_EV_COLS = "eseq, ekey, doc_id, type, url, data, source, kind, published_at"


def _row_event(r: tuple[Any, ...]) -> StoredEvent:
    return StoredEvent(int(r[0]), str(r[1]), str(r[2]), str(r[3]), r[4], orjson.loads(r[5]), r[6], r[7], r[8])


class _EventStoreBase:
    """SQL shared by both backends; subclasses say how to run it (placeholders, transactions)."""

    _ev_ph = "?"
    _link_terms = False  # links are named in the ``link_terms`` FTS5 index (SQLite)

    def _ev_t(self, name: str) -> str:
        return name

    def _ev_tx(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _ev_run(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        raise NotImplementedError

    def _ev_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def _ev_rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self._ev_run(sql.replace("?", self._ev_ph), params).fetchall()]

    def _ev_exec(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        self._ev_run(sql.replace("?", self._ev_ph), params)

    # -- events

    def put_events(self, doc_id: str, events: list[dict[str, Any]], url: str | None = None,
                   source: str | None = None, kind: str | None = None, published_at: str | None = None) -> int:
        """Replace the stored events of ``doc_id`` with ``events`` (contract dicts); returns how many."""
        t = self._ev_t("events")
        now = utc_now_iso()
        rows = []
        for ev in events:
            d = ev.get("date") or {}
            rows.append((event_key(doc_id, str(ev["id"])), doc_id, str(ev["type"]), d.get("start"),
                         d.get("end") or d.get("start"), float(ev.get("confidence") or 0.0), url, source, kind,
                         published_at, _dumps(ev), now))
        with self._ev_tx():
            self._ev_exec(f"DELETE FROM {t} WHERE doc_id = ?", (doc_id,))
            if rows:
                self._ev_many(
                    f"INSERT INTO {t}(ekey, doc_id, type, date_start, date_end, confidence, url, source, kind, "
                    "published_at, data, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)".replace(
                        "?", self._ev_ph), rows)
        return len(rows)

    def events_after(self, eseq: int, limit: int = 5000) -> list[StoredEvent]:
        """Events stored after arrival number ``eseq``, oldest first (at most ``limit``)."""
        return [_row_event(r) for r in self._ev_rows(
            f"SELECT {_EV_COLS} FROM {self._ev_t('events')} WHERE eseq > ? ORDER BY eseq LIMIT ?", (eseq, limit))]

    def events_starting(self, first_day: str, last_day: str, max_eseq: int) -> list[StoredEvent]:
        """Events stored up to arrival ``max_eseq`` whose date starts within ``first_day``..``last_day``
        (ISO dates, inclusive), in arrival order: the part of the past a correlator needs."""
        return [_row_event(r) for r in self._ev_rows(
            f"SELECT {_EV_COLS} FROM {self._ev_t('events')} WHERE eseq <= ? AND date_start >= ? "
            "AND substr(date_start, 1, 10) <= ? ORDER BY eseq", (max_eseq, first_day, last_day))]

    def events_of(self, doc_id: str) -> list[StoredEvent]:
        return [_row_event(r) for r in self._ev_rows(
            f"SELECT {_EV_COLS} FROM {self._ev_t('events')} WHERE doc_id = ? ORDER BY eseq", (doc_id,))]

    def events_by_key(self, keys: list[str]) -> dict[str, StoredEvent]:
        out: dict[str, StoredEvent] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            marks = ", ".join("?" * len(chunk))
            for r in self._ev_rows(f"SELECT {_EV_COLS} FROM {self._ev_t('events')} WHERE ekey IN ({marks})",
                                   tuple(chunk)):
                ev = _row_event(r)
                out[ev.key] = ev
        return out

    def iter_events(self, batch: int = 5000) -> Iterator[StoredEvent]:
        """Every stored event, oldest first, in pages."""
        after = 0
        while rows := self.events_after(after, batch):
            yield from rows
            after = rows[-1].eseq

    def count_events(self) -> int:
        rows = self._ev_rows(f"SELECT count(*) FROM {self._ev_t('events')}")
        return int(rows[0][0]) if rows else 0

    # -- cursors

    def get_cursor(self, name: str) -> int:
        rows = self._ev_rows(f"SELECT value FROM {self._ev_t('cursors')} WHERE name = ?", (name,))
        return int(rows[0][0]) if rows else 0

    def set_cursor(self, name: str, value: int) -> None:
        with self._ev_tx():
            self._ev_exec(f"INSERT INTO {self._ev_t('cursors')}(name, value) VALUES (?, ?) ON CONFLICT (name) "
                          "DO UPDATE SET value = excluded.value", (name, int(value)))

    # -- links

    def add_links(self, links: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Store links (``links --json`` shape, with ``id``); returns those not stored before, with ``created_at``
        set (on the given dicts: the correlator hands over fresh ones, by the ten thousand)."""
        if not links:
            return []
        now = utc_now_iso()
        first: dict[str, dict[str, Any]] = {}
        for link in links:
            first.setdefault(link["id"], link)  # the first found, as if they had been stored one by one
        unique = list(first.values())
        with self._ev_tx():
            known = self._known_links([link["id"] for link in unique])
            new = [link for link in unique if link["id"] not in known]
            for link in new:
                link["created_at"] = now  # the caller's fresh dicts: copying ten thousand costs more
            if new:
                self._write_links(new, now)
        return new

    def link_sink(self, background: bool = True) -> LinkSink:
        """Where the correlator puts links chunk by chunk and ends each batch with its cursor (see
        :mod:`storage.link_writer`); this default stores each batch with one :meth:`add_links` call, then
        the cursor (``background``: a hint that many links may come, which a backend may store from
        another thread meanwhile)."""
        return BufferedLinkSink(self.add_links, self.set_cursor)

    def _known_links(self, ids: list[str]) -> set[str]:
        """Which of ``ids`` are stored already (inside the write transaction)."""
        lt = self._ev_t("links")
        known: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            known.update(str(r[0]) for r in self._ev_rows(
                f"SELECT lid FROM {lt} WHERE lid IN ({', '.join('?' * len(chunk))})", tuple(chunk)))
        return known

    def _write_links(self, new: list[dict[str, Any]], now: str) -> None:
        """Insert links known to be new, with what the ``link:`` filter needs (``link_index``, ``link_keys``)."""
        lt, it, kt = self._ev_t("links"), self._ev_t("link_index"), self._ev_t("link_keys")
        rows = []
        index_rows = []
        extra_keys: set[tuple[str, str]] = set()
        for link, data in zip(new, stored_links(new), strict=True):
            rule = str(link.get("rule") or "")
            rows.append((link["id"], now, rule, float(link["score"]), data))
            ea, eb = link["events"]
            ents = [str(e) for e in link.get("entities", ())]
            index_rows.append((link["id"], rule, str(ea["doc_id"]), str(eb["doc_id"]), str(ea.get("type")),
                               str(eb.get("type")), ents[0] if ents else None, ents[1] if len(ents) > 1 else None))
            extra_keys.update((e, str(ev["doc_id"])) for e in ents[2:] for ev in (ea, eb))
        ph = self._ev_ph
        self._ev_many(f"INSERT INTO {lt}(lid, created_at, rule, score, data) VALUES ({', '.join([ph] * 5)})", rows)
        self._ev_many(f"INSERT INTO {it}(lid, rule, doc_a, doc_b, type_a, type_b, ent_a, ent_b) "
                      f"VALUES ({', '.join([ph] * 8)})", index_rows)
        if extra_keys:
            self._ev_many(f"INSERT INTO {kt}(key, doc_id) VALUES (?, ?) ON CONFLICT DO NOTHING".replace(
                "?", self._ev_ph), sorted(extra_keys))

    _LINK_COLS = "data"

    def links(self, since: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Stored links, oldest first; ``since`` (ISO date or time) compares with ``created_at``."""
        sql = f"SELECT {self._LINK_COLS} FROM {self._ev_t('links')}"
        params: tuple[Any, ...] = ()
        if since:
            sql += " WHERE created_at >= ?"
            params = (since,)
        sql += " ORDER BY created_at, lseq"
        if limit:
            sql += f" LIMIT {int(limit)}"
        links = [self._row_link(r) for r in self._ev_rows(sql, params)]
        self._fill_link_events(links)
        return links

    def _row_link(self, row: tuple[Any, ...]) -> dict[str, Any]:
        return cast(dict[str, Any], orjson.loads(row[0]))

    def _fill_link_events(self, links: list[dict[str, Any]]) -> None:
        """Give each link's events the url, date and evidence of the stored event (links keep only its id,
        type and document). An event whose document was analysed again since, and which is gone or now
        of another type, keeps ``null`` there: the link still names its document."""
        wanted = [e for link in links for e in link.get("events", ()) if isinstance(e, dict) and "evidence" not in e]
        if not wanted:
            return
        found = self.events_by_key(sorted({str(e["id"]) for e in wanted}))
        for e in wanted:
            ev = found.get(str(e["id"]))
            if ev is not None and ev.type == e.get("type"):
                e.update(url=ev.url, date=ev.data.get("date"), evidence=ev.data.get("evidence"))
            else:
                e.update(url=None, date=None, evidence=None)

    def docs_for_link_key(self, key: str) -> set[str]:
        """Documents that are evidence of a link named by ``key`` (link id, rule, entity id, event type or ``any``)."""
        sql, params = link_docs_subquery([key], self._ev_ph, self._ev_t(""), self._link_terms)
        return {str(r[0]) for r in self._ev_run(sql, tuple(params)).fetchall()}

    # -- stories

    def story_signatures(self) -> Iterator[tuple[str, str, bytes | None]]:
        """(doc_id, story_id, MinHash signature bytes) of every story member, for rebuilding the index."""
        for r in self._ev_rows(f"SELECT doc_id, story_id, signature FROM {self._ev_t('story_members')}"):
            yield str(r[0]), str(r[1]), bytes(r[2]) if r[2] is not None else None

    def story_of(self, doc_id: str) -> str | None:
        rows = self._ev_rows(f"SELECT story_id FROM {self._ev_t('story_members')} WHERE doc_id = ?", (doc_id,))
        return str(rows[0][0]) if rows else None

    def put_story_member(self, doc_id: str, story_id: str, source: str, seen_at: str,
                         signature: bytes | None) -> dict[str, Any]:
        """Record ``doc_id`` in ``story_id`` (moving it if it was elsewhere); returns the story's summary."""
        mt, st = self._ev_t("story_members"), self._ev_t("stories")
        with self._ev_tx():
            old = self._ev_rows(f"SELECT story_id FROM {mt} WHERE doc_id = ?", (doc_id,))
            self._ev_exec(f"DELETE FROM {mt} WHERE doc_id = ?", (doc_id,))
            self._ev_exec(f"INSERT INTO {mt}(doc_id, story_id, source, seen_at, signature) VALUES (?, ?, ?, ?, ?)",
                          (doc_id, story_id, source, seen_at, signature))
            for sid in {story_id, *(str(r[0]) for r in old)}:
                self._refresh_story(sid, mt, st)
        return self.story(story_id) or {}

    def _refresh_story(self, sid: str, mt: str, st: str) -> None:
        rows = self._ev_rows(f"SELECT doc_id, source, seen_at FROM {mt} WHERE story_id = ? ORDER BY seen_at, doc_id",
                             (sid,))
        self._ev_exec(f"DELETE FROM {st} WHERE story_id = ?", (sid,))
        if rows:
            sources = sorted({str(r[1]) for r in rows})
            self._ev_exec(f"INSERT INTO {st}(story_id, first_seen, size, sources, lead_doc_id) VALUES (?, ?, ?, ?, ?)",
                          (sid, str(rows[0][2]), len(rows), json.dumps(sources), str(rows[0][0])))

    def story(self, story_id: str) -> dict[str, Any] | None:
        rows = self._ev_rows(f"SELECT story_id, first_seen, size, sources, lead_doc_id FROM {self._ev_t('stories')} "
                             "WHERE story_id = ?", (story_id,))
        if not rows:
            return None
        r = rows[0]
        return {"story_id": r[0], "first_seen": r[1], "size": int(r[2]), "sources": json.loads(str(r[3])),
                "lead_doc_id": r[4]}

    def stories(self, min_size: int = 1) -> list[dict[str, Any]]:
        rows = self._ev_rows(f"SELECT story_id FROM {self._ev_t('stories')} WHERE size >= ? "
                             "ORDER BY size DESC, first_seen", (min_size,))
        return [s for s in (self.story(str(r[0])) for r in rows) if s]

    # -- listings per watched entity per day

    def count_listing(self, entity_id: str, day: str, n: int = 1) -> None:
        with self._ev_tx():
            self._ev_exec(f"INSERT INTO {self._ev_t('listing_counts')}(entity_id, day, n) VALUES (?, ?, ?) "
                          "ON CONFLICT (entity_id, day) DO UPDATE SET n = listing_counts.n + excluded.n",
                          (entity_id, day, n))

    def listing_counts(self, entity_id: str, start: str, end: str) -> dict[str, int]:
        rows = self._ev_rows(f"SELECT day, n FROM {self._ev_t('listing_counts')} WHERE entity_id = ? AND day >= ? "
                             "AND day <= ?", (entity_id, start, end))
        return {str(d): int(n) for d, n in rows}


class SQLiteEventStore(_EventStoreBase):
    """Event/link/story methods of :class:`storage.sqlite_store.SQLiteStore` (apsw connection ``self._db``)."""

    _db: Any
    _link_terms = True
    _link_writer: SQLiteLinkWriter | None = None  # the last one: its thread may still checkpoint the WAL

    def _ev_tx(self) -> AbstractContextManager[Any]:
        return sqlite_transaction(self._db)

    def _ev_run(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self._db.execute(sql, params)

    def _ev_rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._db.execute(sql, params).fetchall()  # apsw's rows are tuples already

    def _ev_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self._db.executemany(sql, rows)

    def _write_links(self, new: list[dict[str, Any]], now: str) -> None:
        """Append the links (rowids after the last, inside the write transaction) as columns, and their
        names to ``link_terms``: appends only, so ten thousand links touch few pages (a link of another
        shape keeps its JSON in ``data``). The writer thread's SQL path (:func:`storage.link_writer.stage_links`)."""
        stage_links(self._db, new, now)

    def link_sink(self, background: bool = True) -> LinkSink:
        """With ``background``, a writer thread with its own connection
        (:class:`storage.link_writer.SQLiteLinkWriter`) for a store in a file, unless the caller is
        inside a transaction on this store's connection."""
        path = str(getattr(self, "path", "") or "")
        in_memory = not path or path == ":memory:" or path.startswith("file::memory:")
        if not background or in_memory or self._db.in_transaction:
            return super().link_sink()
        self.finish_link_writes()  # the last writer's WAL checkpoint, if it is still running
        self._link_writer = SQLiteLinkWriter(self._connect_again, utc_now_iso())
        return self._link_writer

    def finish_link_writes(self) -> None:
        """Wait for the last link writer thread to end (after its commit it checkpoints the WAL)."""
        if self._link_writer is not None:
            self._link_writer.join()
            self._link_writer = None

    def _connect_again(self) -> Any:
        """Another connection to this store's file, set up like the first (the store defines it)."""
        raise NotImplementedError

    _LINK_COLS = ("data, lid, created_at, rule, score, doc_a, doc_b, key_a, key_b, type_a, type_b, gap_days, "
                  "entities, explanation")

    def _row_link(self, row: tuple[Any, ...]) -> dict[str, Any]:
        if row[0] is not None:
            return cast(dict[str, Any], orjson.loads(row[0]))
        _, lid, created, rule, score, doc_a, doc_b, key_a, key_b, type_a, type_b, gap, ents, expl = row
        events = [{"id": key_a, "type": type_a, "doc_id": doc_a}, {"id": key_b, "type": type_b, "doc_id": doc_b}]
        return {"id": lid, "type": "co_timed", "events": events,
                "gap_days": gap, "entities": ents.split(SEP) if ents else [], "score": score, "explanation": expl,
                "rule": rule, "created_at": created}

    def _known_links(self, ids: list[str]) -> set[str]:
        by_number = {lid_number(lid): lid for lid in ids}
        return {by_number[int(r[0])] for r in self._db.execute(
            "SELECT h FROM link_ids WHERE h IN (SELECT value FROM json_each(?))", (orjson.dumps(list(by_number)),))}


class PostgresEventStore(_EventStoreBase):
    """Event/link/story methods of :class:`storage.postgres_store.PostgresStore` (``self._conn``, ``self._s``)."""

    _ev_ph = "%s"
    _conn: Any
    _s: str

    def _ev_t(self, name: str) -> str:
        return f"{self._s}.{name}"

    def _ev_tx(self) -> AbstractContextManager[Any]:
        return self._conn.transaction()

    def _ev_run(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self._conn.execute(sql, params)

    def _ev_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        with self._conn.cursor() as cur:
            cur.executemany(sql, rows)


class EventStore(Protocol):
    """What the correlator and story stage need from a store (both backends implement it)."""

    def put_events(self, doc_id: str, events: list[dict[str, Any]], url: str | None = None,
                   source: str | None = None, kind: str | None = None,
                   published_at: str | None = None) -> int: ...

    def events_after(self, eseq: int, limit: int = 5000) -> list[StoredEvent]: ...

    def events_starting(self, first_day: str, last_day: str, max_eseq: int) -> list[StoredEvent]: ...

    def events_of(self, doc_id: str) -> list[StoredEvent]: ...

    def events_by_key(self, keys: list[str]) -> dict[str, StoredEvent]: ...

    def iter_events(self, batch: int = 5000) -> Iterator[StoredEvent]: ...

    def count_events(self) -> int: ...

    def get_cursor(self, name: str) -> int: ...

    def set_cursor(self, name: str, value: int) -> None: ...

    def add_links(self, links: list[dict[str, Any]]) -> list[dict[str, Any]]: ...

    def link_sink(self, background: bool = True) -> LinkSink: ...

    def links(self, since: str | None = None, limit: int | None = None) -> list[dict[str, Any]]: ...

    def docs_for_link_key(self, key: str) -> set[str]: ...

    def story_signatures(self) -> Iterator[tuple[str, str, bytes | None]]: ...

    def story_of(self, doc_id: str) -> str | None: ...

    def put_story_member(self, doc_id: str, story_id: str, source: str, seen_at: str,
                         signature: bytes | None) -> dict[str, Any]: ...

    def story(self, story_id: str) -> dict[str, Any] | None: ...

    def stories(self, min_size: int = 1) -> list[dict[str, Any]]: ...

    def count_listing(self, entity_id: str, day: str, n: int = 1) -> None: ...

    def listing_counts(self, entity_id: str, start: str, end: str) -> dict[str, int]: ...


def event_store(store: object) -> EventStore:
    """The store's event/link/story side; a clear error for a store that has none."""
    if not isinstance(store, _EventStoreBase):
        raise TypeError(f"{type(store).__name__} keeps no events (use the SQLite or PostgreSQL store)")
    return cast(EventStore, store)
