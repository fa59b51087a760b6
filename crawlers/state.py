"""What a crawl needs to remember between runs, as an interface the caller supplies.

``crawlers`` never opens a store: the wiring (``pipeline.service.crawl_job``) passes one in through the
``NEWSWATCH_CRAWL_STATE`` setting, and any object with these methods will do (a store's ``crawl``
part, ``storage.base.CrawlStore``, has them). Without one, a crawl simply starts
from its source URLs every time. A state may also offer ``crawl_transaction()`` (a context
manager): the item sink then commits each page's item and its "done" mark in one transaction.
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

from storage.models import FetchRecord

STATE_SETTING = "NEWSWATCH_CRAWL_STATE"


class CrawlState(Protocol):
    def crawl_begin(self, source: str) -> list[dict[str, Any]]: ...

    def crawl_finish(self, source: str) -> None: ...

    def frontier_add(self, source: str, key: str, data: dict[str, Any]) -> bool: ...

    def frontier_done(self, source: str, key: str, fetch: FetchRecord | None = None) -> None: ...

    def frontier_counts(self, source: str) -> dict[str, int]: ...

    def fetch_record(self, url: str) -> FetchRecord | None: ...

    def source_event(self, source: str, *, pages_fetched: int = 0, items_stored: int = 0, empty_bodies: int = 0,
                     not_modified: int = 0, success_at: str | None = None, delay_s: float | None = None) -> None: ...


class StateRef:
    """Keeps the state object by reference inside Scrapy's settings (which deep-copy their values)."""

    def __init__(self, state: CrawlState) -> None:
        self.state = state

    def __copy__(self) -> StateRef:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> StateRef:
        return self


def body_hash(body: bytes) -> str:
    """Hash of a response body: equal bodies need no second extraction."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()
