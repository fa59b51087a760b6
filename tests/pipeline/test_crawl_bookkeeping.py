"""Crawl bookkeeping: a page's document and its "done" mark are one transaction (a kill between them
cannot happen), and the crawl summary counts 304 answers as unchanged and lists quiet sources."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from crawlers.item_sink import ItemSink
from crawlers.runner import CrawlStats, SourceStats
from crawlers.state import STATE_SETTING, StateRef
from pipeline.service.crawl_job import CrawlReport
from storage.models import Document
from storage.sqlite_store import SQLiteStore


class Spider:
    """The spider's side of the sink: marks the page done in the store, as NewsWatchSpider does."""

    def __init__(self, store: SQLiteStore, fail_after_done: bool = False) -> None:
        self.store = store
        self.fail_after_done = fail_after_done

    def item_committed(self, item: Any) -> None:
        self.store.crawl.frontier_done("gazette", item.url)
        if self.fail_after_done:
            raise OSError("killed here")  # what a kill between the two writes would leave behind


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "store.db")
    s.crawl.crawl_begin("gazette")
    yield s
    s.close()


def sink_for(store: SQLiteStore, spider: Spider) -> ItemSink:
    crawler = SimpleNamespace(settings={STATE_SETTING: StateRef(store.crawl)}, spider=spider)
    return ItemSink(store.upsert, None, crawler)


def page(store: SQLiteStore, url: str) -> Document:
    store.crawl.frontier_add("gazette", url, {"url": url})
    return Document(url=url, text="The harbour reopened.", source="gazette")


def test_document_and_page_done_mark_commit_together(store) -> None:
    doc = page(store, "https://g.example/1")
    sink_for(store, Spider(store)).process_item(doc)
    assert store.get(doc.id) is not None and store.crawl.frontier_state("gazette", doc.url) == "done"


def test_a_failure_between_document_and_mark_keeps_neither(store) -> None:
    doc = page(store, "https://g.example/2")
    sink_for(store, Spider(store, fail_after_done=True)).process_item(doc)
    assert store.get(doc.id) is None  # not stored ...
    assert store.crawl.frontier_state("gazette", doc.url) == "pending"  # ... so the page is fetched again


def test_crawl_summary_counts_304_as_unchanged_and_lists_quiet_sources() -> None:
    report = CrawlReport(stored={"ledger": {"new": 1, "updated": 0, "unchanged": 2}},
                         stats=CrawlStats(sources={"ledger": SourceStats(pages_fetched=6, items_yielded=3, unchanged=3),
                                                   "quiet": SourceStats(pages_fetched=4, unchanged=4)}))
    assert report.summary_lines() == ["ledger: 1 new, 0 updated, 5 unchanged, 0 quarantined",
                                      "quiet: 0 new, 0 updated, 4 unchanged, 0 quarantined"]
