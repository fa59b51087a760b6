"""Events of chosen types over a date range, the stored links between them, and each visit with the
actions that fall inside it: the timeline page's data (also ``GET /api/timeline``).

An event's day is its resolved date, else the day its document was published (marked so); events
with neither cannot be placed and are listed apart rather than put on a guessed day.
"""

from __future__ import annotations

from typing import Any

from storage.base import Store
from storage.events_store import StoredEvent

FIRST_DAY, LAST_DAY = "0001-01-01", "9999-12-31"
ALL_ARRIVALS = 2**62
MAX_EVENTS = 1000
SPAN_TYPES = ("official_visit",)  # events that last several days and hold other events


def _days(se: StoredEvent) -> tuple[str | None, str | None, bool]:
    """(first day, last day, resolved?) of a stored event."""
    d = se.event.date
    if d.start:
        return d.start[:10], (d.end or d.start)[:10], True
    if se.published_at:
        return se.published_at[:10], se.published_at[:10], False
    return None, None, False


def _label(se: StoredEvent) -> str:
    ev = se.event
    if ev.summary:
        return ev.summary
    who = ", ".join(a.text for a in ev.actors if a.text)[:120]
    return f"{ev.type.replace('_', ' ')}: {who}" if who else ev.type.replace("_", " ")


def _item(se: StoredEvent) -> dict[str, Any]:
    first, last, resolved = _days(se)
    ev = se.event
    return {"key": se.key, "type": ev.type, "label": _label(se), "start": first, "end": last,
            "date_resolved": resolved, "doc_id": se.doc_id, "url": se.url, "source": se.source,
            "place": ev.place, "actors": [a.to_dict() for a in ev.actors], "confidence": ev.confidence,
            "evidence": ev.evidence.to_dict() if ev.evidence else None}


def timeline_data(store: Store, types: list[str] | None = None, since: str | None = None,
                  until: str | None = None, entity_id: str | None = None) -> dict[str, Any]:
    es = store.events
    stored = es.events_starting(since or FIRST_DAY, until or LAST_DAY, ALL_ARRIVALS) if (since or until) \
        else list(es.iter_events())
    all_types = sorted({se.type for se in stored})
    chosen = [se for se in stored if (not types or se.type in types)
              and (not entity_id or any(a.entity_id == entity_id for a in se.event.actors))]
    truncated = len(chosen) > MAX_EVENTS
    chosen = chosen[-MAX_EVENTS:]
    items = [_item(se) for se in chosen]
    placed = sorted((i for i in items if i["start"]), key=lambda i: (i["start"], i["type"], i["key"]))
    keys = {i["key"] for i in items}
    links = []
    for link in es.links():
        a, b = link.events
        if a.id in keys and b.id in keys:
            links.append(link.to_dict())
    visits = []
    for v in placed:
        if v["type"] not in SPAN_TYPES:
            continue
        inside = [i for i in placed if i is not v and i["type"] not in SPAN_TYPES
                  and v["start"] <= i["start"] <= v["end"]]
        visits.append({"visit": v["key"], "inside": [i["key"] for i in inside]})
    return {"types": all_types, "chosen_types": types or all_types, "events": placed,
            "undated": [i for i in items if not i["start"]], "links": links, "visits": visits,
            "truncated": truncated}
