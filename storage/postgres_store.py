"""The scale-out store: PostgreSQL (psycopg 3), same behaviour as :class:`SQLiteStore`.

Full text uses a ``tsvector`` column built from our own tokens (:func:`storage.text_search.tsvector`)
rather than ``to_tsvector``: PostgreSQL's parser knows nothing of CJK word boundaries and its
configurations do not fold diacritics without the ``unaccent`` extension. Building the vector
and the ``tsquery`` in Python from the same tokenizer the SQLite backend uses keeps the two
backends finding the same documents. Snippets are ours too (``ts_headline`` adds markup).
The vector and the facet columns live in a narrow table of their own, ``doc_search`` (see
:func:`_m8_search_table`), so matching, counting and faceting never read the wide document rows.

All tables live in one schema (default ``newswatch``), so several deployments or test runs can
share a database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import psycopg

from storage.base import SearchResult, StoreError, UpsertResult
from storage.cancel import SearchCancelled, cancelled, interrupt_when_cancelled
from storage.common import (
    DOC_COLUMNS,
    batches,
    check_filters,
    doc_row,
    filter_sql,
    index_fields,
    mention_rows,
    row_doc,
)
from storage.crawl_state import PostgresCrawlState, postgres_gone_migration
from storage.crawl_state import postgres_migration as postgres_crawl_state_migration
from storage.events_store import PostgresEventStore, postgres_links_migration, retired_migration
from storage.events_store import postgres_migration as postgres_events_migration
from storage.models import Document, utc_now_iso
from storage.query.search import search as run_search
from storage.query.tsquery import PostgresDialect
from storage.text_search import tsvector

_SCHEMA_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_COLS = ", ".join(f"d.{c}" for c in DOC_COLUMNS)
_JSON_COLS = {"product", "annotations", "provenance"}


def _tsv(doc: Document) -> str:
    title, body, extra = index_fields(doc)
    return tsvector([(title, "A"), (extra, "B"), (body, "D")])


def _search_row(rid: int, doc: Document) -> tuple[int, str, str, str | None, str | None, str]:
    """The ``doc_search`` row of a document: what a search matches, ranks and counts by facet."""
    return rid, doc.source, doc.kind, doc.lang, doc.published_at, _tsv(doc)


def _m1_core(cur: psycopg.Cursor[Any], s: str) -> None:
    cur.execute(
        f"""
        CREATE TABLE {s}.documents(
            rid bigserial PRIMARY KEY,
            id text NOT NULL UNIQUE,
            url text NOT NULL,
            canonical_url text NOT NULL UNIQUE,
            source text NOT NULL,
            kind text NOT NULL,
            title text,
            text text NOT NULL,
            author text,
            published_at text COLLATE "C",
            fetched_at text COLLATE "C",
            lang text,
            content_hash text NOT NULL,
            version integer NOT NULL,
            product jsonb,
            annotations jsonb NOT NULL,
            provenance jsonb NOT NULL,
            stored_at text COLLATE "C" NOT NULL,
            seq bigint NOT NULL
        );
        CREATE SEQUENCE {s}.doc_seq;
        CREATE INDEX ON {s}.documents(url);
        CREATE INDEX ON {s}.documents(seq);
        CREATE INDEX ON {s}.documents(stored_at);
        CREATE INDEX ON {s}.documents(published_at);
        CREATE INDEX ON {s}.documents(source, published_at);
        CREATE TABLE {s}.document_versions(
            doc_id text NOT NULL,
            version integer NOT NULL,
            content_hash text NOT NULL,
            stored_at text NOT NULL,
            data jsonb NOT NULL,
            PRIMARY KEY (doc_id, version)
        );
        CREATE TABLE {s}.marks(
            namespace text NOT NULL,
            key text NOT NULL,
            value text NOT NULL DEFAULT '',
            at text NOT NULL,
            PRIMARY KEY (namespace, key)
        );
        CREATE TABLE {s}.quarantine(
            qid bigserial PRIMARY KEY,
            url text NOT NULL,
            source text NOT NULL,
            reason text NOT NULL,
            detail text NOT NULL DEFAULT '',
            at text NOT NULL
        );
        """
    )


def _m2_search(cur: psycopg.Cursor[Any], s: str) -> None:
    """Entity mentions and the full-text column; documents stored before are indexed now."""
    cur.execute(
        f"""
        CREATE TABLE {s}.mentions(
            doc_id text NOT NULL,
            entity_id text,
            canonical text NOT NULL,
            label text NOT NULL
        );
        CREATE INDEX ON {s}.mentions(doc_id);
        CREATE INDEX ON {s}.mentions(entity_id, doc_id);
        ALTER TABLE {s}.documents ADD COLUMN tsv tsvector NOT NULL DEFAULT ''::tsvector;
        CREATE INDEX ON {s}.documents USING gin(tsv);
        """
    )
    rows = cur.execute(f"SELECT {_COLS} FROM {s}.documents d").fetchall()
    for row in rows:
        doc = row_doc(row)
        cur.execute(f"UPDATE {s}.documents SET tsv = %s::tsvector WHERE id = %s", (_tsv(doc), doc.id))
        _write_mentions(cur, s, doc)


def _write_mentions(cur: psycopg.Cursor[Any], s: str, doc: Document) -> None:
    rows = mention_rows(doc)
    if rows:
        cur.executemany(f"INSERT INTO {s}.mentions(doc_id, entity_id, canonical, label) VALUES (%s, %s, %s, %s)", rows)


def _m8_search_table(cur: psycopg.Cursor[Any], s: str) -> None:
    """The full-text vector moves out of ``documents`` into a narrow table of its own with the facet columns.

    Searching a million documents read the wide rows twice over: ranking detoasted vectors stored beside
    the text, and facet counts fetched whole rows for four short columns. In ``doc_search`` a row is the
    row id, source, kind, language, publication date and the vector, so only the ranked candidates' vectors are
    ranked (:mod:`storage.query.tsquery`). Vectors are kept out of line (``toast_tuple_target``, and the
    pad column of the next migration for rows under the toast threshold).
    """
    # lz4 (where the server has it) packs and unpacks a vector several times faster than the default pglz.
    lz4 = cur.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                      "AND 'lz4' = ANY(enumvals)").fetchone() is not None
    cur.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {s}.doc_search(
            rid bigint PRIMARY KEY,
            source text NOT NULL,
            kind text NOT NULL,
            lang text,
            published_at text COLLATE "C",
            tsv tsvector {'COMPRESSION lz4 ' if lz4 else ''}NOT NULL
        ) WITH (toast_tuple_target = 128)
        """
    )
    moved = cur.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = %s AND table_name = 'documents' "
        "AND column_name = 'tsv'", (s.strip('"'),)
    ).fetchone() is None
    if moved:  # a store rolled back to an older version number keeps its table (re-running is harmless)
        return
    cur.execute(
        f"""
        INSERT INTO {s}.doc_search(rid, source, kind, lang, published_at, tsv)
            SELECT rid, source, kind, lang, published_at, tsv FROM {s}.documents;
        ALTER TABLE {s}.documents DROP COLUMN tsv;
        CREATE INDEX ON {s}.doc_search USING gin(tsv);
        ANALYZE {s}.doc_search;
        """
    )


def _m9_narrow_search_rows(cur: psycopg.Cursor[Any], s: str) -> None:
    """Every ``doc_search`` row stays narrow: a constant column pushes each row over the toast threshold.

    PostgreSQL moves a value out of line only when its row is over about 2 KB (``TOAST_TUPLE_THRESHOLD``,
    fixed when the server is built; ``toast_tuple_target`` only says how far to shrink a row once that
    happens). A vector written by COPY or INSERT whose row is shorter stayed in the row: at 1,000,000
    documents 38 % of the rows held ~600 bytes of vector, 82,346 heap pages instead of ~14,000, and every
    search reads the heap page of each match (a bitmap heap scan does, even for a count). With ``toast_pad``
    (2,100 bytes of one letter, compressed to ~27) every row crosses the threshold, so the toaster compresses
    the pad and moves the vector out: a row is the row id, the facet columns, the small pad and a pointer.
    It is computed by the server (GENERATED), so no writer names it; adding it rewrites the table once.
    """
    lz4 = cur.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                      "AND 'lz4' = ANY(enumvals)").fetchone() is not None
    cur.execute(f"ALTER TABLE {s}.doc_search ADD COLUMN IF NOT EXISTS toast_pad text "
                f"{'COMPRESSION lz4 ' if lz4 else ''}GENERATED ALWAYS AS (repeat('x', 2100)) STORED")
    cur.execute(f"ANALYZE {s}.doc_search")


MIGRATIONS: list[Callable[[psycopg.Cursor[Any], str], None]] = [_m1_core, _m2_search, postgres_crawl_state_migration,
    postgres_events_migration, retired_migration, postgres_links_migration, postgres_gone_migration,
    _m8_search_table, _m9_narrow_search_rows]
"""Ordered schema changes; a schema's version is how many have been applied."""


class PostgresStore:
    """A :class:`storage.base.Store` in one PostgreSQL schema.

    Its documents are its own methods; ``crawl`` and ``events`` are parts on the same connection.
    """

    def __init__(self, dsn: str, schema: str = "newswatch") -> None:
        if not _SCHEMA_RE.match(schema):
            raise StoreError(f"PostgreSQL schema name {schema!r}: use letters, digits and _ (at most 63)")
        self.schema = schema
        self._s = f'"{schema}"'
        try:
            self._conn = psycopg.connect(dsn, autocommit=True)
        except psycopg.Error as e:
            raise StoreError(f"cannot connect to PostgreSQL store: {e}".strip()) from e
        try:
            # Compiling a search's plan to machine code (JIT) costs more than a search saves here:
            # the planner's row estimates for a frequent word crossed JIT's threshold and added ~100 ms.
            self._conn.execute("SET jit = off")
            self.migrate()
        except BaseException:
            self._conn.close()
            raise
        self.crawl = PostgresCrawlState(self._conn, self._s)
        self.events = PostgresEventStore(self._conn, self._s)

    @property
    def documents(self) -> PostgresStore:
        return self

    def schema_version(self) -> int:
        """The schema version recorded in this store's schema (0 when it does not exist yet)."""
        row = self._conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = 'schema_version'",
            (self.schema,),
        ).fetchone()
        if not row:
            return 0
        row = self._conn.execute(f"SELECT version FROM {self._s}.schema_version").fetchone()
        return int(row[0]) if row else 0

    def migrate(self, target: int | None = None) -> None:
        """Bring the schema up to ``target`` (default latest); refuse a schema from a newer newswatch."""
        known = len(MIGRATIONS)
        target = known if target is None else target
        s = self._s
        with self._conn.transaction(), self._conn.cursor() as cur:
            # One migrating process at a time per schema; the others wait, then see it done.
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"newswatch-migrate:{self.schema}",))
            current = self.schema_version()
            if current > known:
                raise StoreError(
                    f"PostgreSQL schema {self.schema} has schema version {current}, but this newswatch only "
                    f"knows versions up to {known}: upgrade newswatch (pip install -U newswatch) to open it"
                )
            if current >= target:
                return
            cur.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
            cur.execute(f"CREATE TABLE IF NOT EXISTS {s}.schema_version(version integer NOT NULL)")
            for version in range(current, target):
                MIGRATIONS[version](cur, s)
            cur.execute(f"DELETE FROM {s}.schema_version")
            cur.execute(f"INSERT INTO {s}.schema_version(version) VALUES (%s)", (target,))

    # -- writing

    def upsert(self, doc: Document) -> UpsertResult:
        """Store ``doc`` keyed by canonical URL: ``new``, ``updated`` (version + 1) or ``unchanged``."""
        return self.upsert_many([doc])[0]

    def add(self, doc: Document) -> UpsertResult:
        """Alias of :meth:`upsert`."""
        return self.upsert(doc)

    def upsert_many(self, docs: Iterable[Document]) -> list[UpsertResult]:
        """Upsert a batch in one transaction."""
        s = self._s
        results: list[UpsertResult] = []
        cols = (*DOC_COLUMNS, "stored_at", "seq")
        casts = [("%s::jsonb" if c in _JSON_COLS else "%s") for c in DOC_COLUMNS]
        placeholders = [*casts, "%s", f"nextval('{s}.doc_seq')"]
        now = utc_now_iso()
        with self._conn.transaction(), self._conn.cursor() as cur:
            for doc in docs:
                old = cur.execute(
                    f"SELECT rid, content_hash, version FROM {s}.documents WHERE canonical_url = %s FOR UPDATE",
                    (doc.canonical_url,),
                ).fetchone()
                if old and old[1] == doc.content_hash:
                    results.append(UpsertResult(id=doc.id, status="unchanged", version=int(old[2])))
                    continue
                version = int(old[2]) + 1 if old else 1
                values = doc_row(doc, version) + (now,)
                if old:
                    rid = int(old[0])
                    _keep_old_version(cur, s, rid)
                    sets = ", ".join(f"{c} = {p}" for c, p in zip(cols, placeholders, strict=True))
                    cur.execute(f"UPDATE {s}.documents SET {sets} WHERE rid = %s", (*values, rid))
                    cur.execute(f"DELETE FROM {s}.mentions WHERE doc_id = %s", (doc.id,))
                else:
                    row = cur.execute(
                        f"INSERT INTO {s}.documents({', '.join(cols)}) VALUES ({', '.join(placeholders)}) "
                        "RETURNING rid", values
                    ).fetchone()
                    assert row is not None  # INSERT ... RETURNING gives the new row
                    rid = int(row[0])
                cur.execute(
                    f"INSERT INTO {s}.doc_search(rid, source, kind, lang, published_at, tsv) "
                    "VALUES (%s, %s, %s, %s, %s, %s::tsvector) ON CONFLICT (rid) DO UPDATE SET "
                    "source = EXCLUDED.source, kind = EXCLUDED.kind, lang = EXCLUDED.lang, "
                    "published_at = EXCLUDED.published_at, tsv = EXCLUDED.tsv",
                    _search_row(rid, doc),
                )
                _write_mentions(cur, s, doc)
                results.append(UpsertResult(id=doc.id, status="updated" if old else "new", version=version))
        return results

    def load_new(self, docs: Iterable[Document], batch: int = 20_000) -> int:
        """Write documents into an empty store in bulk (``COPY``), building the indexes afterwards.

        For filling a fresh store fast (benches, a large first import): every document must be
        new (a canonical URL met twice is an error, as in an ``INSERT``); each is stored as version
        1, exactly as :meth:`upsert_many` would store it, mentions included (a current version lives
        in ``documents`` only; ``document_versions`` holds superseded ones). The
        secondary indexes (GIN on ``tsv`` among them) are dropped first and built once at the end,
        which is many times faster than maintaining them row by row. Returns how many were written.
        """
        s = self._s
        if self.count():
            raise StoreError("load_new needs an empty store (use upsert_many to add to one)")
        cols = ("rid", *DOC_COLUMNS, "stored_at", "seq")
        with self._conn.transaction(), self._conn.cursor() as cur:
            indexes = cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = %s AND i.tablename IN "
                "('documents', 'mentions', 'doc_search') AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conname = i.indexname AND c.connamespace = %s::regnamespace)",
                (self.schema, s),
            ).fetchall()
            for name, _ in indexes:
                cur.execute(f'DROP INDEX {s}."{name}"')
            now = utc_now_iso()
            row = cur.execute(f"SELECT nextval(pg_get_serial_sequence('{s}.documents', 'rid'))").fetchone()
            first = int(row[0]) if row else 1  # row ids go on from any a rolled-back load used up
            written = 0
            for chunk in batches(docs, batch):
                with cur.copy(f"COPY {s}.documents({', '.join(cols)}) FROM STDIN") as copy:
                    for i, doc in enumerate(chunk, written + 1):
                        copy.write_row((first + i - 1, *doc_row(doc, 1), now, i))
                with cur.copy(f"COPY {s}.doc_search(rid, source, kind, lang, published_at, tsv) FROM STDIN") as copy:
                    for i, doc in enumerate(chunk, written + 1):
                        copy.write_row(_search_row(first + i - 1, doc))
                with cur.copy(f"COPY {s}.mentions(doc_id, entity_id, canonical, label) FROM STDIN") as copy:
                    for doc in chunk:
                        for row in mention_rows(doc):
                            copy.write_row(row)
                written += len(chunk)
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")  # one big sort per index, not many runs
            for _, definition in indexes:
                cur.execute(definition)
            if written:
                cur.execute(f"SELECT setval('{s}.doc_seq', %s)", (written,))
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{s}.documents', 'rid'), %s)",
                            (first + written - 1,))
        # VACUUM sets the visibility map, so a count of matches skips the heap (bitmap scans need no
        # row for an all-visible page); ANALYZE gives the planner the new table's statistics.
        self._conn.execute(f"VACUUM (ANALYZE) {s}.documents")
        self._conn.execute(f"VACUUM (ANALYZE) {s}.mentions")
        self._conn.execute(f"VACUUM (ANALYZE) {s}.doc_search")
        return written

    # -- reading

    def _one(self, sql: str, params: Iterable[Any] = ()) -> Any:
        return self._conn.execute(sql, tuple(params)).fetchone()

    def get(self, doc_id: str) -> Document | None:
        row = self._one(f"SELECT {_COLS} FROM {self._s}.documents d WHERE d.id = %s", (doc_id,))
        return row_doc(row) if row else None

    def get_by_url(self, url: str) -> Document | None:
        """The document whose canonical URL, or else fetched URL, is ``url``."""
        s = self._s
        row = self._one(f"SELECT {_COLS} FROM {s}.documents d WHERE d.canonical_url = %s", (url,))
        if row is None:
            row = self._one(f"SELECT {_COLS} FROM {s}.documents d WHERE d.url = %s ORDER BY d.seq DESC LIMIT 1", (url,))
        return row_doc(row) if row else None

    def versions(self, doc_id: str) -> list[Document]:
        """Every stored version of a document, oldest first (the last one is the current).

        Superseded versions are copied when they are overwritten, with the annotations they had then;
        the current one is the document itself, so annotations set after it was written show here too.
        (Stores written before this kept a copy of the current version as well: it is skipped.)"""
        current = self.get(doc_id)
        below = current.version if current else None
        rows = self._conn.execute(
            f"SELECT data FROM {self._s}.document_versions WHERE doc_id = %s AND (%s::int IS NULL OR version < %s) "
            "ORDER BY version", (doc_id, below, below)
        ).fetchall()
        older = [Document.from_dict(r[0] if isinstance(r[0], dict) else json.loads(r[0])) for r in rows]
        return older + ([current] if current else [])

    def search(
        self,
        query: str,
        filters: dict[str, Any] | None = None,
        facets: list[str] | None = None,
        limit: int = 20,
        offset: int = 0,
        *,
        sort: str = "relevance",
        collapse: bool = False,
        now: datetime | None = None,
    ) -> SearchResult:
        """The query language of :mod:`storage.query`, best first; ``""`` or ``"*"`` lists documents newest first."""

        def execute(sql: str, params: Sequence[Any]) -> list[Sequence[Any]]:
            try:
                with interrupt_when_cancelled(self._conn.cancel_safe):  # a long scan stops once the caller left
                    if "tsv @@" not in sql:
                        return list(self._conn.execute(sql, tuple(params)).fetchall())
                    # A full-text statement: a sequential scan would read (detoast) every vector to test it,
                    # which the planner does not count; for a word in most documents it chose one (16 s
                    # against 1.1 s through the GIN index for 'said' in 98 % of 1,000,000 documents).
                    with self._conn.transaction():
                        self._conn.execute("SET LOCAL enable_seqscan = off")
                        return list(self._conn.execute(sql, tuple(params)).fetchall())
            except psycopg.errors.QueryCanceled:
                if not cancelled():
                    raise
                raise SearchCancelled("search cancelled: the client went away") from None
            except psycopg.errors.SyntaxError as e:  # should not happen: the tsquery is built from quoted tokens
                raise StoreError(f"search query {query!r} could not be run: {e}") from None

        return run_search(execute, PostgresDialect(f"{self._s}."), f"{self._s}.documents d", query, filters, facets,
                          limit, offset, sort, collapse, now)

    def iter_since(self, since: str | None = None) -> Iterator[Document]:
        """Documents stored or updated at or after ``since`` (ISO), oldest first, in keyset pages."""
        s = self._s
        row = self._one(f"SELECT max(seq) FROM {s}.documents")
        last_seq = int(row[0] or 0) if row else 0
        after = 0
        if since:
            row = self._one(f"SELECT min(seq) FROM {s}.documents WHERE stored_at >= %s", (since,))
            if not row or row[0] is None:
                return
            after = int(row[0]) - 1
        while True:
            rows = self._conn.execute(
                f"SELECT {_COLS}, d.seq FROM {s}.documents d WHERE d.seq > %s AND d.seq <= %s "
                "AND (%s::text IS NULL OR d.stored_at >= %s::text) ORDER BY d.seq LIMIT 500",
                (after, last_seq, since, since),
            ).fetchall()
            if not rows:
                return
            for r in rows:
                yield row_doc(r[:-1])
            after = int(rows[-1][-1])

    def count(self, filters: dict[str, Any] | None = None) -> int:
        where, params = filter_sql(check_filters(filters), "%s", f"{self._s}.mentions")
        wsql = (" WHERE " + " AND ".join(where)) if where else ""
        row = self._one(f"SELECT count(*) FROM {self._s}.documents d{wsql}", params)
        return int(row[0]) if row else 0

    # -- small state

    def mark_once(self, namespace: str, key: str, value: str = "") -> bool:
        """Record ``(namespace, key)``; True the first time only (e.g. "alert already sent")."""
        cur = self._conn.execute(
            f"INSERT INTO {self._s}.marks(namespace, key, value, at) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (namespace, key, value, utc_now_iso()),
        )
        return cur.rowcount == 1

    def was_marked(self, namespace: str, key: str) -> bool:
        row = self._one(f"SELECT 1 FROM {self._s}.marks WHERE namespace = %s AND key = %s", (namespace, key))
        return row is not None

    def iter_marks(self) -> Iterator[tuple[str, str, str]]:
        """Every mark, ordered by (namespace, key), read in keyset pages so memory stays flat."""
        after = ("", "")
        while rows := self._conn.execute(
            f"SELECT namespace, key, value FROM {self._s}.marks "
            "WHERE (namespace COLLATE \"C\", key COLLATE \"C\") > (%s, %s) "
            "ORDER BY namespace COLLATE \"C\", key COLLATE \"C\" LIMIT 1000", after,
        ).fetchall():
            for r in rows:
                yield str(r[0]), str(r[1]), str(r[2])
            after = (str(rows[-1][0]), str(rows[-1][1]))

    def quarantine(self, url: str, source: str, reason: str, detail: str = "") -> None:
        """Keep a page that could not be stored, with why, for the health pages."""
        self._conn.execute(
            f"INSERT INTO {self._s}.quarantine(url, source, reason, detail, at) VALUES (%s, %s, %s, %s, %s)",
            (url, source, reason, detail, utc_now_iso()),
        )

    def quarantined(self) -> list[dict[str, Any]]:
        rows = self._conn.execute(
            f"SELECT url, source, reason, detail, at FROM {self._s}.quarantine ORDER BY qid"
        ).fetchall()
        return [dict(zip(("url", "source", "reason", "detail", "at"), r, strict=True)) for r in rows]

    def drop_schema(self) -> None:
        """Delete this store's schema and everything in it (tests and ``reset`` use this)."""
        self._conn.execute(f"DROP SCHEMA IF EXISTS {self._s} CASCADE")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _keep_old_version(cur: psycopg.Cursor[Any], s: str, rid: int) -> None:
    """Copy the current row into ``document_versions`` before it is overwritten, with its annotations as
    they are now (as the SQLite store does: the current version lives in ``documents`` only)."""
    row = cur.execute(f"SELECT {_COLS}, d.stored_at FROM {s}.documents d WHERE d.rid = %s", (rid,)).fetchone()
    if row is None:
        return
    old = row_doc(row[:-1])
    cur.execute(
        f"INSERT INTO {s}.document_versions(doc_id, version, content_hash, stored_at, data) "
        "VALUES (%s, %s, %s, %s, %s::jsonb) ON CONFLICT (doc_id, version) DO UPDATE "
        "SET content_hash = EXCLUDED.content_hash, stored_at = EXCLUDED.stored_at, data = EXCLUDED.data",
        (old.id, old.version, old.content_hash, row[-1], json.dumps(old.to_dict(), ensure_ascii=False)),
    )
