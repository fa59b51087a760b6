"""Stores made with an earlier link schema open with the current one, every link still there and findable.

Each test builds a store, swaps its link tables for those of an earlier schema (the SQL below is that
schema's, kept here only as a fixture), writes links the way that schema did, marks the store with
that schema's version and opens it again.
"""

from __future__ import annotations

import json
import uuid

import apsw
import pytest

from storage.base import Store
from storage.models import Event
from storage.sqlite_store import SQLiteStore

FIRST_LINKS = """
CREATE TABLE {s}links(lid TEXT PRIMARY KEY, lseq {serial}, created_at TEXT NOT NULL, rule TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL, data TEXT NOT NULL);
CREATE INDEX links_created ON {s}links(created_at);
CREATE TABLE {s}link_keys(key TEXT NOT NULL, doc_id TEXT NOT NULL, PRIMARY KEY (key, doc_id));
"""
SECOND_INDEX = """
CREATE TABLE {s}link_index(lid TEXT PRIMARY KEY, rule TEXT NOT NULL, doc_a TEXT NOT NULL, doc_b TEXT NOT NULL,
    type_a TEXT NOT NULL, type_b TEXT NOT NULL, ent_a TEXT, ent_b TEXT);
"""
THIRD_LINKS = """
CREATE TABLE links(lseq INTEGER PRIMARY KEY, lid TEXT NOT NULL, created_at TEXT NOT NULL, rule TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL, data TEXT, doc_a TEXT, doc_b TEXT, key_a TEXT, key_b TEXT, type_a TEXT,
    type_b TEXT, gap_days DOUBLE PRECISION, entities TEXT, explanation TEXT);
CREATE INDEX links_created ON links(created_at);
CREATE TABLE link_ids(h INTEGER PRIMARY KEY);
CREATE VIRTUAL TABLE link_terms USING fts5(terms, content='', detail=none);
"""

EVIDENCE = {"text": "signed", "start": 4, "end": 10}
DAY = {"start": "2026-03-10", "end": "2026-03-10", "text": "on Tuesday", "resolved": True}
# the first schema kept each link whole, its events' url, date and evidence included
WHOLE = {"id": "whole", "type": "co_timed", "rule": "launch_during_visit", "gap_days": 1.0, "score": 0.7,
         "entities": ["kestrel", "anna-lind"], "explanation": "Kestrel launched, during the visit",
         "events": [{"id": "doc-a:e1", "type": "product_launch", "doc_id": "doc-a", "url": "https://a.test/1",
                     "date": DAY, "evidence": EVIDENCE},
                    {"id": "doc-b:e1", "type": "official_visit", "doc_id": "doc-b", "url": "https://b.test/1",
                     "date": DAY, "evidence": EVIDENCE}], "created_at": "2026-03-11T08:00:00Z"}
# the second kept its events by id, type and document only
SLIM = {"id": "slim", "type": "co_timed", "rule": "deal_during_leader_trip", "gap_days": 0.0, "score": 0.5,
        "entities": ["harbour-co"], "explanation": "a deal during the trip",
        "events": [{"id": "doc-c:e1", "type": "deal", "doc_id": "doc-c"},
                   {"id": "doc-d:e1", "type": "official_visit", "doc_id": "doc-d"}]}


def _first_schema_rows(ph: str) -> tuple[str, list[tuple[object, ...]], str, list[tuple[str, str]]]:
    links = [("whole", "2026-03-11T08:00:00Z", "launch_during_visit", 0.7, json.dumps(WHOLE)),
             ("slim", "2026-03-12T08:00:00Z", "deal_during_leader_trip", 0.5, json.dumps(SLIM))]
    keys = [(k, d) for k in ("any", "id:whole", "launch_during_visit", "kestrel", "anna-lind")
            for d in ("doc-a", "doc-b")]
    keys += [(k, d) for k in ("any", "id:slim", "deal_during_leader_trip", "harbour-co") for d in ("doc-c", "doc-d")]
    return (f"INSERT INTO {{s}}links(lid, created_at, rule, score, data) VALUES ({', '.join([ph] * 5)})", links,
            f"INSERT INTO {{s}}link_keys(key, doc_id) VALUES ({ph}, {ph})", keys)


def _check(store: Store) -> None:
    """What every migrated store must show: both links, in order, whole, and findable by every name."""
    links = store.events.links()
    assert [x.id for x in links] == ["whole", "slim"]
    whole = links[0].to_dict()
    # its events are gone from the store, so what the link itself kept is shown
    assert whole["events"] == WHOLE["events"] and whole["entities"] == ["kestrel", "anna-lind"]
    assert whole["created_at"] == "2026-03-11T08:00:00Z" and whole["explanation"] == WHOLE["explanation"]
    assert [e.doc_id for e in links[1].events] == ["doc-c", "doc-d"]
    for key, docs in (("kestrel", {"doc-a", "doc-b"}), ("anna-lind", {"doc-a", "doc-b"}), ("whole", {"doc-a", "doc-b"}),
                      ("harbour-co", {"doc-c", "doc-d"}), ("deal", {"doc-c", "doc-d"}),
                      ("any", {"doc-a", "doc-b", "doc-c", "doc-d"})):
        assert store.events.docs_for_link_key(key) == docs, key
    assert store.events.add_links(links[:1]) == []  # still known: not new again


def _sqlite_with(path: str, version: int, build: str, rows: list[tuple[str, list[tuple[object, ...]]]]) -> None:
    SQLiteStore(path).close()
    db = apsw.Connection(path)
    db.execute("DROP TABLE links; DROP TABLE link_entities;")
    db.execute(build)
    for sql, values in rows:
        db.executemany(sql, values)
    db.execute("UPDATE schema_version SET version = ?", (version,))
    db.close()


@pytest.mark.parametrize("version", [4, 5])
def test_sqlite_links_of_the_first_two_schemas(tmp_path, version: int) -> None:
    path = str(tmp_path / "old.db")
    links_sql, links, keys_sql, keys = _first_schema_rows("?")
    build = FIRST_LINKS.format(s="", serial="INTEGER NOT NULL DEFAULT 0")
    rows = [(links_sql.format(s=""), links), (keys_sql.format(s=""), keys)]
    if version == 5:  # the second schema: one link_index row per link, link_keys only for more entities
        build += SECOND_INDEX.format(s="")
        rows = [(links_sql.format(s=""), links),
                ("INSERT INTO link_index VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 [("whole", "launch_during_visit", "doc-a", "doc-b", "product_launch", "official_visit", "kestrel",
                   "anna-lind"),
                  ("slim", "deal_during_leader_trip", "doc-c", "doc-d", "deal", "official_visit", "harbour-co", None)])]
    _sqlite_with(path, version, build, rows)
    with SQLiteStore(path) as store:
        _check(store)


def test_sqlite_links_of_the_third_schema_as_columns_or_json(tmp_path) -> None:
    path = str(tmp_path / "old.db")
    columns = ("slim", "2026-03-12T08:00:00Z", "deal_during_leader_trip", 0.5, None, "doc-c", "doc-d", "doc-c:e1",
               "doc-d:e1", "deal", "official_visit", 0.0, "harbour-co", "a deal during the trip")
    whole = ("whole", "2026-03-11T08:00:00Z", "launch_during_visit", 0.7, json.dumps(WHOLE), *([None] * 9))
    _sqlite_with(path, 7, THIRD_LINKS, [
        ("INSERT INTO links(lid, created_at, rule, score, data, doc_a, doc_b, key_a, key_b, type_a, type_b, gap_days, "
         "entities, explanation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [whole, columns])])
    with SQLiteStore(path) as store:
        _check(store)
        tables = {str(r[0]) for r in store._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not tables & {"link_keys", "link_index", "link_ids", "link_terms"}


def test_a_migrated_link_reads_its_events_from_the_store_while_they_are_there(tmp_path) -> None:
    path = str(tmp_path / "old.db")
    links_sql, links, keys_sql, keys = _first_schema_rows("?")
    _sqlite_with(path, 4, FIRST_LINKS.format(s="", serial="INTEGER NOT NULL DEFAULT 0"),
                 [(links_sql.format(s=""), links), (keys_sql.format(s=""), keys)])
    with SQLiteStore(path) as store:
        store.events.put_events("doc-a", [Event.from_dict({"id": "e1", "type": "product_launch", "confidence": 0.8,
                                                    "date": {**DAY, "start": "2026-03-09"}})], url="https://a.test/2")
        first = store.events.links()[0].events[0]
        assert first.url == "https://a.test/2" and first.date is not None and first.date.start == "2026-03-09"


@pytest.mark.postgres
def test_postgres_links_of_the_first_two_schemas(pg_dsn: str) -> None:
    from storage.base import StoreError
    from storage.postgres_store import PostgresStore

    schema = "nw_test_" + uuid.uuid4().hex[:12]
    try:
        store = PostgresStore(pg_dsn, schema=schema)
    except StoreError as e:
        pytest.skip(f"PostgreSQL not reachable at {pg_dsn}: {e}")
    s = f'"{schema}".'
    try:
        links_sql, links, keys_sql, keys = _first_schema_rows("%s")
        with store._conn.transaction(), store._conn.cursor() as cur:
            cur.execute(f"DROP TABLE {s}links; DROP TABLE {s}link_entities;")
            cur.execute(FIRST_LINKS.format(s=s, serial="bigserial") + SECOND_INDEX.format(s=s))
            cur.executemany(links_sql.format(s=s), links)
            cur.executemany(keys_sql.format(s=s), keys)
            cur.execute(f"UPDATE {s}schema_version SET version = 5")
        store.close()
        store = PostgresStore(pg_dsn, schema=schema)
        _check(store)
    finally:
        store.drop_schema()
        store.close()
