"""Crawl state (frontier, fetch validators, source health) behaves the same on every backend."""

from __future__ import annotations

from storage.base import Store
from storage.models import Document, FetchRecord


def test_fresh_crawl_has_nothing_to_resume(store: Store) -> None:
    assert store.crawl.crawl_begin("news") == []


def test_frontier_add_is_true_once_per_key_and_run(store: Store) -> None:
    store.crawl.crawl_begin("news")
    assert store.crawl.frontier_add("news", "https://a.test/1", {"url": "https://a.test/1"}) is True
    assert store.crawl.frontier_add("news", "https://a.test/1", {"url": "https://a.test/1"}) is False
    assert store.crawl.frontier_add("shop", "https://a.test/1", {"url": "https://a.test/1"}) is True
    assert store.crawl.frontier_state("news", "https://a.test/1") == "pending"
    assert store.crawl.frontier_state("news", "https://a.test/2") is None


def test_unfinished_run_resumes_with_pending_requests_in_order(opener) -> None:
    first = opener()
    first.crawl.crawl_begin("news")
    for i in range(4):
        first.crawl.frontier_add("news", f"https://a.test/{i}",
                                 {"url": f"https://a.test/{i}", "callback": "parse_page"})
    first.crawl.frontier_done("news", "https://a.test/1")
    first.close()  # as if the process died here
    again = opener()
    pending = again.crawl.crawl_begin("news")
    assert [p["url"] for p in pending] == ["https://a.test/0", "https://a.test/2", "https://a.test/3"]
    assert again.crawl.frontier_state("news", "https://a.test/1") == "done"
    assert again.crawl.frontier_add("news", "https://a.test/1", {"url": "https://a.test/1"}) is False


def test_finished_run_starts_afresh(store: Store) -> None:
    store.crawl.crawl_begin("news")
    store.crawl.frontier_add("news", "https://a.test/1", {"url": "https://a.test/1"})
    store.crawl.crawl_finish("news")
    assert store.crawl.crawl_begin("news") == []
    assert store.crawl.frontier_state("news", "https://a.test/1") is None


def test_frontier_done_keeps_validators_for_conditional_get(store: Store) -> None:
    store.crawl.crawl_begin("news")
    store.crawl.frontier_add("news", "https://a.test/1", {})
    store.crawl.frontier_done("news", "https://a.test/1",
                        FetchRecord("https://a.test/1", etag='"v1"', last_modified="Wed, 04 Mar 2026 09:00:00 GMT",
                                    content_hash="abc"))
    got = store.crawl.fetch_record("https://a.test/1")
    assert got is not None
    assert (got.etag, got.last_modified, got.content_hash) == ('"v1"', "Wed, 04 Mar 2026 09:00:00 GMT", "abc")
    store.crawl.record_fetch(FetchRecord("https://a.test/1", etag='"v2"'))
    got = store.crawl.fetch_record("https://a.test/1")
    assert got is not None and got.etag == '"v2"' and got.content_hash is None
    assert store.crawl.fetch_record("https://a.test/none") is None


def test_source_health_counts_pages_items_errors_and_delays(store: Store) -> None:
    store.crawl.source_event("news", pages_fetched=3, items_stored=2, success_at="2026-03-04T10:00:00Z", delay_s=60)
    store.crawl.source_event("news", pages_fetched=1, empty_bodies=1, delay_s=120)
    store.crawl.source_event("news", items_stored=1, delay_s=3600)
    store.quarantine("https://a.test/x", "news", "http_4xx", "HTTP 404")
    store.quarantine("https://a.test/y", "news", "http_4xx", "HTTP 410")
    store.quarantine("https://a.test/z", "news", "timeout")
    rows = {r["source"]: r for r in store.crawl.source_health(["news", "idle"])}
    news = rows["news"]
    assert news["pages_fetched"] == 4 and news["items_stored"] == 3
    assert news["last_success"] == "2026-03-04T10:00:00Z"
    assert news["errors"] == {"http_4xx": 2, "timeout": 1}
    assert news["empty_body_rate"] == 0.25
    assert news["median_delay_s"] == 120
    assert rows["idle"] == {"source": "idle", "last_success": None, "pages_fetched": 0, "items_stored": 0,
                            "errors": {}, "empty_body_rate": 0.0, "median_delay_s": None, "not_modified": 0,
                            "gone_pages": 0}


def test_source_health_survives_reopen(opener) -> None:
    s = opener()
    s.crawl.source_event("feeds", pages_fetched=2, not_modified=2, success_at="2026-03-04T10:00:00Z")
    s.close()
    row = opener().crawl.source_health()[0]
    assert (row["source"], row["pages_fetched"], row["not_modified"]) == ("feeds", 2, 2)


def test_frontier_counts_pending_and_done_per_source(store: Store) -> None:
    crawl = store.crawl
    crawl.crawl_begin("news")
    for i in range(3):
        crawl.frontier_add("news", f"https://a.test/{i}", {})
    crawl.frontier_add("shop", "https://b.test/1", {})
    crawl.frontier_done("news", "https://a.test/0")
    assert crawl.frontier_counts("news") == {"pending": 2, "done": 1}
    assert crawl.frontier_counts("idle") == {}


def test_a_page_and_its_done_mark_commit_together_or_not_at_all(store: Store) -> None:
    """The parts share the store's connection: inside ``crawl_transaction`` documents join the same commit."""
    crawl = store.crawl
    crawl.crawl_begin("news")
    crawl.frontier_add("news", "https://a.test/1", {})
    try:
        with crawl.crawl_transaction():
            store.documents.upsert(Document(url="https://a.test/1", text="A page that was stored.", source="news"))
            crawl.frontier_done("news", "https://a.test/1")
            raise OSError("killed between the page and the next")
    except OSError:
        pass
    assert store.documents.get_by_url("https://a.test/1") is None
    assert crawl.frontier_state("news", "https://a.test/1") == "pending"
    with crawl.crawl_transaction():
        store.documents.upsert(Document(url="https://a.test/1", text="A page that was stored.", source="news"))
        crawl.frontier_done("news", "https://a.test/1")
    assert store.documents.get_by_url("https://a.test/1") is not None
    assert crawl.frontier_state("news", "https://a.test/1") == "done"


def test_crawl_state_reads_back_whole(store: Store) -> None:
    assert store.crawl.open_crawls() == [] and list(store.crawl.iter_fetches()) == []
    store.crawl.crawl_begin("shop")
    store.crawl.crawl_begin("news")
    for i in range(3):
        store.crawl.frontier_add("news", f"https://a.test/{i}", {"url": f"https://a.test/{i}", "depth": i})
    store.crawl.frontier_done("news", "https://a.test/1", FetchRecord("https://a.test/1", etag='"e1"'))
    for i in range(1001, 0, -1):  # more than one page of keyset reads
        store.crawl.record_fetch(FetchRecord(f"https://b.test/{i:05d}", content_hash=f"h{i}", fetched_at="2026-03-01"))
    assert store.crawl.open_crawls() == ["news", "shop"]
    assert [(e["key"], e["state"], e["data"]["depth"]) for e in store.crawl.frontier_entries("news")] == [
        ("https://a.test/0", "pending", 0), ("https://a.test/1", "done", 1), ("https://a.test/2", "pending", 2)]
    assert store.crawl.frontier_entries("shop") == []
    fetches = list(store.crawl.iter_fetches())
    assert [f.url for f in fetches] == sorted(f.url for f in fetches) and len(fetches) == 1002
    assert fetches[0] == FetchRecord("https://a.test/1", etag='"e1"', fetched_at=fetches[0].fetched_at)
