"""Run one crawl in this process, streaming every item to a callback as it arrives.

Twisted's reactor cannot restart: call ``run_crawl`` once per process (run further crawls in
subprocesses). Nothing is ever written to stdout; Scrapy logs at WARNING on stderr, and a live
progress line is drawn on stderr only when it is a terminal.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crawlers.item_sink import SINK_SETTING, SinkRef
from crawlers.items import Quarantined
from crawlers.settings import crawl_settings
from crawlers.shared_frontier import (
    CRAWL_NAME_SETTING,
    DEFAULT_CRAWL_NAME,
    DEFAULT_LEASE_S,
    FRONTIER_SETTING,
    LEASE_SETTING,
    REDIS_URL_SETTING,
    FrontierRef,
    SharedFrontier,
)
from crawlers.sources import normalize_sources
from crawlers.state import STATE_SETTING, CrawlState, StateRef
from storage.models import Document


@dataclass
class SourceStats:
    pages_fetched: int = 0
    items_yielded: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0  # pages that answered 304 or the same bytes as stored: fine, nothing to yield

    def to_dict(self) -> dict[str, Any]:
        return {"pages_fetched": self.pages_fetched, "items_yielded": self.items_yielded,
                "errors": dict(self.errors), "unchanged": self.unchanged}


@dataclass
class CrawlStats:
    """Per-source counts of one crawl: pages fetched, items yielded, errors by class."""

    sources: dict[str, SourceStats] = field(default_factory=dict)
    finish_reason: str | None = None
    elapsed_s: float = 0.0

    @property
    def pages_fetched(self) -> int:
        return sum(s.pages_fetched for s in self.sources.values())

    @property
    def items_yielded(self) -> int:
        return sum(s.items_yielded for s in self.sources.values())

    @property
    def errors(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for s in self.sources.values():
            for reason, n in s.errors.items():
                total[reason] = total.get(reason, 0) + n
        return total

    def to_dict(self) -> dict[str, Any]:
        return {"sources": {name: s.to_dict() for name, s in self.sources.items()},
                "finish_reason": self.finish_reason, "elapsed_s": round(self.elapsed_s, 3)}

    @classmethod
    def from_scrapy(cls, stats: dict[str, Any], source_names: list[str]) -> CrawlStats:
        out = cls(sources={name: SourceStats() for name in source_names},
                  finish_reason=stats.get("finish_reason"))
        for key, value in stats.items():
            parts = str(key).split("/")
            if parts[0] != "newswatch" or len(parts) < 3:
                continue
            source = parts[-1]
            s = out.sources.setdefault(source, SourceStats())
            if parts[1] == "pages_fetched":
                s.pages_fetched += int(value)
            elif parts[1] == "items":
                s.items_yielded += int(value)
            elif parts[1] in ("unchanged", "not_modified"):
                s.unchanged += int(value)
            elif parts[1] == "errors" and len(parts) == 4:
                s.errors[parts[2]] = s.errors.get(parts[2], 0) + int(value)
        return out


def run_crawl(
    sources: list[dict[str, Any]],
    on_item: Callable[[Document | Quarantined], None],
    settings: dict[str, Any] | None = None,
    progress: bool = True,
    state: CrawlState | None = None,
) -> CrawlStats:
    """Crawl ``sources`` (source spec dicts) and call ``on_item`` for each item as it is scraped.

    ``settings`` are Scrapy settings merged over ``crawlers.settings.DEFAULT_SETTINGS``.
    ``state`` (a store, see ``crawlers.state``) makes the crawl incremental and resumable: its
    frontier and fetch validators are kept there, committed page by page.
    Raises ``crawlers.sources.SourceError`` for an invalid spec before any request is made.
    """
    # Deferred on purpose: Scrapy and Twisted take a second to import; only a crawl needs them.
    from scrapy.crawler import CrawlerProcess

    from crawlers.spiders.newswatch import NewsWatchSpider  # deferred with Scrapy above: it subclasses scrapy.Spider

    specs = normalize_sources(sources)
    merged = crawl_settings(settings)
    level = str(merged.get("LOG_LEVEL", "WARNING"))
    for name in ("scrapy", "twisted", "trafilatura", "htmldate", "courlan", "py.warnings"):
        logging.getLogger(name).setLevel(level)

    reporter = _Progress.maybe(progress)
    if reporter is not None:
        sink: Callable[[Any], None] = reporter.wrap(on_item)
    else:
        sink = on_item
    merged[SINK_SETTING] = SinkRef(sink)
    if merged.get(REDIS_URL_SETTING):
        state = _shared(merged, state, specs)
    if state is not None:
        merged[STATE_SETTING] = StateRef(state)

    started = time.monotonic()
    from scrapy.settings import default_settings

    if hasattr(default_settings, "LOG_INSTALL_ROOT_HANDLER"):  # Scrapy >= 2.14
        merged.setdefault("LOG_INSTALL_ROOT_HANDLER", False)
        process = CrawlerProcess(merged)
    else:
        process = CrawlerProcess(merged, install_root_handler=False)
    crawler = process.create_crawler(NewsWatchSpider)
    process.crawl(crawler, sources=specs)
    try:
        if reporter is not None:
            with reporter:
                process.start()
        else:
            process.start()
    finally:
        elapsed = time.monotonic() - started
    raw = crawler.stats.get_stats() if crawler.stats is not None else {}
    stats = CrawlStats.from_scrapy(dict(raw), [s["name"] for s in specs])
    stats.elapsed_s = elapsed
    return stats


def _shared(merged: dict[str, Any], state: CrawlState | None, specs: list[dict[str, Any]]) -> CrawlState:
    """Frontier, duplicate filter and politeness in Redis (``crawlers.shared_frontier``), shared by every
    crawler process given the same ``NEWSWATCH_REDIS_URL`` and ``NEWSWATCH_CRAWL_NAME``; ``state`` (the
    store) keeps the rest."""

    # Processes share a crawl when they crawl the same sources: `newswatch run` starts one crawl per source.
    names = hashlib.blake2b("\n".join(sorted(s["name"] for s in specs)).encode(), digest_size=5).hexdigest()
    crawl = f"{merged.get(CRAWL_NAME_SETTING) or DEFAULT_CRAWL_NAME}:{names}"
    frontier = SharedFrontier(str(merged[REDIS_URL_SETTING]), crawl, inner=state,
                              lease_s=float(merged.get(LEASE_SETTING) or DEFAULT_LEASE_S))
    merged[FRONTIER_SETTING] = FrontierRef(frontier)
    merged["SCHEDULER"] = "crawlers.shared_frontier.RedisScheduler"
    merged["DOWNLOADER_MIDDLEWARES"] = {**merged.get("DOWNLOADER_MIDDLEWARES", {}),
                                        "crawlers.shared_frontier.SharedPolitenessMiddleware": 950}
    return frontier  # type: ignore[return-value]


class _Progress:
    """A one-line live count on stderr (rich), only when stderr is a terminal."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)
        self.docs = 0
        self.quarantined = 0
        self.status: Any = None

    @classmethod
    def maybe(cls, wanted: bool) -> _Progress | None:
        if not wanted or not sys.stderr.isatty():
            return None
        try:
            return cls()
        except Exception:
            return None

    def wrap(self, on_item: Callable[[Any], None]) -> Callable[[Any], None]:
        def counted(item: Any) -> None:
            if isinstance(item, Quarantined):
                self.quarantined += 1
            else:
                self.docs += 1
            if self.status is not None:
                self.status.update(self._text())
            on_item(item)

        return counted

    def _text(self) -> str:
        return f"crawling: {self.docs} documents, {self.quarantined} quarantined"

    def __enter__(self) -> _Progress:
        self.status = self.console.status(self._text())
        self.status.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.__exit__(None, None, None)
        self.console.print(self._text().replace("crawling", "crawled"), highlight=False)
