"""The store interface every backend implements (SQLite FTS5 default, PostgreSQL for scale-out).

A store is composed of three parts, each a Protocol with its own contract suite in ``tests/contract``
that every backend passes: ``store.documents`` (:class:`DocumentStore`), ``store.crawl``
(:class:`CrawlStore`) and ``store.events`` (:class:`EventStore`). Callers never write SQL or
full-text set-up; a component takes only the part it needs (a crawl gets ``store.crawl``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from storage.models import Document, Event, FetchRecord, Link

if TYPE_CHECKING:
    from storage.events_store import StoredEvent

UpsertStatus = Literal["new", "updated", "unchanged"]


class StoreError(Exception):
    """A store could not be opened or used; the message says what to do next."""


class StoreFull(StoreError):
    """The disk (or the database's size limit) is full: the transaction in hand was rolled back whole."""


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
    # Set only when the search collapsed stories: the hit stands for its story (None: in no story),
    # which holds ``story_size`` documents, ``story_hits`` of them matching.
    story_id: str | None = None
    story_size: int | None = None
    story_hits: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
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
        if self.story_size is not None:
            out.update(story_id=self.story_id, story_size=self.story_size, story_hits=self.story_hits)
        return out


@dataclass
class SearchResult:
    hits: list[SearchHit]
    total: int  # matching documents (stories, when collapsed)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    sort: str = "relevance"
    collapsed: bool = False


class DocumentStore(Protocol):
    """Documents with their versions, full-text search and quarantine (``store.documents``).

    ``query`` is the query language of :mod:`storage.query` (docs/search.md); a query that cannot
    be read raises :class:`storage.query.QuerySyntaxError` (a StoreError) naming the position.
    ``filters`` keys: ``source``, ``kind``, ``lang``, ``entity_id`` (a watchlist id or name found in
    the document), ``since`` / ``until`` (ISO dates against ``published_at``), ``link``; they are
    ANDed with the query. ``facets`` names fields (``source``, ``kind``, ``lang``, ``entity_id``,
    ``day``, ``event``, ``stance``) whose value counts over all matches are returned. ``sort`` is
    ``relevance`` (default), ``date`` (newest first) or ``oldest``; ``collapse`` keeps one hit per
    story (the best by ``sort``) with the story's size.
    """

    def upsert(self, doc: Document) -> UpsertResult: ...

    def add(self, doc: Document) -> UpsertResult: ...

    def upsert_many(self, docs: Iterable[Document]) -> list[UpsertResult]: ...

    # Bulk fill of an empty store (every document new, stored as version 1; indexes built after the load).
    def load_new(self, docs: Iterable[Document], batch: int = 20_000) -> int: ...

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
        *,
        sort: str = "relevance",
        collapse: bool = False,
        now: datetime | None = None,
    ) -> SearchResult: ...

    def iter_since(self, since: str | None = None) -> Iterator[Document]: ...

    def count(self, filters: dict[str, Any] | None = None) -> int: ...

    def quarantine(self, url: str, source: str, reason: str, detail: str = "") -> None: ...

    def quarantined(self) -> list[dict[str, Any]]: ...


class CrawlStore(Protocol):
    """Crawl state (``store.crawl``): a frontier that survives kill -9, fetch validators, source health.

    Crawlers take it as their ``crawlers.state.CrawlState``; it shares the store's connection, so
    inside ``crawl_transaction()`` a page's documents and its "done" mark commit together.
    """

    def crawl_transaction(self) -> AbstractContextManager[Any]: ...

    def crawl_begin(self, source: str) -> list[dict[str, Any]]: ...

    def crawl_finish(self, source: str) -> None: ...

    def frontier_add(self, source: str, key: str, data: dict[str, Any]) -> bool: ...

    def frontier_state(self, source: str, key: str) -> str | None: ...

    def frontier_done(self, source: str, key: str, fetch: FetchRecord | None = None) -> None: ...

    def frontier_counts(self, source: str) -> dict[str, int]: ...

    # Reading the whole crawl state back, for ``newswatch migrate``.
    def open_crawls(self) -> list[str]: ...

    def frontier_entries(self, source: str) -> list[dict[str, Any]]: ...

    def iter_fetches(self) -> Iterator[FetchRecord]: ...

    def fetch_record(self, url: str) -> FetchRecord | None: ...

    def record_fetch(self, fetch: FetchRecord) -> None: ...

    # Pages that answered 404/410: a repeated 404 and any 410 are left alone for a while (backoff).
    def record_gone(self, source: str, url: str, status: int) -> str: ...

    def gone_until(self, url: str) -> str | None: ...

    def forget_gone(self, url: str) -> None: ...

    def gone_pages(self, source: str | None = None) -> list[dict[str, Any]]: ...

    def source_event(self, source: str, *, pages_fetched: int = 0, items_stored: int = 0, empty_bodies: int = 0,
                     not_modified: int = 0, success_at: str | None = None, delay_s: float | None = None) -> None: ...

    def source_health(self, sources: list[str] | None = None) -> list[dict[str, Any]]: ...

    # The health state as stored, read back and written as it was, for ``newswatch migrate``.
    def health_rows(self) -> list[dict[str, Any]]: ...

    def set_health(self, row: dict[str, Any]) -> None: ...

    def source_delays(self, source: str) -> list[float]: ...

    def set_source_delays(self, source: str, delays: list[float]) -> None: ...

    def set_gone(self, page: dict[str, Any]) -> None: ...

    def restore_quarantined(self, row: dict[str, Any]) -> None: ...


class EventStore(Protocol):
    """Events, links and stories across documents (``store.events``): what the correlator and the story
    stage read and write."""

    def put_events(self, doc_id: str, events: Sequence[Event], url: str | None = None,
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

    def cursors(self) -> dict[str, int]: ...

    def add_links(self, links: Sequence[Link], cursor: tuple[str, int] | None = None) -> list[Link]: ...

    def links(self, since: str | None = None, limit: int | None = None) -> list[Link]: ...

    def docs_for_link_key(self, key: str) -> set[str]: ...

    def story_signatures(self) -> Iterator[tuple[str, str, bytes | None]]: ...

    def iter_story_members(self, batch: int = 5000) -> Iterator[dict[str, Any]]: ...

    def story_of(self, doc_id: str) -> str | None: ...

    def story_members(self, story_id: str, limit: int = 200) -> list[str]: ...

    def put_story_member(self, doc_id: str, story_id: str, source: str, seen_at: str,
                         signature: bytes | None) -> dict[str, Any]: ...

    def story(self, story_id: str) -> dict[str, Any] | None: ...

    def stories(self, min_size: int = 1) -> list[dict[str, Any]]: ...

    def count_listing(self, entity_id: str, day: str, n: int = 1) -> None: ...

    def listing_counts(self, entity_id: str, start: str, end: str) -> dict[str, int]: ...

    def all_listing_counts(self) -> list[tuple[str, str, int]]: ...

    def set_listing_count(self, entity_id: str, day: str, n: int) -> None: ...


class Store(DocumentStore, Protocol):
    """One store: its three parts on one connection, plus the pipeline's small "done once" marks.

    The store is first of all its documents: ``store.documents`` is the store itself, so callers may
    ask for the part they need (``store.documents.search(...)``) or use the store directly.
    """

    @property
    def documents(self) -> DocumentStore: ...

    @property
    def crawl(self) -> CrawlStore: ...

    @property
    def events(self) -> EventStore: ...

    # Small key/value state the pipeline needs to be re-runnable (alerts already sent).
    def mark_once(self, namespace: str, key: str, value: str = "") -> bool: ...

    def was_marked(self, namespace: str, key: str) -> bool: ...

    # Every mark as (namespace, key, value), ordered by (namespace, key): what ``newswatch migrate`` copies.
    def iter_marks(self) -> Iterator[tuple[str, str, str]]: ...

    def close(self) -> None: ...
