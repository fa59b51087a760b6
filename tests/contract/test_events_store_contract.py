"""Stored events, links, stories and listing counts behave the same on every backend."""

from __future__ import annotations

from typing import Any

import pytest

from storage.base import Store
from storage.events_store import link_id
from storage.models import Event, Link


def _event(eid: str, etype: str = "product_launch", start: str | None = "2026-03-10") -> Event:
    return Event.from_dict(_event_dict(eid, etype, start))


def _event_dict(eid: str, etype: str = "product_launch", start: str | None = "2026-03-10") -> dict[str, Any]:
    return {"id": eid, "type": etype, "trigger": {"text": "launched", "start": 0, "end": 8}, "confidence": 0.8,
            "actors": [{"role": "company", "text": "Kestrel Foods", "title": None, "entity_id": "kestrel",
                        "country": "NZ"}],
            "date": {"start": start, "end": start, "text": "on Tuesday", "resolved": start is not None},
            "place": None, "attributes": {}, "evidence": {"text": "launched", "start": 0, "end": 8}}


def test_events_arrive_in_order_and_replace_per_document(store: Store) -> None:
    assert store.events.put_events("doc-a", [_event("e1"), _event("e2", "deal")], url="https://a.test/1") == 2
    assert store.events.put_events("doc-b", [_event("e1", "official_visit")]) == 1
    first = store.events.events_after(0)
    assert [(e.key, e.type) for e in first] == [("doc-a:e1", "product_launch"), ("doc-a:e2", "deal"),
                                                 ("doc-b:e1", "official_visit")]
    assert first[0].event.actors[0].entity_id == "kestrel" and first[0].event.to_dict() == _event_dict("e1")
    store.events.put_events("doc-a", [_event("e1", "sanction")])  # a new version of doc-a
    assert [e.type for e in store.events.events_of("doc-a")] == ["sanction"]
    newer = store.events.events_after(first[-1].eseq)
    assert [e.key for e in newer] == ["doc-a:e1"]
    assert store.events.count_events() == 2


def test_cursor_survives_reopen(opener) -> None:
    s = opener()
    assert s.events.get_cursor("correlator") == 0
    s.events.set_cursor("correlator", 41)
    s.events.set_cursor("correlator", 42)
    s.close()
    assert opener().events.get_cursor("correlator") == 42


def test_links_stored_once_and_found_by_key(store: Store) -> None:
    lid = link_id("launch_during_visit", ["doc-a:e1", "doc-b:e1"])
    link = {"id": lid, "type": "co_timed", "rule": "launch_during_visit", "gap_days": 1.0, "score": 0.7,
            "entities": ["kestrel", "anna-lind"], "explanation": "timed",
            "events": [{"id": "doc-a:e1", "type": "product_launch", "doc_id": "doc-a", "url": "https://a.test/1",
                        "date": "2026-03-10", "evidence": {"text": "x", "start": 0, "end": 1}},
                       {"id": "doc-b:e1", "type": "official_visit", "doc_id": "doc-b", "url": "https://b.test/1",
                        "date": "2026-03-11", "evidence": {"text": "y", "start": 0, "end": 1}}]}
    assert [x.id for x in store.events.add_links([Link.from_dict(link)])] == [lid]
    assert store.events.add_links([Link.from_dict(link)]) == []  # found again: not new
    stored = store.events.links()
    assert len(stored) == 1 and stored[0].created_at and stored[0].entities == ["kestrel", "anna-lind"]
    assert store.events.docs_for_link_key("kestrel") == {"doc-a", "doc-b"}
    assert store.events.docs_for_link_key(lid) == {"doc-a", "doc-b"}
    assert store.events.docs_for_link_key("official_visit") == {"doc-a", "doc-b"}
    assert store.events.docs_for_link_key("nobody") == set()
    assert store.events.links(since="2999-01-01") == []


def test_story_membership_moves_and_summaries_follow(store: Store) -> None:
    store.events.put_story_member("d1", "s1", "wire", "2026-03-10T08:00:00Z", b"\x01\x02")
    store.events.put_story_member("d2", "s1", "ledger", "2026-03-10T09:00:00Z", None)
    story = store.events.story("s1")
    assert story == {"story_id": "s1", "first_seen": "2026-03-10T08:00:00Z", "size": 2,
                     "sources": ["ledger", "wire"], "lead_doc_id": "d1"}
    store.events.put_story_member("d2", "s2", "ledger", "2026-03-10T09:00:00Z", None)
    assert store.events.story("s1")["size"] == 1  # type: ignore[index]
    assert store.events.story_of("d2") == "s2"
    store.events.put_story_member("d3", "s2", "wire", "2026-03-09T07:00:00Z", None)
    assert store.events.story_members("s2") == ["d3", "d2"]  # first seen first
    assert store.events.story_members("s1") == ["d1"] and store.events.story_members("nope") == []
    sigs = {d: (s, b) for d, s, b in store.events.story_signatures()}
    assert sigs["d1"] == ("s1", b"\x01\x02")


def test_listing_counts_add_up_per_day(store: Store) -> None:
    for _ in range(3):
        store.events.count_listing("anna-lind", "2026-03-11")
    store.events.count_listing("anna-lind", "2026-03-12", 2)
    assert store.events.listing_counts("anna-lind", "2026-03-10", "2026-03-12") == {"2026-03-11": 3, "2026-03-12": 2}


def test_links_sharing_a_document_are_each_found(store: Store) -> None:
    def link(lid: str, other: str) -> Link:
        return Link.from_dict({
            "id": lid, "type": "co_timed", "rule": "launch_during_visit", "gap_days": 0.0, "score": 0.6,
            "entities": ["kestrel"], "explanation": "timed",
            "events": [{"id": "doc-a:e1", "type": "product_launch", "doc_id": "doc-a", "url": None, "date": {},
                        "evidence": {}},
                       {"id": f"{other}:e1", "type": "official_visit", "doc_id": other, "url": None, "date": {},
                        "evidence": {}}]})

    assert len(store.events.add_links([link("l1", "doc-b"), link("l2", "doc-c")])) == 2
    assert len(store.events.add_links([link("l3", "doc-d")])) == 1
    assert store.events.docs_for_link_key("l2") == {"doc-a", "doc-c"}
    assert store.events.docs_for_link_key("l3") == {"doc-a", "doc-d"}
    assert store.events.docs_for_link_key("launch_during_visit") == {"doc-a", "doc-b", "doc-c", "doc-d"}
    assert store.events.docs_for_link_key("any") == {"doc-a", "doc-b", "doc-c", "doc-d"}


def test_a_link_reads_its_events_details_from_the_stored_events(store: Store) -> None:
    store.events.put_events("doc-a", [_event("e1")], url="https://a.test/1")
    store.events.put_events("doc-b", [_event("e1", "official_visit", "2026-03-11")], url="https://b.test/1")
    link = {"id": "l-read", "type": "co_timed", "rule": "launch_during_visit", "gap_days": 1.0, "score": 0.7,
            "entities": ["kestrel", "Zoë Ó'Brien-Ngata"], "explanation": "timed",
            "events": [{"id": "doc-a:e1", "type": "product_launch", "doc_id": "doc-a"},
                       {"id": "doc-b:e1", "type": "official_visit", "doc_id": "doc-b"}]}
    store.events.add_links([Link.from_dict(link)])
    first, second = (end.to_dict() for end in store.events.links()[0].events)
    assert first == {"id": "doc-a:e1", "type": "product_launch", "doc_id": "doc-a", "url": "https://a.test/1",
                     "date": _event_dict("e1")["date"], "evidence": {"text": "launched", "start": 0, "end": 8}}
    assert second["url"] == "https://b.test/1" and second["date"]["start"] == "2026-03-11"
    # an entity id with spaces, accents and punctuation is one name for the link: filter
    assert store.events.docs_for_link_key("Zoë Ó'Brien-Ngata") == {"doc-a", "doc-b"}
    assert store.events.docs_for_link_key("Zoë") == set()
    # doc-b analysed again: its e1 is now another kind of event, so the link keeps only its document
    store.events.put_events("doc-b", [_event("e1", "sanction")], url="https://b.test/1")
    gone = store.events.links()[0].events[1].to_dict()
    assert gone == {"id": "doc-b:e1", "type": "official_visit", "doc_id": "doc-b", "url": None, "date": None,
                    "evidence": None}


def test_the_newest_document_analysed_again_arrives_after_the_cursor(store: Store) -> None:
    """Arrival numbers are never handed out again: the correlator's cursor may already have passed them."""
    store.events.put_events("doc-a", [_event("e1")])
    store.events.put_events("doc-b", [_event("e1", "deal"), _event("e2", "official_visit")])
    cursor = store.events.events_after(0)[-1].eseq
    store.events.put_events("doc-b", [_event("e1", "deal")])  # doc-b, the newest, analysed again
    assert [(e.key, e.type) for e in store.events.events_after(cursor)] == [("doc-b:e1", "deal")]


def _pair_link(a: str, b: str, score: float = 0.7, **extra: Any) -> Link:
    return Link.from_dict({"id": link_id("launch_during_visit", [a, b]), "type": "co_timed",
                           "rule": "launch_during_visit", "gap_days": 1.0, "score": score,
                           "entities": ["kestrel", f"visitor-{b}"], "explanation": f"{a} then {b}",
                           "events": [{"id": f"{a}:e1", "type": "product_launch", "doc_id": a},
                                      {"id": f"{b}:e1", "type": "official_visit", "doc_id": b}], **extra})


def test_links_and_a_cursor_are_stored_together_and_only_new_ones_reported(store: Store) -> None:
    old = _pair_link("doc-a", "doc-b")
    store.events.add_links([old])
    first, again = _pair_link("doc-c", "doc-d"), _pair_link("doc-c", "doc-d", 0.1)
    other = _pair_link("doc-e", "doc-f")
    new = store.events.add_links([old, first, again, other], cursor=("correlator", 7))
    assert [x.id for x in new] == [first.id, other.id]  # not the one stored before
    assert all(x.created_at for x in new) and store.events.get_cursor("correlator") == 7
    stored = {x.id: x for x in store.events.links()}
    assert set(stored) == {old.id, first.id, other.id}
    assert stored[first.id].score == 0.7  # of two links with one id, the first given
    assert store.events.docs_for_link_key("visitor-doc-f") == {"doc-e", "doc-f"}
    assert store.events.docs_for_link_key(first.id) == {"doc-c", "doc-d"}


def test_a_link_keeps_fields_beyond_the_contract(store: Store) -> None:
    """Fields a newer newswatch adds to a link survive storing and reading back."""
    link = _pair_link("doc-g", "doc-h", cues=["during"])
    store.events.add_links([link])
    (back,) = store.events.links()
    assert back.extra == {"cues": ["during"]} and back.to_dict()["cues"] == ["during"]


def test_a_failed_write_stores_neither_links_nor_cursor(store: Store) -> None:
    bad = _pair_link("doc-i", "doc-j")
    bad.explanation = None  # type: ignore[assignment]  # a NOT NULL column
    with pytest.raises(Exception):  # noqa: B017 - each backend's own error for the bad row
        store.events.add_links([_pair_link("doc-k", "doc-l"), bad], cursor=("correlator", 9))
    assert store.events.links() == [] and store.events.get_cursor("correlator") == 0
    assert store.events.docs_for_link_key("kestrel") == set()


@pytest.mark.parametrize("entities", [["kestrel", "Ana Ruiz"], [], ["", "x"], ["a\x1fb"], ["Łódź-Werke", "東芝"]])
def test_a_link_reads_back_as_it_was_stored(store: Store, entities: list[str]) -> None:
    link = _pair_link("doc-m", "doc-n", score=0.1 + 0.2)  # a score whose last bits show
    link.entities, link.gap_days = entities, 1 / 3
    store.events.add_links([link])
    (back,) = store.events.links()
    assert back.to_dict() == {**link.to_dict(), "events": [e.to_dict() for e in back.events]}
    assert back.score == 0.1 + 0.2 and back.gap_days == 1 / 3
    for name in entities:
        assert store.events.docs_for_link_key(name) == {"doc-m", "doc-n"}
