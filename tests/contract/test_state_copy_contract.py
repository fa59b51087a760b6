"""The state ``newswatch migrate`` reads back and writes as it was: same behaviour on every backend."""

from __future__ import annotations

from storage.base import Store
from storage.models import Document, Event


def _event(day: str) -> Event:
    return Event.from_dict({"id": "e1", "type": "facility_opening", "confidence": 0.7,
                            "trigger": {"text": "opened", "start": 0, "end": 6}, "actors": [],
                            "date": {"start": day, "end": day, "text": "today", "resolved": True},
                            "evidence": {"text": "opened", "start": 0, "end": 6}})


def test_health_rows_and_delays_are_set_not_added(store: Store) -> None:
    store.crawl.source_event("wire", pages_fetched=4, items_stored=3, success_at="2026-01-02T00:00:00Z", delay_s=2.0)
    store.crawl.source_event("wire", pages_fetched=1, delay_s=1.0)
    rows = store.crawl.health_rows()
    assert rows == [{"source": "wire", "last_success": "2026-01-02T00:00:00Z", "pages_fetched": 5,
                     "items_stored": 3, "empty_bodies": 0, "not_modified": 0}]
    assert store.crawl.source_delays("wire") == [2.0, 1.0]
    for _ in range(2):  # twice: still the copied values
        store.crawl.set_health({**rows[0], "source": "copy"})
        store.crawl.set_source_delays("copy", [2.0, 1.0])
    copied = {h["source"]: h for h in store.crawl.source_health()}["copy"]
    assert copied["pages_fetched"] == 5 and copied["median_delay_s"] == 1.5
    assert store.crawl.source_delays("copy") == [2.0, 1.0]


def test_gone_pages_and_quarantine_are_written_as_they_were(store: Store) -> None:
    page = {"url": "https://a.test/x", "source": "a", "status": 404, "misses": 3, "last_at": "2026-01-01T00:00:00Z",
            "retry_at": "2999-01-01T00:00:00Z"}
    store.crawl.set_gone(page)
    store.crawl.set_gone(page)
    assert store.crawl.gone_pages() == [page] and store.crawl.gone_until(page["url"]) == page["retry_at"]
    row = {"url": "https://a.test/big", "source": "a", "reason": "too_large", "detail": "9 MB",
           "at": "2026-01-01T00:00:00Z"}
    store.crawl.restore_quarantined(row)
    assert store.quarantined() == [row]


def test_cursors_story_members_and_listing_counts_read_back(store: Store) -> None:
    store.events.set_cursor("correlator", 7)
    assert store.events.cursors() == {"correlator": 7}
    ids = sorted(Document(url=f"https://a.test/{i}", text="x").id for i in range(3))
    for i, doc_id in enumerate(ids):
        store.events.put_story_member(doc_id, "s1", "a", f"2026-01-0{i + 1}T00:00:00Z", b"\x00\x01" if i else None)
    members = list(store.events.iter_story_members(batch=2))  # pages of two: keyset paging is exercised
    assert [m["doc_id"] for m in members] == ids and members[0]["signature"] is None
    assert members[1] == {"doc_id": ids[1], "story_id": "s1", "source": "a", "seen_at": "2026-01-02T00:00:00Z",
                          "signature": b"\x00\x01"}
    store.events.count_listing("orrin", "2026-01-01", 2)
    store.events.set_listing_count("orrin", "2026-01-01", 5)
    store.events.set_listing_count("orrin", "2026-01-02", 1)
    assert store.events.all_listing_counts() == [("orrin", "2026-01-01", 5), ("orrin", "2026-01-02", 1)]
    store.events.put_events(ids[0], [_event("2026-01-01")], url="https://a.test/0")
    assert store.events.count_events() == 1
