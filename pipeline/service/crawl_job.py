"""A crawl run: spiders feed ingest item by item (analysis, storage and alerts while crawling).

This is the one place that knows both the crawler and the ingest pipeline; ``crawlers`` itself
never imports ``pipeline``: it hands items to the ``on_item`` callable given here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crawlers.runner import run_crawl
from pipeline.config import SourceConfig
from pipeline.ingest.ingestor import Ingestor
from pipeline.ingest.staged import ArrivalStage
from storage.models import Document


@dataclass
class CrawlReport:
    stored: dict[str, dict[str, int]] = field(default_factory=dict)
    quarantined: dict[str, int] = field(default_factory=dict)
    stats: Any = None
    store_errors: int = 0  # items the store refused (a full disk...): their pages are fetched again next time
    first_store_error: str = ""

    def failed_sources(self) -> list[str]:
        """Sources that gave nothing but errors: no document stored, none unchanged, something quarantined."""
        out = []
        for name, s in sorted((self.stats.sources if self.stats is not None else {}).items()):
            if s.errors and not s.items_yielded and not s.unchanged:
                out.append(name)
        return out

    def summary_lines(self) -> list[str]:
        """One line per crawled source: documents by status, quarantined pages by error class."""
        names = sorted(set(self.stored) | set(self.quarantined)
                       | set(self.stats.sources if self.stats is not None else {}))
        lines = []
        for name in names:
            counts = self.stored.get(name, {"new": 0, "updated": 0, "unchanged": 0})
            stats = self.stats.sources.get(name) if self.stats is not None else None
            errors = stats.errors if stats is not None else {}
            # unchanged: documents found equal to the stored ones, plus pages that answered 304 or the same bytes
            unchanged = counts["unchanged"] + (stats.unchanged if stats is not None else 0)
            why = ", ".join(f"{reason} {n}" for reason, n in sorted(errors.items()))
            lines.append(f"{name}: {counts['new']} new, {counts['updated']} updated, {unchanged} unchanged, "
                         f"{self.quarantined.get(name, 0)} quarantined{f' ({why})' if why else ''}")
        return lines


class LockedState:
    """The store's crawl state, used under the ingestor's lock.

    With a two-stage ingest the analysis worker stores documents on the same connection from
    another thread; holding the lock for every crawl-state call, and for the whole of a page's
    transaction (its item and its "done" mark), keeps the two from ever sharing a transaction.
    """

    def __init__(self, state: Any, lock: AbstractContextManager[Any]) -> None:
        self._state = state
        self._lock = lock

    @contextmanager
    def crawl_transaction(self) -> Iterator[None]:
        with self._lock, self._state.crawl_transaction():
            yield

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._state, name)
        if not callable(value):
            return value

        def locked(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return value(*args, **kwargs)

        return locked


def run_crawl_job(sources: list[SourceConfig], ingestor: Ingestor, settings: dict[str, Any] | None = None,
                  verbose: bool = True, rewrite: Callable[[Document], Document] | None = None,
                  incremental: bool = True, stage: ArrivalStage | None = None) -> CrawlReport:
    """Crawl ``sources`` once (Scrapy, in this process) and ingest every item as it arrives.

    With ``incremental`` (the default) the store keeps the crawl's frontier and fetch validators:
    a killed crawl resumes where it stopped and a re-crawl fetches only what changed.

    With ``stage`` (the two-stage ingest of ``ingestor``) each item gets its arrival stage at once
    and is noted for the analysis before its page is marked done; the caller closes the stage.

    ``rewrite`` may adjust each document before ingest (the demo pins its URLs to one origin).
    """
    report = CrawlReport()
    state: Any = ingestor.store.crawl if stage is None else LockedState(ingestor.store.crawl, ingestor.lock)
    lock = ingestor.lock

    def on_item(item: Any) -> None:
        try:
            store_item(item)
        except Exception as exc:
            report.store_errors += 1
            report.first_store_error = report.first_store_error or f"{type(exc).__name__}: {exc}"
            raise  # the page stays in the frontier: the next crawl fetches it again

    def store_item(item: Any) -> None:
        if isinstance(item, Document):
            if rewrite is not None:
                item = rewrite(item)
            result = ingestor.ingest(item) if stage is None else stage.take([item])[0][0]
            per = report.stored.setdefault(item.source, {"new": 0, "updated": 0, "unchanged": 0})
            per[result.status] += 1
            if result.status != "unchanged":
                state.source_event(item.source, items_stored=1, delay_s=publication_delay_s(item))
            return
        with lock:
            ingestor.store.quarantine(item.url, item.source, item.reason, getattr(item, "detail", "") or "")
        report.quarantined[item.source] = report.quarantined.get(item.source, 0) + 1
        if verbose:
            print(f"quarantined {item.url}: {item.reason}", file=sys.stderr)

    report.stats = run_crawl([s.to_spec() for s in sources if s.enabled], on_item, settings or {},
                             state=state if incremental else None)
    return report


def publication_delay_s(doc: Document) -> float | None:
    """Seconds from publication to fetch (a date-only publication counts from its midnight UTC)."""
    if not doc.published_at or not doc.fetched_at:
        return None
    try:
        pub = datetime.fromisoformat(doc.published_at.replace("Z", "+00:00"))
        fetched = datetime.fromisoformat(doc.fetched_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    if pub.tzinfo is None:
        pub = pub.replace(tzinfo=UTC)
    if fetched.tzinfo is None:
        fetched = fetched.replace(tzinfo=UTC)
    delay = (fetched - pub).total_seconds()
    return delay if delay >= 0 else None
