"""Crawl state (frontier, fetch validators, source health) behaves the same on every backend."""

from __future__ import annotations

import test_store_contract as _suite

from storage.base import Store
from storage.models import FetchRecord

# The same fixtures as the store suite: every test runs on SQLite and on PostgreSQL.
opener = _suite.opener
store = _suite.store


def test_fresh_crawl_has_nothing_to_resume(store: Store) -> None:
    assert store.crawl_begin("news") == []


def test_frontier_add_is_true_once_per_key_and_run(store: Store) -> None:
    store.crawl_begin("news")
    assert store.frontier_add("news", "https://a.test/1", {"url": "https://a.test/1"}) is True
    assert store.frontier_add("news", "https://a.test/1", {"url": "https://a.test/1"}) is False
    assert store.frontier_add("shop", "https://a.test/1", {"url": "https://a.test/1"}) is True
    assert store.frontier_state("news", "https://a.test/1") == "pending"
    assert store.frontier_state("news", "https://a.test/2") is None


def test_unfinished_run_resumes_with_pending_requests_in_order(opener) -> None:
    first = opener()
    first.crawl_begin("news")
    for i in range(4):
        first.frontier_add("news", f"https://a.test/{i}", {"url": f"https://a.test/{i}", "callback": "parse_page"})
    first.frontier_done("news", "https://a.test/1")
    first.close()  # as if the process died here
    again = opener()
    pending = again.crawl_begin("news")
    assert [p["url"] for p in pending] == ["https://a.test/0", "https://a.test/2", "https://a.test/3"]
    assert again.frontier_state("news", "https://a.test/1") == "done"
    assert again.frontier_add("news", "https://a.test/1", {"url": "https://a.test/1"}) is False


def test_finished_run_starts_afresh(store: Store) -> None:
    store.crawl_begin("news")
    store.frontier_add("news", "https://a.test/1", {"url": "https://a.test/1"})
    store.crawl_finish("news")
    assert store.crawl_begin("news") == []
    assert store.frontier_state("news", "https://a.test/1") is None


def test_frontier_done_keeps_validators_for_conditional_get(store: Store) -> None:
    store.crawl_begin("news")
    store.frontier_add("news", "https://a.test/1", {})
    store.frontier_done("news", "https://a.test/1",
                        FetchRecord("https://a.test/1", etag='"v1"', last_modified="Wed, 04 Mar 2026 09:00:00 GMT",
                                    content_hash="abc"))
    got = store.fetch_record("https://a.test/1")
    assert got is not None
    assert (got.etag, got.last_modified, got.content_hash) == ('"v1"', "Wed, 04 Mar 2026 09:00:00 GMT", "abc")
    store.record_fetch(FetchRecord("https://a.test/1", etag='"v2"'))
    got = store.fetch_record("https://a.test/1")
    assert got is not None and got.etag == '"v2"' and got.content_hash is None
    assert store.fetch_record("https://a.test/none") is None


def test_source_health_counts_pages_items_errors_and_delays(store: Store) -> None:
    store.source_event("news", pages_fetched=3, items_stored=2, success_at="2026-03-04T10:00:00Z", delay_s=60)
    store.source_event("news", pages_fetched=1, empty_bodies=1, delay_s=120)
    store.source_event("news", items_stored=1, delay_s=3600)
    store.quarantine("https://a.test/x", "news", "http_4xx", "HTTP 404")
    store.quarantine("https://a.test/y", "news", "http_4xx", "HTTP 410")
    store.quarantine("https://a.test/z", "news", "timeout")
    rows = {r["source"]: r for r in store.source_health(["news", "idle"])}
    news = rows["news"]
    assert news["pages_fetched"] == 4 and news["items_stored"] == 3
    assert news["last_success"] == "2026-03-04T10:00:00Z"
    assert news["errors"] == {"http_4xx": 2, "timeout": 1}
    assert news["empty_body_rate"] == 0.25
    assert news["median_delay_s"] == 120
    assert rows["idle"] == {"source": "idle", "last_success": None, "pages_fetched": 0, "items_stored": 0,
                            "errors": {}, "empty_body_rate": 0.0, "median_delay_s": None, "not_modified": 0}


def test_source_health_survives_reopen(opener) -> None:
    s = opener()
    s.source_event("feeds", pages_fetched=2, not_modified=2, success_at="2026-03-04T10:00:00Z")
    s.close()
    row = opener().source_health()[0]
    assert (row["source"], row["pages_fetched"], row["not_modified"]) == ("feeds", 2, 2)
