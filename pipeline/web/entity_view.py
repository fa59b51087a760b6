"""What the store knows about one watched entity: mentions per day, stance over time with its evidence,
events, quotes about it, top sources and co-mentioned entities.

Counts per day and per source come from the store's facets over every matching document; the
rest (stance, quotes, events, co-mentions) is read from the newest ``sample`` documents, and the
answer says how many were read, so a page never claims more than it looked at.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from pipeline.web.marking import is_name
from storage.base import Store
from storage.models import Document, Stance, WatchEntry

DEFAULT_SAMPLE = 300


def _about(st: Stance, entity: WatchEntry) -> bool:
    if st.entity_id:
        return st.entity_id == entity.id
    return st.target.casefold() in {n.casefold() for n in entity.all_names()}


def _day(doc: Document) -> str | None:
    return doc.published_at[:10] if doc.published_at else None


def _doc_ref(doc: Document) -> dict[str, Any]:
    return {"doc_id": doc.id, "title": doc.title or doc.url, "url": doc.url, "source": doc.source,
            "published_at": doc.published_at}


def _mentions_entity(doc: Document, entity: WatchEntry, start: int, end: int) -> bool:
    return any(e.entity_id == entity.id and start <= e.start < end for e in doc.annotations.entities)


def entity_profile(store: Store, entity: WatchEntry, sample: int = DEFAULT_SAMPLE,
                   names: dict[str, str] | None = None) -> dict[str, Any]:
    """The entity page's data (also ``GET /api/entities/{id}``); ``names`` gives watched ids their names."""
    names = names or {}
    found = store.search("", filters={"entity_id": entity.id}, facets=["day", "source"], limit=sample)
    days = found.facets.get("day", {})
    stance_days: dict[str, Counter[str]] = defaultdict(Counter)
    stance: list[dict[str, Any]] = []
    quotes: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    co: Counter[tuple[str, str | None, str]] = Counter()
    for hit in found.hits:
        doc = store.get(hit.id)
        if doc is None:
            continue
        ann, day, ref = doc.annotations, _day(doc), _doc_ref(doc)
        held = [st for st in ann.stance if _about(st, entity)]
        for quote in ann.quotes:
            about = [st for st in quote.stance if _about(st, entity)]
            held += about
            if about or _mentions_entity(doc, entity, quote.start, quote.end):
                quotes.append({**ref, "text": quote.text,
                               "speaker": quote.speaker.to_dict() if quote.speaker else None,
                               "stance": [s.to_dict() for s in about]})
        for st in held:
            if day:
                stance_days[day][st.label] += 1
            stance.append({**ref, "label": st.label, "score": st.score, "holder": st.holder,
                           "evidence": st.evidence.to_dict()})
        for ev in ann.events:
            actors = ev.get("actors") or []
            if any(isinstance(a, dict) and a.get("entity_id") == entity.id for a in actors):
                events.append({**ref, "event": ev})
        seen: set[tuple[str, str | None, str]] = set()
        for ent in ann.entities:
            if ent.entity_id == entity.id or not is_name(ent.label):
                continue
            shown = names.get(ent.entity_id, "") if ent.entity_id else ""
            seen.add((shown or ent.canonical or ent.text, ent.entity_id, ent.label))
        co.update(seen)
    return {
        "entity": {"id": entity.id, "name": entity.name, "type": entity.type, "watchlist": entity.watchlist,
                   "aliases": [a.text for a in entity.aliases]},
        "documents": found.total,
        "sampled": len(found.hits),
        "mentions_per_day": [{"date": d, "count": n} for d, n in sorted(days.items())],
        "top_sources": [{"source": s, "count": n} for s, n in list(found.facets.get("source", {}).items())[:15]],
        "stance_per_day": [{"date": d, **{k: c.get(k, 0) for k in ("favor", "neutral", "against")}}
                           for d, c in sorted(stance_days.items())],
        "stance": stance,
        "quotes": quotes,
        "events": events,
        "co_mentioned": [{"name": name, "entity_id": eid, "label": label, "documents": n}
                         for (name, eid, label), n in co.most_common(25)],
    }
