"""The one store interface every backend implements (SQLite FTS5 default, PostgreSQL for scale-out).

Callers never write SQL or full-text set-up: they add documents, get them back, search and
iterate. Every backend passes the same contract suite in ``tests/contract``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from storage.models import Document, FetchRecord

UpsertStatus = Literal["new", "updated", "unchanged"]


class StoreError(Exception):
    """A store could not be opened or used; the message says what to do next."""


class StoreReadOnly(StoreError):
    """A write reached a store this process may only read (file permissions, a read-only mount)."""


@dataclass
class UpsertResult:
    id: str
    status: UpsertStatus
    version: int


@dataclass
class SearchHit:
    """One search result, in the shape of ``newswatch search --json`` (no markup anywhere)."""

    id: str
    url: str
    title: str | None
    published_at: str | None
    source: str
    kind: str
    score: float
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "published_at": self.published_at,
            "source": self.source,
            "kind": self.kind,
            "score": self.score,
            "snippet": self.snippet,
            "highlights": [list(h) for h in self.highlights],
        }


@dataclass
class SearchResult:
    hits: list[SearchHit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class Store(Protocol):
    """Persistence of documents with full-text search.

    ``filters`` keys: ``source``, ``kind``, ``lang``, ``entity_id`` (a watchlist id found in the
    document), ``since`` / ``until`` (ISO dates against ``published_at``). ``facets`` names fields
    (``source``, ``kind``, ``lang``, ``entity_id``) whose value counts over all matches are returned.
    """

    def upsert(self, doc: Document) -> UpsertResult: ...

    def add(self, doc: Document) -> UpsertResult: ...

    def get(self, doc_id: str) -> Document | None: ...

    def get_by_url(self, url: str) -> Document | None: ...

    def versions(self, doc_id: str) -> list[Document]: ...

    def search(
        self,
        query: str,
        filters: dict[str, Any] | None = None,
        facets: list[str] | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResult: ...

    def iter_since(self, since: str | None = None) -> Iterator[Document]: ...

    def count(self, filters: dict[str, Any] | None = None) -> int: ...

    # Small key/value state the pipeline needs to be re-runnable (alerts already sent, crawl frontier).
    def mark_once(self, namespace: str, key: str, value: str = "") -> bool: ...

    def was_marked(self, namespace: str, key: str) -> bool: ...

    def quarantine(self, url: str, source: str, reason: str, detail: str = "") -> None: ...

    def quarantined(self) -> list[dict[str, Any]]: ...

    # Crawl state (see storage.crawl_state): a frontier that survives kill -9, fetch validators, health.
    def crawl_begin(self, source: str) -> list[dict[str, Any]]: ...

    def crawl_finish(self, source: str) -> None: ...

    def frontier_add(self, source: str, key: str, data: dict[str, Any]) -> bool: ...

    def frontier_state(self, source: str, key: str) -> str | None: ...

    def frontier_done(self, source: str, key: str, fetch: FetchRecord | None = None) -> None: ...

    def fetch_record(self, url: str) -> FetchRecord | None: ...

    def record_fetch(self, fetch: FetchRecord) -> None: ...

    def source_event(self, source: str, *, pages_fetched: int = 0, items_stored: int = 0, empty_bodies: int = 0,
                     not_modified: int = 0, success_at: str | None = None, delay_s: float | None = None) -> None: ...

    def source_health(self, sources: list[str] | None = None) -> list[dict[str, Any]]: ...

    def close(self) -> None: ...
