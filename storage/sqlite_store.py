"""The default store: one SQLite file (through apsw), FTS5 search with a CJK-aware tokenizer.

apsw rather than the stdlib ``sqlite3``: it ships a recent SQLite (FTS5 ``contentless_delete``)
and lets us register a Python FTS5 tokenizer, which is how Chinese, Japanese, Korean and Thai
become searchable (see :mod:`storage.text_search`). The file runs in WAL mode with
``synchronous=NORMAL``: each upsert (or batch) is one transaction, and a committed transaction
survives the process being killed (only an OS crash or power cut can lose the last ones).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

import apsw

from storage.base import SearchResult, StoreError, StoreReadOnly, UpsertResult
from storage.cancel import SearchCancelled, cancelled
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
from storage.crawl_state import SQLiteCrawlState, sqlite_gone_migration
from storage.crawl_state import sqlite_migration as sqlite_crawl_state_migration
from storage.events_store import (
    SQLiteEventStore,
    retired_migration,
    sqlite_event_arrival_migration,
    sqlite_links_migration,
)
from storage.events_store import sqlite_migration as sqlite_events_migration
from storage.models import Document, utc_now_iso
from storage.query.fts5 import DOC_FACETS, FACET_COMBOS, FACET_INDEX, SQLiteDialect
from storage.query.search import search as run_search
from storage.sqlite_tx import read_only_message, sqlite_transaction
from storage.text_search import CJK_RUN_RE, HAS_CJK_RE, cjk_bigrams

TOKENIZER = "newswatch"
_DIALECT = SQLiteDialect()
_COLS = ", ".join(f"d.{c}" for c in DOC_COLUMNS)


# --------------------------------------------------------------------------- tokenizer


def newswatch_tokenizer(con: apsw.Connection, args: list[str]) -> apsw.Tokenizer:
    """FTS5 tokenizer factory: unicode61 (diacritics removed) for words, bigrams for CJK runs.

    Speed matters (it runs on every indexed byte), so text without CJK characters, by far the
    common case, is handed whole to the C ``unicode61`` tokenizer; only mixed text is split into
    runs in Python. Offsets given back to FTS5 are UTF-8 byte offsets.
    """
    u61 = con.fts5_tokenizer("unicode61", ["remove_diacritics", "2", *args])
    query_flag = apsw.FTS5_TOKENIZE_QUERY

    def tokenize(utf8: bytes, flags: int, locale: str | None) -> Any:
        if utf8.isascii():
            return u61(utf8, flags, locale)
        text = utf8.decode("utf-8", "surrogateescape")
        if not HAS_CJK_RE.search(text):
            return u61(utf8, flags, locale)
        query = bool(flags & query_flag)
        out: list[tuple[Any, ...]] = []
        pos_c = pos_b = 0
        for m in CJK_RUN_RE.finditer(text):
            start, end = m.span()
            if start > pos_c:
                seg = text[pos_c:start].encode("utf-8", "surrogateescape")
                for tok in _offset_tokens(u61(seg, flags, locale)):
                    out.append((tok[0] + pos_b, tok[1] + pos_b, *tok[2:]))
                pos_b += len(seg)
            run = m.group()
            boffs = [pos_b]  # byte offset of each char of the run (CJK: 3 or 4 bytes each)
            for ch in run:
                boffs.append(boffs[-1] + (4 if ord(ch) > 0xFFFF else 3))
            for cs, ce, gram in cjk_bigrams(run, 0, query):
                out.append((boffs[cs], boffs[ce], gram))
            pos_b, pos_c = boffs[-1], end
        if pos_c < len(text):
            seg = text[pos_c:].encode("utf-8", "surrogateescape")
            for tok in _offset_tokens(u61(seg, flags, locale)):
                out.append((tok[0] + pos_b, tok[1] + pos_b, *tok[2:]))
        return out

    return tokenize


def _offset_tokens(result: Any) -> list[tuple[Any, ...]]:
    """unicode61 output typed for mypy: ``(start, end, token, *colocated)`` tuples."""
    return list(result)


# --------------------------------------------------------------------------- migrations


def _m1_core(db: apsw.Connection) -> None:
    db.execute(
        """
        CREATE TABLE documents(
            rid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            url TEXT NOT NULL,
            canonical_url TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            title TEXT,
            text TEXT NOT NULL,
            author TEXT,
            published_at TEXT,
            fetched_at TEXT,
            lang TEXT,
            content_hash TEXT NOT NULL,
            version INTEGER NOT NULL,
            product TEXT,
            annotations TEXT NOT NULL,
            provenance TEXT NOT NULL,
            stored_at TEXT NOT NULL,
            seq INTEGER NOT NULL
        );
        CREATE INDEX documents_url ON documents(url);
        CREATE INDEX documents_seq ON documents(seq);
        CREATE INDEX documents_stored_at ON documents(stored_at);
        CREATE INDEX documents_published_at ON documents(published_at);
        CREATE INDEX documents_source ON documents(source, published_at);
        CREATE TABLE document_versions(
            doc_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            stored_at TEXT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (doc_id, version)
        ) WITHOUT ROWID;
        CREATE TABLE marks(
            namespace TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL,
            PRIMARY KEY (namespace, key)
        ) WITHOUT ROWID;
        CREATE TABLE quarantine(
            qid INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            source TEXT NOT NULL,
            reason TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        );
        """
    )


def _m2_search(db: apsw.Connection) -> None:
    """Entity mentions and the FTS5 index; documents stored before are indexed now."""
    db.execute(
        f"""
        CREATE TABLE mentions(
            doc_id TEXT NOT NULL,
            entity_id TEXT,
            canonical TEXT NOT NULL,
            label TEXT NOT NULL
        );
        CREATE INDEX mentions_doc ON mentions(doc_id);
        CREATE INDEX mentions_entity ON mentions(entity_id, doc_id);
        CREATE VIRTUAL TABLE documents_fts USING fts5(
            title, body, extra, content='', contentless_delete=1, tokenize='{TOKENIZER}'
        );
        """
    )
    rows = list(db.execute(f"SELECT d.rid, {_COLS} FROM documents d"))
    for row in rows:
        _index(db, row[0], row_doc(row[1:]))


def _m10_facet_index(db: apsw.Connection) -> None:
    """A narrow copy of the facet columns keyed by rid, so facet counts never read wide document rows.

    A document row holds its text before ``published_at`` (and often in overflow pages); counting
    facets over tens of thousands of matches through those rows cost over a second at 1,000,000
    documents. This covering index is what the facet pass reads instead (see ``SQLiteDialect``);
    SQLite keeps it up to date on every write, as it does any index.
    """
    db.execute(f"CREATE INDEX IF NOT EXISTS {FACET_INDEX} ON documents(rid, source, kind, lang, published_at)")


_SAME_COMBO = ("c.source = {r}.source AND c.kind = {r}.kind AND c.lang IS {r}.lang "
               "AND c.day IS substr({r}.published_at, 1, 10)")


def _combo_statements(r: str) -> str:
    """SQL giving row ``r`` of ``documents`` its combination number in ``doc_facets`` (adding the
    combination to ``facet_combos`` when it is new)."""
    same = _SAME_COMBO.format(r=r)
    return (f"INSERT INTO {FACET_COMBOS}(source, kind, lang, day) "
            f"SELECT {r}.source, {r}.kind, {r}.lang, substr({r}.published_at, 1, 10) "
            f"WHERE NOT EXISTS (SELECT 1 FROM {FACET_COMBOS} c WHERE {same}); "
            f"INSERT OR REPLACE INTO {DOC_FACETS}(rid, combo) "
            f"SELECT {r}.rid, c.combo FROM {FACET_COMBOS} c WHERE {same} LIMIT 1;")


def _m11_facet_combos(db: apsw.Connection) -> None:
    """Each document's (source, kind, lang, day) as one small integer, so facet counts group once.

    Grouping the matches of a word four times (once per facet) over their materialised facet
    columns was most of a faceted search's time at 1,000,000 documents (30,000 matches: about
    40 ms of CPU). ``doc_facets`` holds a combination number per document and ``facet_combos`` the
    values of each number: the matches are grouped once by that integer, and the few thousand
    groups are summed per facet (see ``SQLiteDialect.facet_combinations``). Triggers keep both
    up to date on every write of ``documents``, whichever code path writes it.
    """
    db.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {FACET_COMBOS}(
            combo INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            lang TEXT,
            day TEXT
        );
        CREATE INDEX IF NOT EXISTS {FACET_COMBOS}_values ON {FACET_COMBOS}(source, kind, lang, day);
        CREATE TABLE IF NOT EXISTS {DOC_FACETS}(rid INTEGER PRIMARY KEY, combo INTEGER NOT NULL);
        DROP TRIGGER IF EXISTS documents_combo_insert;
        DROP TRIGGER IF EXISTS documents_combo_update;
        DROP TRIGGER IF EXISTS documents_combo_delete;
        CREATE TRIGGER documents_combo_insert AFTER INSERT ON documents BEGIN {_combo_statements("new")} END;
        CREATE TRIGGER documents_combo_update AFTER UPDATE OF rid, source, kind, lang, published_at ON documents
            BEGIN DELETE FROM {DOC_FACETS} WHERE rid = old.rid; {_combo_statements("new")} END;
        CREATE TRIGGER documents_combo_delete AFTER DELETE ON documents
            BEGIN DELETE FROM {DOC_FACETS} WHERE rid = old.rid; END;
        DELETE FROM {DOC_FACETS};
        INSERT INTO {FACET_COMBOS}(source, kind, lang, day)
            SELECT DISTINCT d.source, d.kind, d.lang, substr(d.published_at, 1, 10) FROM documents d
            WHERE NOT EXISTS (SELECT 1 FROM {FACET_COMBOS} c WHERE {_SAME_COMBO.format(r="d")});
        INSERT INTO {DOC_FACETS}(rid, combo)
            SELECT d.rid, (SELECT c.combo FROM {FACET_COMBOS} c WHERE {_SAME_COMBO.format(r="d")} LIMIT 1)
            FROM documents d;
        """
    )


MIGRATIONS: list[Callable[[apsw.Connection], None]] = [_m1_core, _m2_search, sqlite_crawl_state_migration,
    sqlite_events_migration, retired_migration, retired_migration, sqlite_event_arrival_migration,
    sqlite_links_migration, sqlite_gone_migration, _m10_facet_index, _m11_facet_combos]
"""Ordered schema changes; the schema version of a database is how many have been applied."""


def schema_version(db: apsw.Connection) -> int:
    """The schema version recorded in ``db`` (0 for a new, empty file)."""
    has_table = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_version'").fetchone()
    if not has_table:
        return 0
    row = db.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(db: apsw.Connection, target: int | None = None, where: str = "database") -> None:
    """Bring ``db`` up to ``target`` (default: the latest) one migration per transaction.

    A database written by a newer newswatch is refused rather than risked: old code could
    corrupt tables whose meaning it does not know.
    """
    known = len(MIGRATIONS)
    target = known if target is None else target
    current = schema_version(db)
    if current > known:
        raise StoreError(
            f"{where} has schema version {current}, but this newswatch only knows versions up to "
            f"{known}: upgrade newswatch (pip install -U newswatch) to open it"
        )
    for version in range(current, target):
        with sqlite_transaction(db):
            if schema_version(db) > version:  # another process migrated meanwhile (we waited on its lock)
                continue
            MIGRATIONS[version](db)
            db.execute("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)")
            db.execute("DELETE FROM schema_version")
            db.execute("INSERT INTO schema_version(version) VALUES (?)", (version + 1,))


def _index(db: apsw.Connection, rid: int, doc: Document) -> None:
    title, body, extra = index_fields(doc)
    db.execute("INSERT INTO documents_fts(rowid, title, body, extra) VALUES (?, ?, ?, ?)", (rid, title, body, extra))
    db.executemany("INSERT INTO mentions(doc_id, entity_id, canonical, label) VALUES (?, ?, ?, ?)", mention_rows(doc))


def _keep_old_version(db: apsw.Connection, rid: int, now: str) -> None:
    """Copy the current row into ``document_versions`` before it is overwritten.

    Only superseded versions are copied (the current one lives in ``documents``), so indexing a
    new document writes its text once, not twice.
    """
    row = db.execute(f"SELECT {_COLS}, d.stored_at FROM documents d WHERE d.rid = ?", (rid,)).fetchone()
    if row is None:
        return
    old = row_doc(row[:-1])
    db.execute(
        "INSERT OR REPLACE INTO document_versions(doc_id, version, content_hash, stored_at, data) "
        "VALUES (?, ?, ?, ?, ?)",
        (old.id, old.version, old.content_hash, row[-1], json.dumps(old.to_dict(), ensure_ascii=False)),
    )


def connect(path: str, read_only: bool = False) -> apsw.Connection:
    """An apsw connection with our tokenizer registered, WAL on and a busy timeout.

    ``read_only`` opens the file for reading only (``mode=ro``). A WAL database whose folder is not
    writable cannot create its ``-shm`` file, which even readers need; then it is opened
    ``immutable``: nobody can be writing it (a writer would need that folder too).
    """
    if read_only:
        db = _open_read_only(path)
    else:
        db = apsw.Connection(path)
    db.setbusytimeout(10_000)
    db.register_fts5_tokenizer(TOKENIZER, newswatch_tokenizer)
    if not read_only:
        db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA cache_size=-65536")  # 64 MB: B-tree and FTS segment pages stay hot
    return db


def _open_read_only(path: str) -> apsw.Connection:
    uri = "file:" + quote(os.path.abspath(path))
    flags = apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI
    db = apsw.Connection(uri + "?mode=ro", flags=flags)
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except apsw.Error:
        db.close()
    return apsw.Connection(uri + "?immutable=1", flags=flags)


def is_read_only(path: str) -> bool:
    """True when this process may read an existing store file but not write it or its folder.

    Checked up front (``os.access`` honours the effective user) because SQLite, asked to open such a
    file read-write, quietly opens it read-only and then fails later with unrelated messages.
    """
    if path == ":memory:" or path.startswith("file:") or not os.path.exists(path):
        return False
    folder = os.path.dirname(os.path.abspath(path))
    return not os.access(path, os.W_OK) or not os.access(folder, os.W_OK | os.X_OK)


# --------------------------------------------------------------------------- the store


class SQLiteStore:
    """A :class:`storage.base.Store` in one SQLite file; safe to reopen from many processes.

    Its documents are its own methods; ``crawl`` and ``events`` are parts on the same connection.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.read_only = is_read_only(self.path)
        try:
            self._db = connect(self.path, read_only=self.read_only)
        except apsw.Error as e:
            raise StoreError(f"cannot open SQLite store {self.path}: {e}") from e
        try:
            if self.read_only and schema_version(self._db) < len(MIGRATIONS):
                raise StoreReadOnly(f"{read_only_message(self.path)}; it also needs a schema upgrade by this "
                                    "newswatch, which only a writable store allows")
            migrate(self._db, where=f"SQLite store {self.path}")
        except BaseException:
            self._db.close()
            raise
        self.crawl = SQLiteCrawlState(self._db)
        self.events = SQLiteEventStore(self._db)

    @property
    def documents(self) -> SQLiteStore:
        return self

    # -- writing

    def upsert(self, doc: Document) -> UpsertResult:
        """Store ``doc`` keyed by canonical URL: ``new``, ``updated`` (version + 1) or ``unchanged``."""
        return self.upsert_many([doc])[0]

    def add(self, doc: Document) -> UpsertResult:
        """Alias of :meth:`upsert`."""
        return self.upsert(doc)

    def upsert_many(self, docs: Iterable[Document]) -> list[UpsertResult]:
        """Upsert a batch in one transaction: much faster than one commit per document."""
        db = self._db
        results: list[UpsertResult] = []
        with sqlite_transaction(db):
            row = db.execute("SELECT max(seq) FROM documents").fetchone()
            seq = int(row[0] or 0) if row else 0
            now = utc_now_iso()
            for doc in docs:
                old = db.execute(
                    "SELECT rid, content_hash, version FROM documents WHERE canonical_url = ?",
                    (doc.canonical_url,),
                ).fetchone()
                if old and old[1] == doc.content_hash:
                    results.append(UpsertResult(id=doc.id, status="unchanged", version=int(old[2])))
                    continue
                seq += 1
                version = int(old[2]) + 1 if old else 1
                values = (*doc_row(doc, version), now, seq)
                if old:
                    rid = int(old[0])
                    _keep_old_version(db, rid, now)
                    sets = ", ".join(f"{c} = ?" for c in (*DOC_COLUMNS, "stored_at", "seq"))
                    db.execute(f"UPDATE documents SET {sets} WHERE rid = ?", (*values, rid))
                    db.execute("DELETE FROM documents_fts WHERE rowid = ?", (rid,))
                    db.execute("DELETE FROM mentions WHERE doc_id = ?", (doc.id,))
                else:
                    cols = ", ".join((*DOC_COLUMNS, "stored_at", "seq"))
                    marks = ", ".join("?" * len(values))
                    db.execute(f"INSERT INTO documents({cols}) VALUES ({marks})", values)
                    rid = db.last_insert_rowid()
                _index(db, rid, doc)
                results.append(UpsertResult(id=doc.id, status="updated" if old else "new", version=version))
        return results

    def load_new(self, docs: Iterable[Document], batch: int = 20_000) -> int:
        """Write documents into an empty store in bulk, the secondary indexes built after the load.

        For filling a fresh store fast (benches, ``migrate`` into an empty store): every document must
        be new (a canonical URL met twice is an error); each is stored as version 1, as
        :meth:`upsert_many` would store it. Rows are written with ``executemany``, ``batch`` at a
        time, all in one transaction (all or nothing: a killed load leaves the store empty and its
        indexes in place); the secondary B-tree indexes are dropped first and built once at the end.
        Returns how many were written.
        """
        db = self._db
        if self.count():
            raise StoreError("load_new needs an empty store (use upsert_many to add to one)")
        cols = ", ".join((*DOC_COLUMNS, "stored_at", "seq"))
        marks = ", ".join("?" * (len(DOC_COLUMNS) + 2))
        now = utc_now_iso()
        written = 0
        with sqlite_transaction(db):
            indexes = [(str(n), str(sql)) for n, sql in db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('documents', 'mentions') "
                "AND sql IS NOT NULL")]
            for name, _ in indexes:
                db.execute(f'DROP INDEX "{name}"')
            for chunk in batches(docs, batch):
                db.executemany(f"INSERT INTO documents(rid, {cols}) VALUES (?, {marks})",
                               [(i, *doc_row(d, 1), now, i) for i, d in enumerate(chunk, written + 1)])
                db.executemany("INSERT INTO documents_fts(rowid, title, body, extra) VALUES (?, ?, ?, ?)",
                               [(i, *index_fields(d)) for i, d in enumerate(chunk, written + 1)])
                db.executemany("INSERT INTO mentions(doc_id, entity_id, canonical, label) VALUES (?, ?, ?, ?)",
                               [r for d in chunk for r in mention_rows(d)])
                written += len(chunk)
            for _, sql in indexes:
                db.execute(sql)
        db.execute("ANALYZE")
        return written

    # -- reading

    def get(self, doc_id: str) -> Document | None:
        row = self._db.execute(f"SELECT {_COLS} FROM documents d WHERE d.id = ?", (doc_id,)).fetchone()
        return row_doc(row) if row else None

    def get_by_url(self, url: str) -> Document | None:
        """The document whose canonical URL, or else fetched URL, is ``url``."""
        row = self._db.execute(f"SELECT {_COLS} FROM documents d WHERE d.canonical_url = ?", (url,)).fetchone()
        if row is None:
            row = self._db.execute(
                f"SELECT {_COLS} FROM documents d WHERE d.url = ? ORDER BY d.seq DESC LIMIT 1", (url,)
            ).fetchone()
        return row_doc(row) if row else None

    def versions(self, doc_id: str) -> list[Document]:
        """Every stored version of a document, oldest first (the last one is the current)."""
        rows = self._db.execute(
            "SELECT data FROM document_versions WHERE doc_id = ? ORDER BY version", (doc_id,)
        ).fetchall()
        current = self.get(doc_id)
        return [Document.from_dict(json.loads(str(r[0]))) for r in rows] + ([current] if current else [])

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
            self._db.set_progress_handler(cancelled, 10_000)  # a long scan stops once the caller has left
            try:
                return list(self._db.execute(sql, tuple(params)).fetchall())
            except apsw.InterruptError:
                raise SearchCancelled("search cancelled: the client went away") from None
            except apsw.SQLError as e:  # should not happen: the MATCH text is built from quoted tokens
                raise StoreError(f"search query {query!r} could not be run: {e}") from None
            finally:
                self._db.set_progress_handler(None)

        return run_search(execute, _DIALECT, "documents d", query, filters, facets, limit, offset, sort, collapse,
                          now)

    def iter_since(self, since: str | None = None) -> Iterator[Document]:
        """Documents stored or updated at or after ``since`` (ISO), oldest first, in pages.

        Reads in keyset pages, so memory stays flat, and stops at the last document present
        when iteration began, so writes made meanwhile cannot make it run forever.
        """
        db = self._db
        row = db.execute("SELECT max(seq) FROM documents").fetchone()
        last_seq = int(row[0] or 0) if row else 0
        if since:
            row = db.execute("SELECT min(seq) FROM documents WHERE stored_at >= ?", (since,)).fetchone()
            if not row or row[0] is None:
                return
            after = int(row[0]) - 1
        else:
            after = 0
        while True:
            rows = db.execute(
                f"SELECT {_COLS}, d.seq FROM documents d WHERE d.seq > ? AND d.seq <= ? "
                "AND (? IS NULL OR d.stored_at >= ?) ORDER BY d.seq LIMIT 500",
                (after, last_seq, since, since),
            ).fetchall()
            if not rows:
                return
            for r in rows:
                yield row_doc(r[:-1])
            after = int(rows[-1][-1])  # type: ignore[arg-type]

    def count(self, filters: dict[str, Any] | None = None) -> int:
        where, params = filter_sql(check_filters(filters), "?", "mentions")
        wsql = (" WHERE " + " AND ".join(where)) if where else ""
        row = self._db.execute(f"SELECT count(*) FROM documents d{wsql}", params).fetchone()
        return int(row[0]) if row else 0

    # -- small state

    def mark_once(self, namespace: str, key: str, value: str = "") -> bool:
        """Record ``(namespace, key)``; True the first time only (e.g. "alert already sent")."""
        with sqlite_transaction(self._db):
            self._db.execute(
                "INSERT INTO marks(namespace, key, value, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (namespace, key, value, utc_now_iso()),
            )
            return bool(self._db.changes())

    def was_marked(self, namespace: str, key: str) -> bool:
        row = self._db.execute("SELECT 1 FROM marks WHERE namespace = ? AND key = ?", (namespace, key)).fetchone()
        return row is not None

    def iter_marks(self) -> Iterator[tuple[str, str, str]]:
        """Every mark, ordered by (namespace, key), read in keyset pages so memory stays flat."""
        after = ("", "")
        while rows := self._db.execute(
            "SELECT namespace, key, value FROM marks WHERE (namespace, key) > (?, ?) "
            "ORDER BY namespace, key LIMIT 1000",
            after,
        ).fetchall():
            for r in rows:
                yield str(r[0]), str(r[1]), str(r[2])
            after = (str(rows[-1][0]), str(rows[-1][1]))

    def quarantine(self, url: str, source: str, reason: str, detail: str = "") -> None:
        """Keep a page that could not be stored, with why, for the health pages."""
        with sqlite_transaction(self._db):
            self._db.execute(
                "INSERT INTO quarantine(url, source, reason, detail, at) VALUES (?, ?, ?, ?, ?)",
                (url, source, reason, detail, utc_now_iso()),
            )

    def quarantined(self) -> list[dict[str, Any]]:
        rows = self._db.execute("SELECT url, source, reason, detail, at FROM quarantine ORDER BY qid")
        return [dict(zip(("url", "source", "reason", "detail", "at"), r, strict=True)) for r in rows]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
