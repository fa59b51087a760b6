"""PostgreSQL's narrow search table (issue 21): a store of the previous schema opens and is migrated, and a
text-only query ranks a bounded candidate set while its total and facets still count every match.

Texts are invented for these tests.
"""

from __future__ import annotations

import pytest

import storage.query.sql as query_sql
from storage.models import Document
from storage.postgres_store import MIGRATIONS, PostgresStore, _tsv

pytestmark = pytest.mark.postgres




def _doc(i: int, title: str, text: str, source: str = "quay") -> Document:
    return Document(url=f"https://quay.example/{i}", source=source, title=title, text=text, lang="en",
                    published_at=f"2026-04-{1 + i % 3:02d}T08:00:00Z")


def test_a_store_of_the_previous_schema_opens_with_its_vectors_moved(pg_store: PostgresStore, pg_dsn: str) -> None:
    """Rebuild the schema as newswatch wrote it before the search table (vectors in ``documents``), fill it
    as the old code did, and reopen: every document is still found, counted by facet, and updatable."""
    s = pg_store._s
    pg_store.drop_schema()
    docs = [_doc(0, "Ferry timetable", "The winter ferry timetable starts on Monday."),
            _doc(1, "Harbour crane", "A new crane was lifted onto the ferry quay.", source="dock"),
            _doc(2, "Lighthouse", "The lighthouse keeper retired after forty years.")]
    with pg_store._conn.transaction(), pg_store._conn.cursor() as cur:
        cur.execute(f"CREATE SCHEMA {s}")
        cur.execute(f"CREATE TABLE {s}.schema_version(version integer NOT NULL)")
        for step in MIGRATIONS[:7]:
            step(cur, s)
        for i, doc in enumerate(docs, 1):
            cur.execute(
                f"INSERT INTO {s}.documents(id, url, canonical_url, source, kind, title, text, published_at, lang, "
                "content_hash, version, annotations, provenance, stored_at, seq, tsv) VALUES (%s, %s, %s, %s, %s, "
                "%s, %s, %s, %s, %s, 1, '{}', '{}', '2026-04-01T00:00:00Z', %s, %s::tsvector)",
                (doc.id, doc.url, doc.canonical_url, doc.source, doc.kind, doc.title, doc.text, doc.published_at,
                 doc.lang, doc.content_hash, i, _tsv(doc)))
        cur.execute(f"INSERT INTO {s}.schema_version(version) VALUES (7)")
    reopened = PostgresStore(pg_dsn, schema=pg_store.schema)
    try:
        assert reopened.schema_version() == len(MIGRATIONS)
        found = reopened.search("ferry", facets=["source", "day"])
        assert sorted(h.url for h in found.hits) == ["https://quay.example/0", "https://quay.example/1"]
        assert found.total == 2
        assert found.facets == {"source": {"dock": 1, "quay": 1}, "day": {"2026-04-01": 1, "2026-04-02": 1}}
        assert [h.url for h in reopened.search("ferry timetable").hits][0] == "https://quay.example/0"
        updated = _doc(2, "Lighthouse", "The lighthouse keeper now runs the ferry.")
        assert reopened.upsert(updated).status == "updated"
        assert reopened.search("ferry").total == 3 and reopened.search("forty").total == 0
    finally:
        reopened.close()


def test_ranking_is_over_the_newest_candidates_and_counts_over_every_match(pg_store: PostgresStore,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """With more matches than the candidate bound, the newest ``RANK_CANDIDATES`` matches come first, best
    first; the older ones (a better one among them) follow newest first; total and facets count them all."""
    monkeypatch.setattr(query_sql, "RANK_CANDIDATES", 4)
    strong = _doc(0, "Tide tide tide", "Tide tables: the tide turns twice, the tide is high.")
    weak = [_doc(i, f"Note {i}", f"Harbour note {i} mentions the tide once.") for i in range(1, 6)]
    medium = _doc(6, "Tide warning", "A tide warning for the north quay.", source="dock")
    pg_store.upsert_many([strong, *weak, medium])  # stored in this order: the strong match is the oldest
    found = pg_store.search("tide", facets=["source"], limit=10)
    assert found.total == 7
    assert found.facets["source"] == {"quay": 6, "dock": 1}
    urls = [h.url for h in found.hits]
    assert urls[0] == medium.url  # the best of the newest four comes first
    assert strong.url not in urls[:4] and all(h.score > 0 for h in found.hits[:4])
    assert urls[4:] == [weak[1].url, weak[0].url, strong.url]  # the others follow newest first, unscored
    assert [h.score for h in found.hits[4:]] == [0.0, 0.0, 0.0]
    monkeypatch.setattr(query_sql, "RANK_CANDIDATES", 1000)
    assert pg_store.search("tide", limit=1).hits[0].url == strong.url  # under the bound: exact


def test_bulk_load_fills_the_search_table(pg_store: PostgresStore) -> None:
    docs = [_doc(i, f"Buoy {i}", f"Buoy number {i} was painted red.", source="dock" if i % 2 else "quay")
            for i in range(6)]
    assert pg_store.load_new(docs) == 6
    found = pg_store.search("buoy", facets=["source", "lang"])
    assert found.total == 6 and found.facets == {"source": {"dock": 3, "quay": 3}, "lang": {"en": 6}}
    pg_store.upsert(_doc(9, "Buoy nine", "A ninth buoy."))
    assert pg_store.search("buoy").total == 7  # row ids go on after the bulk load's


def test_a_store_from_before_the_pad_column_gets_narrow_rows_without_loss(pg_store: PostgresStore,
                                                                         pg_dsn: str) -> None:
    """A store of schema 8 (short vectors kept in their rows) opens at the latest schema with every vector
    out of line and the same search results."""
    s = pg_store._s
    docs = [_doc(i, f"Quay note {i}", f"The ferry {'leaves early' if i % 2 else 'waits'} today.") for i in range(6)]
    pg_store._conn.execute(f"ALTER TABLE {s}.doc_search DROP COLUMN toast_pad")
    pg_store._conn.execute(f"UPDATE {s}.schema_version SET version = 8")
    pg_store.upsert_many(docs)
    before = pg_store.search("ferry", facets=["source", "day"])
    reopened = PostgresStore(pg_dsn, schema=pg_store.schema)
    try:
        assert reopened.schema_version() == len(MIGRATIONS)
        after = reopened.search("ferry", facets=["source", "day"])
        assert [h.id for h in after.hits] == [h.id for h in before.hits] and after.total == before.total == 6
        assert after.facets == before.facets
        toast = reopened._conn.execute(f"SELECT reltoastrelid::regclass::text FROM pg_class "
                                       f"WHERE oid = '{s}.doc_search'::regclass").fetchone()
        assert toast is not None
        stored_out = reopened._conn.execute(f"SELECT count(DISTINCT chunk_id) FROM {toast[0]}").fetchone()
        assert stored_out == (6,)  # each vector, short as it is, lives out of line
        assert reopened.upsert(_doc(6, "Quay note 6", "The ferry is late.")).status == "new"
        assert reopened._conn.execute(f"SELECT count(DISTINCT chunk_id) FROM {toast[0]}").fetchone() == (7,)
    finally:
        reopened.close()
