"""Crawl state kept in the store: the frontier, fetch validators and per-source health.

Scrapy's JOBDIR survives only a graceful stop; a crawl killed with SIGKILL loses it. Here every
scheduled request, every finished page and every counter is one committed row, so a killed crawl
resumes from the store and a re-crawl sends conditional GETs (ETag / Last-Modified).

Tables (one migration, appended to both backends' ``MIGRATIONS``):

- ``crawl_runs``: one row per source whose crawl is in progress (deleted when it finishes);
- ``crawl_frontier``: requests of the running crawl, ``pending`` then ``done``;
- ``crawl_fetches``: per canonical URL, the last good fetch (ETag, Last-Modified, body hash);
- ``source_health`` / ``source_delays``: counters and publication-to-fetch delays per source.

The classes below are each backend's ``store.crawl`` (:class:`storage.base.CrawlStore`), sharing the
store's connection so that a page's item and its "done" mark commit together; keys are canonical URLs
chosen by the caller.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.models import FetchRecord, utc_now_iso
from storage.sqlite_tx import sqlite_transaction

HEALTH_COUNTERS: tuple[str, ...] = ("pages_fetched", "items_stored", "empty_bodies", "not_modified")
MAX_DELAYS_PER_SOURCE = 5000  # the median is over the most recent delays


_SQL_TABLES = """
CREATE TABLE crawl_runs(
    source TEXT PRIMARY KEY,
    started_at TEXT NOT NULL
);
CREATE TABLE crawl_frontier(
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL,
    data TEXT NOT NULL,
    seq {serial},
    PRIMARY KEY (source, key)
);
CREATE TABLE crawl_fetches(
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT,
    fetched_at TEXT NOT NULL
);
CREATE TABLE source_health(
    source TEXT PRIMARY KEY,
    last_success TEXT,
    pages_fetched BIGINT NOT NULL DEFAULT 0,
    items_stored BIGINT NOT NULL DEFAULT 0,
    empty_bodies BIGINT NOT NULL DEFAULT 0,
    not_modified BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE source_delays(
    did {serial_pk},
    source TEXT NOT NULL,
    delay_s DOUBLE PRECISION NOT NULL
);
CREATE INDEX source_delays_source ON source_delays(source, did);
"""


def sqlite_migration(db: Any) -> None:
    """Crawl-state tables for :mod:`storage.sqlite_store` (an apsw connection)."""
    db.execute(_SQL_TABLES.format(serial="INTEGER NOT NULL DEFAULT 0", serial_pk="INTEGER PRIMARY KEY"))


def postgres_migration(cur: Any, s: str) -> None:
    """Crawl-state tables for :mod:`storage.postgres_store` in schema ``s``."""
    sql = _SQL_TABLES.format(serial="bigserial", serial_pk="bigserial PRIMARY KEY")
    sql = sql.replace("CREATE TABLE ", f"CREATE TABLE {s}.").replace(" ON source_delays", f" ON {s}.source_delays")
    cur.execute(sql)


_GONE_TABLE = """
CREATE TABLE IF NOT EXISTS crawl_gone(
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    status INTEGER NOT NULL,
    misses INTEGER NOT NULL,
    last_at TEXT NOT NULL,
    retry_at TEXT NOT NULL
);
"""

GONE_FIRST_BACKOFF_S = 86400.0
"""A page that answered 404 twice in a row is not asked again for a day, then 2, 4, ... days."""
GONE_MAX_BACKOFF_S = 30 * 86400.0
"""Nor for more than this; a 410 (gone for good, said the server) waits this long at once."""


def gone_retry_after_s(status: int, misses: int) -> float:
    """How long a page that answered ``status`` ``misses`` times in a row is left alone.

    One 404 can be a publisher's slip (the next crawl asks again); a repeated one backs off
    exponentially; 410 means gone on purpose.
    """
    if status == 410:
        return GONE_MAX_BACKOFF_S
    if misses < 2:
        return 0.0
    return min(GONE_FIRST_BACKOFF_S * 2 ** (misses - 2), GONE_MAX_BACKOFF_S)


def sqlite_gone_migration(db: Any) -> None:
    """Pages that answered 404/410, for :mod:`storage.sqlite_store`."""
    db.execute(_GONE_TABLE)


def postgres_gone_migration(cur: Any, s: str) -> None:
    """Pages that answered 404/410, for :mod:`storage.postgres_store` in schema ``s``."""
    cur.execute(_GONE_TABLE.replace(" crawl_gone(", f" {s}.crawl_gone("))


def _iso_in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _health_row(source: str, row: tuple[Any, ...] | None, errors: dict[str, int],
                delays: list[float]) -> dict[str, Any]:
    last, pages, items, empty, not_modified = row or (None, 0, 0, 0, 0)
    pages = int(pages or 0)
    return {
        "source": source,
        "last_success": last,
        "pages_fetched": pages,
        "items_stored": int(items or 0),
        "errors": dict(sorted(errors.items())),
        "empty_body_rate": round(int(empty or 0) / pages, 4) if pages else 0.0,
        "median_delay_s": round(float(statistics.median(delays)), 3) if delays else None,
        "not_modified": int(not_modified or 0),
    }


class _CrawlStateBase:
    """SQL shared by both backends; subclasses say how to run it (placeholders, transactions)."""

    _ph = "?"

    def _t(self, name: str) -> str:
        return name

    def _tx(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        raise NotImplementedError

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self._run(sql, params).fetchall()]

    def _q(self, sql: str) -> str:
        return sql.replace("?", self._ph)

    def crawl_transaction(self) -> AbstractContextManager[Any]:
        """One transaction for a page's item and its "done" mark (everything inside joins it)."""
        return self._tx()

    # -- the frontier of a running crawl

    def crawl_begin(self, source: str) -> list[dict[str, Any]]:
        """Start (or resume) the crawl of ``source``; returns the pending requests of a killed run.

        An empty list means a fresh run: the frontier of any earlier, finished run is gone.
        """
        with self._tx():
            row = self._rows(self._q(f"SELECT started_at FROM {self._t('crawl_runs')} WHERE source = ?"), (source,))
            if row:
                pending = self._rows(self._q(
                    f"SELECT data FROM {self._t('crawl_frontier')} WHERE source = ? AND state = 'pending' "
                    "ORDER BY seq"), (source,))
                return [json.loads(str(r[0])) for r in pending]
            self._run(self._q(f"DELETE FROM {self._t('crawl_frontier')} WHERE source = ?"), (source,))
            self._run(self._q(f"INSERT INTO {self._t('crawl_runs')}(source, started_at) VALUES (?, ?)"),
                      (source, utc_now_iso()))
        return []

    def crawl_finish(self, source: str) -> None:
        """The crawl of ``source`` ran to its end: forget its frontier (the next run starts afresh)."""
        with self._tx():
            self._run(self._q(f"DELETE FROM {self._t('crawl_runs')} WHERE source = ?"), (source,))
            self._run(self._q(f"DELETE FROM {self._t('crawl_frontier')} WHERE source = ?"), (source,))

    def frontier_add(self, source: str, key: str, data: dict[str, Any]) -> bool:
        """Record a scheduled request; False when ``key`` is already pending or done in this run."""
        with self._tx():
            return self._frontier_insert(source, key, data)

    def _frontier_insert(self, source: str, key: str, data: dict[str, Any]) -> bool:
        raise NotImplementedError

    def frontier_state(self, source: str, key: str) -> str | None:
        """``pending``, ``done`` or None (never scheduled in this run)."""
        rows = self._rows(self._q(f"SELECT state FROM {self._t('crawl_frontier')} WHERE source = ? AND key = ?"),
                          (source, key))
        return str(rows[0][0]) if rows else None

    def frontier_done(self, source: str, key: str, fetch: FetchRecord | None = None) -> None:
        """Mark ``key`` done (and remember its validators) in one transaction, after its items are stored."""
        with self._tx():
            self._run(self._q(f"UPDATE {self._t('crawl_frontier')} SET state = 'done' WHERE source = ? AND key = ?"),
                      (source, key))
            if fetch is not None:
                self._put_fetch(fetch)

    def open_crawls(self) -> list[str]:
        """Sources whose crawl began and has not finished (their frontier is kept), sorted."""
        return sorted(str(r[0]) for r in self._rows(f"SELECT source FROM {self._t('crawl_runs')}"))

    def frontier_entries(self, source: str) -> list[dict[str, Any]]:
        """The frontier of ``source``'s open run in scheduling order: ``key``, ``state``, ``data``."""
        rows = self._rows(self._q(f"SELECT key, state, data FROM {self._t('crawl_frontier')} WHERE source = ? "
                                  "ORDER BY seq, key"), (source,))
        return [{"key": str(k), "state": str(st), "data": json.loads(str(d))} for k, st, d in rows]

    def iter_fetches(self) -> Iterator[FetchRecord]:
        """Every remembered fetch (validators), ordered by URL, read in keyset pages."""
        after = ""
        collate = ' COLLATE "C"' if self._ph == "%s" else ""
        while rows := self._rows(self._q(
                f"SELECT url, etag, last_modified, content_hash, fetched_at FROM {self._t('crawl_fetches')} "
                f"WHERE url{collate} > ? ORDER BY url{collate} LIMIT 1000"), (after,)):
            yield from (FetchRecord(*r) for r in rows)
            after = str(rows[-1][0])

    def frontier_counts(self, source: str) -> dict[str, int]:
        rows = self._rows(self._q(f"SELECT state, count(*) FROM {self._t('crawl_frontier')} WHERE source = ? "
                                  "GROUP BY state"), (source,))
        return {str(k): int(n) for k, n in rows}

    # -- the health state read back and written as it was, for ``newswatch migrate``

    def health_rows(self) -> list[dict[str, Any]]:
        """The raw health counters of every source (not the derived ``source_health`` view), by source."""
        cols = ("source", "last_success", *HEALTH_COUNTERS)
        rows = self._rows(f"SELECT {', '.join(cols)} FROM {self._t('source_health')} ORDER BY source")
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def set_health(self, row: dict[str, Any]) -> None:
        """Set one source's counters to ``row`` (a :meth:`health_rows` row): a copy, not an addition."""
        cols = ("source", "last_success", *HEALTH_COUNTERS)
        sets = ", ".join(f"{c} = excluded.{c}" for c in cols[1:])
        with self._tx():
            self._run(self._q(f"INSERT INTO {self._t('source_health')}({', '.join(cols)}) VALUES "
                              f"({', '.join('?' * len(cols))}) ON CONFLICT (source) DO UPDATE SET {sets}"),
                      tuple(row.get(c) if c in ("source", "last_success") else int(row.get(c) or 0) for c in cols))

    def source_delays(self, source: str) -> list[float]:
        """The recorded download delays of ``source``, oldest first (what its median is taken over)."""
        return [float(r[0]) for r in self._rows(self._q(
            f"SELECT delay_s FROM {self._t('source_delays')} WHERE source = ? ORDER BY did"), (source,))]

    def set_source_delays(self, source: str, delays: list[float]) -> None:
        """Replace the recorded delays of ``source`` with ``delays`` (oldest first)."""
        with self._tx():
            self._run(self._q(f"DELETE FROM {self._t('source_delays')} WHERE source = ?"), (source,))
            for d in delays:
                self._run(self._q(f"INSERT INTO {self._t('source_delays')}(source, delay_s) VALUES (?, ?)"),
                          (source, float(d)))

    def set_gone(self, page: dict[str, Any]) -> None:
        """Write one gone page as :meth:`gone_pages` gave it (status, misses, last seen, next try kept)."""
        cols = ("url", "source", "status", "misses", "last_at", "retry_at")
        sets = ", ".join(f"{c} = excluded.{c}" for c in cols[1:])
        with self._tx():
            self._run(self._q(f"INSERT INTO {self._t('crawl_gone')}({', '.join(cols)}) VALUES "
                              f"({', '.join('?' * len(cols))}) ON CONFLICT (url) DO UPDATE SET {sets}"),
                      tuple(page[c] for c in cols))

    def restore_quarantined(self, row: dict[str, Any]) -> None:
        """Add one quarantined page as :meth:`DocumentStore.quarantined` gave it, with its own time."""
        with self._tx():
            self._run(self._q(f"INSERT INTO {self._t('quarantine')}(url, source, reason, detail, at) "
                              "VALUES (?, ?, ?, ?, ?)"),
                      (row["url"], row["source"], row["reason"], row.get("detail") or "", row["at"]))

    # -- validators of past fetches

    def _put_fetch(self, fetch: FetchRecord) -> None:
        self._run(self._q(
            f"INSERT INTO {self._t('crawl_fetches')}(url, etag, last_modified, content_hash, fetched_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, "
            "last_modified = excluded.last_modified, content_hash = excluded.content_hash, "
            "fetched_at = excluded.fetched_at"),
            (fetch.url, fetch.etag, fetch.last_modified, fetch.content_hash, fetch.fetched_at or utc_now_iso()))

    # -- pages that are gone (404, 410)

    def record_gone(self, source: str, url: str, status: int) -> str:
        """Note that ``url`` answered ``status`` (404 or 410); returns when it may be fetched again."""
        with self._tx():
            rows = self._rows(self._q(f"SELECT misses, status FROM {self._t('crawl_gone')} WHERE url = ?"), (url,))
            misses = int(rows[0][0]) + 1 if rows else 1
            retry_at = _iso_in(gone_retry_after_s(status, misses))
            self._run(self._q(
                f"INSERT INTO {self._t('crawl_gone')}(url, source, status, misses, last_at, retry_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET source = excluded.source, "
                "status = excluded.status, misses = excluded.misses, last_at = excluded.last_at, "
                "retry_at = excluded.retry_at"), (url, source, status, misses, utc_now_iso(), retry_at))
        return retry_at

    def gone_until(self, url: str) -> str | None:
        """When a gone page may be fetched again, if that is still in the future (else None: fetch it)."""
        rows = self._rows(self._q(f"SELECT retry_at FROM {self._t('crawl_gone')} WHERE url = ?"), (url,))
        if rows and str(rows[0][0]) > utc_now_iso():
            return str(rows[0][0])
        return None

    def forget_gone(self, url: str) -> None:
        """``url`` answered again: it is no longer gone."""
        with self._tx():
            self._run(self._q(f"DELETE FROM {self._t('crawl_gone')} WHERE url = ?"), (url,))

    def gone_pages(self, source: str | None = None) -> list[dict[str, Any]]:
        """The pages noted gone (of ``source``): url, status, misses in a row, last seen, next try."""
        where, args = (" WHERE source = ?", (source,)) if source else ("", ())
        rows = self._rows(self._q(f"SELECT url, source, status, misses, last_at, retry_at FROM "
                                  f"{self._t('crawl_gone')}{where} ORDER BY source, url"), args)
        return [{"url": str(u), "source": str(s), "status": int(st), "misses": int(m), "last_at": str(la),
                 "retry_at": str(ra)} for u, s, st, m, la, ra in rows]

    def record_fetch(self, fetch: FetchRecord) -> None:
        with self._tx():
            self._put_fetch(fetch)

    def fetch_record(self, url: str) -> FetchRecord | None:
        rows = self._rows(self._q(f"SELECT url, etag, last_modified, content_hash, fetched_at "
                                  f"FROM {self._t('crawl_fetches')} WHERE url = ?"), (url,))
        return FetchRecord(*rows[0]) if rows else None

    # -- source health

    def source_event(self, source: str, *, pages_fetched: int = 0, items_stored: int = 0, empty_bodies: int = 0,
                     not_modified: int = 0, success_at: str | None = None, delay_s: float | None = None) -> None:
        """Add to the health counters of ``source`` (one transaction)."""
        with self._tx():
            self._run(self._q(
                f"INSERT INTO {self._t('source_health')}(source, last_success, pages_fetched, items_stored, "
                "empty_bodies, not_modified) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source) DO UPDATE SET "
                f"last_success = COALESCE(excluded.last_success, {self._t('source_health')}.last_success), "
                f"pages_fetched = {self._t('source_health')}.pages_fetched + excluded.pages_fetched, "
                f"items_stored = {self._t('source_health')}.items_stored + excluded.items_stored, "
                f"empty_bodies = {self._t('source_health')}.empty_bodies + excluded.empty_bodies, "
                f"not_modified = {self._t('source_health')}.not_modified + excluded.not_modified"),
                (source, success_at, pages_fetched, items_stored, empty_bodies, not_modified))
            if delay_s is not None:
                self._run(self._q(f"INSERT INTO {self._t('source_delays')}(source, delay_s) VALUES (?, ?)"),
                          (source, float(delay_s)))

    def source_health(self, sources: list[str] | None = None) -> list[dict[str, Any]]:
        """One row per source (those named, plus any with recorded state), sorted by name.

        Shape of ``newswatch sources --json`` (``errors`` counts quarantined pages by class), plus
        ``not_modified`` (pages answered 304 on a re-crawl).
        """
        health = {str(r[0]): r[1:] for r in self._rows(
            f"SELECT source, last_success, pages_fetched, items_stored, empty_bodies, not_modified "
            f"FROM {self._t('source_health')}")}
        errors: dict[str, dict[str, int]] = {}
        for source, reason, n in self._rows(
                f"SELECT source, reason, count(*) FROM {self._t('quarantine')} GROUP BY source, reason"):
            errors.setdefault(str(source), {})[str(reason)] = int(n)
        gone = {str(src): int(n) for src, n in self._rows(
            f"SELECT source, count(*) FROM {self._t('crawl_gone')} GROUP BY source")}
        names = sorted(set(sources or []) | set(health) | set(errors) | set(gone))
        out = []
        for name in names:
            delays = [float(r[0]) for r in self._rows(self._q(
                f"SELECT delay_s FROM {self._t('source_delays')} WHERE source = ? ORDER BY did DESC LIMIT "
                f"{MAX_DELAYS_PER_SOURCE}"), (name,))]
            out.append({**_health_row(name, health.get(name), errors.get(name, {}), delays),
                        "gone_pages": gone.get(name, 0)})
        return out


class SQLiteCrawlState(_CrawlStateBase):
    """The crawl part of :class:`storage.sqlite_store.SQLiteStore`, on the store's apsw connection."""

    def __init__(self, db: Any) -> None:
        self._db = db

    def _tx(self) -> AbstractContextManager[Any]:
        return sqlite_transaction(self._db)

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self._db.execute(sql, params)

    def _frontier_insert(self, source: str, key: str, data: dict[str, Any]) -> bool:
        # seq orders the resumed requests; nanoseconds grow across processes too.
        self._db.execute(
            "INSERT INTO crawl_frontier(source, key, state, data, seq) VALUES (?, ?, 'pending', ?, ?) "
            "ON CONFLICT DO NOTHING", (source, key, json.dumps(data, ensure_ascii=False), time.time_ns()))
        return bool(self._db.changes())


class PostgresCrawlState(_CrawlStateBase):
    """The crawl part of :class:`storage.postgres_store.PostgresStore`, on its connection and schema."""

    _ph = "%s"

    def __init__(self, conn: Any, schema_sql: str) -> None:
        self._conn = conn
        self._s = schema_sql

    def _t(self, name: str) -> str:
        return f"{self._s}.{name}"

    def _tx(self) -> AbstractContextManager[Any]:
        return self._conn.transaction()

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self._conn.execute(sql, params)

    def _frontier_insert(self, source: str, key: str, data: dict[str, Any]) -> bool:
        cur = self._conn.execute(
            f"INSERT INTO {self._s}.crawl_frontier(source, key, state, data) VALUES (%s, %s, 'pending', %s) "
            "ON CONFLICT DO NOTHING", (source, key, json.dumps(data, ensure_ascii=False)))
        return bool(cur.rowcount == 1)


