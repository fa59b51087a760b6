"""The correlator: co-timed events across every stream ("product launches timed to diplomatic visits").

It listens to ingest. Each stored document's events go to the store's ``events`` table; product
listings also feed a per-entity daily count, and a jump in new listings about a watched entity
becomes a ``listing_surge`` event of the listings stream. Then :meth:`Correlator.process` reads
only the events that arrived since its cursor and pairs each with earlier events through an
in-memory index keyed by (event type, country or entity) and sorted by date, so the cost grows
with the new events and their few candidates, never with a rescan of the store. Links are stored
(``newswatch links --json``), found by the ``link:`` search filter and handed to link listeners
(an alert channel subscribes there).

:class:`StoryStage` gives every document its story id before it is stored (MinHash LSH over the
stored signatures), so counts, digests and alerts can count a story once.
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from nlp.events.pairing import (
    DEFAULT_RULES,
    EventView,
    PairRule,
    describe,
    explain,
    join_keys,
    link_events,
    pair_score,
    relate,
    timing,
)
from nlp.stories import DEFAULT_THRESHOLD, StoryIndex, to_bytes
from storage.base import UpsertResult
from storage.events_store import EventStore, StoredEvent, event_key, event_store, link_id
from storage.models import Document, WatchEntry, utc_now_iso

CURSOR = "correlator"
LISTING_EVENT_TYPES = ("merchandise", "product_launch")
MAX_EVENT_DAYS = 31  # longer date ranges are clipped when searching the index (a visit, not a season)


class LinkListener(Protocol):
    """Told about each link the first time it is stored (e.g. to fire an alert)."""

    def on_link(self, link: dict[str, Any]) -> None: ...


@dataclass
class CorrelatorSettings:
    rules: tuple[PairRule, ...] = DEFAULT_RULES
    surge_window_days: int = 3
    surge_baseline_days: int = 14
    surge_min_listings: int = 3
    surge_factor: float = 3.0
    batch: int = 5000
    max_links_per_event: int = 3  # per rule and direction: the best-scored partners of a new event

    @classmethod
    def from_config(cls, cfg: Any) -> CorrelatorSettings:
        """From ``pipeline.config.CorrelatorConfig`` (rules as tables; none: the built-in rules)."""
        rules = tuple(
            PairRule(name=str(r["name"]), first=tuple(r["first"]), second=tuple(r["second"]),
                     relation=str(r["relation"]), window_days=float(r.get("window_days", 3.0)),
                     weight=float(r.get("weight", 1.0)), min_score=float(r.get("min_score", 0.25)))
            for r in getattr(cfg, "rules", []) or []
        ) or DEFAULT_RULES
        return cls(rules=rules, surge_window_days=cfg.surge_window_days, surge_baseline_days=cfg.surge_baseline_days,
                   surge_min_listings=cfg.surge_min_listings, surge_factor=cfg.surge_factor)


@dataclass(eq=False)
class _Indexed:
    """An event's facts as pairing needs them, computed once when it is read: its view, its join keys
    per (rule, side), its day numbers, and the ``events`` entry links carry."""

    view: EventView
    doc_id: str
    url: str | None
    evidence: dict[str, Any]
    date: dict[str, Any]
    slots: list[tuple[PairRule, str, set[str]]] = field(default_factory=list)  # (rule, side, join keys)
    start: int = 0  # day ordinals (meaningful when view.start is set)
    end: int = 0
    entry: dict[str, Any] = field(default_factory=dict)
    actor: str | None = None  # the main actor: copies of one happening share it (see _link_from_items)
    phrase: str | None = None  # its clause in explanations: the event's ``summary``, else made when first linked
    happening: str | None = None  # what copies of one happening share (see Correlator._happening)


@dataclass
class _Index:
    """(rule, side, join key) -> date-sorted [(start ordinal, eseq, facts)]; eseq -> the event's facts."""

    rules: tuple[PairRule, ...]
    buckets: dict[tuple[str, str, str], list[tuple[int, int, _Indexed]]] = field(
        default_factory=lambda: defaultdict(list))
    events: dict[int, _Indexed] = field(default_factory=dict)
    by_doc: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    longest: int = 0  # days of the longest indexed event: how far back a still-running event can start

    def add(self, eseq: int, item: _Indexed, keep_sorted: bool = True) -> None:
        """Index ``item``; ``keep_sorted=False`` only appends (a bulk load sorts once at the end: see ``sort``)."""
        if item.view.start is None:
            return
        self.events[eseq] = item
        self.by_doc[item.doc_id].append(eseq)
        if item.end > item.start:
            self.longest = min(MAX_EVENT_DAYS, max(self.longest, item.end - item.start))
        entry = (item.start, eseq, item)  # eseq is unique: sorting never compares the facts
        buckets = self.buckets
        for rule, side, keys in item.slots:
            name = rule.name
            for k in keys:
                b = buckets[(name, side, k)]
                if not keep_sorted or not b or b[-1] <= entry:
                    b.append(entry)
                else:
                    insort(b, entry)

    def sort(self) -> None:
        for b in self.buckets.values():
            b.sort()

    def remove_doc(self, doc_id: str) -> None:
        for eseq in self.by_doc.pop(doc_id, ()):
            it = self.events.pop(eseq, None)
            if it is None:
                continue
            entry = (it.start, eseq)
            for rule, side, keys in it.slots:
                for k in keys:
                    b = self.buckets.get((rule.name, side, k))
                    if b:
                        i = bisect_left(b, entry)
                        if i < len(b) and b[i][1] == eseq:
                            b.pop(i)

    def near(self, rule: PairRule, side: str, keys: set[str], start: int, end: int) -> dict[int, _Indexed]:
        """Events on ``side`` of ``rule`` sharing a join key, whose dates may fall within the rule's window."""
        lo = (start - int(rule.window_days) - self.longest, -1)
        hi = (end + int(rule.window_days), 1 << 62)
        found: dict[int, _Indexed] = {}
        name = rule.name
        for k in keys:
            b = self.buckets.get((name, side, k))
            if b:
                for _, eseq, it in b[bisect_left(b, lo):bisect_right(b, hi)]:
                    found[eseq] = it
        return found


def _main_actor(v: EventView) -> str | None:
    roles = {"product_launch": ("company", "product"), "official_visit": ("visitor",), "deal": ("company",),
             "merchandise": ("depicted",), "listing_surge": ("depicted", "product", "company")}.get(
        v.type, ("agency", "target"))
    for a in v.role(*roles):
        return str(a.get("entity_id") or str(a.get("text") or "").lower())
    return None


def _item(ev: StoredEvent, rules: tuple[PairRule, ...]) -> _Indexed:
    data = ev.data
    view = EventView.of(ev.key, data)
    evidence, when = data.get("evidence") or {}, data.get("date") or {}
    it = _Indexed(view, ev.doc_id, ev.url, evidence, when,
                  entry={"id": ev.key, "type": view.type, "doc_id": ev.doc_id, "url": ev.url, "date": when,
                         "evidence": evidence},
                  actor=_main_actor(view), phrase=data.get("summary") if isinstance(data.get("summary"), str) else None)
    if view.start is not None:
        it.start = view.start.toordinal()
        it.end = (view.end or view.start).toordinal()
        for rule in rules:
            if view.type in rule.first:
                it.slots.append((rule, "first", join_keys(rule, "first", view)))
            if view.type in rule.second:
                it.slots.append((rule, "second", join_keys(rule, "second", view)))
    return it


class Correlator:
    """Incremental pairing of stored events; a :class:`pipeline.ingest.DocumentListener` too."""

    def __init__(self, store: object, settings: CorrelatorSettings | None = None,
                 listeners: Iterable[LinkListener] = (), entries: Iterable[WatchEntry] = ()) -> None:
        self.es: EventStore = event_store(store)
        self.settings = settings or CorrelatorSettings()
        self.listeners = list(listeners)
        self.entries = {e.id: e for e in entries}
        self._index: _Index | None = None
        self._covered: tuple[int, int] | None = None  # day numbers of the start dates loaded so far
        self._cursor: int | None = None
        self._stories: dict[str, str | None] = {}
        self.new_links: list[dict[str, Any]] = []

    # -- ingest listener

    def on_document(self, doc: Document, result: UpsertResult) -> None:
        """Store the document's events, count listings, then correlate whatever is new."""
        if self._index is not None:
            self._index.remove_doc(doc.id)
        events = doc.annotations.events
        if doc.kind == "product":  # a shop listing sells goods; it does not report visits or deals
            events = [e for e in events if e.get("type") in LISTING_EVENT_TYPES]
        self.es.put_events(doc.id, events, url=doc.url, source=doc.source, kind=doc.kind,
                           published_at=doc.published_at)
        if doc.kind == "product":
            self._count_listing(doc)
        self.process()

    # -- listing surges

    def _count_listing(self, doc: Document) -> None:
        day = (doc.published_at or doc.fetched_at or utc_now_iso())[:10]
        try:
            today = date.fromisoformat(day)
        except ValueError:
            return
        s = self.settings
        for entity_id in sorted({e.entity_id for e in doc.annotations.entities if e.entity_id}):
            self.es.count_listing(entity_id, day)
            since = today - timedelta(days=s.surge_window_days + s.surge_baseline_days - 1)
            counts = self.es.listing_counts(entity_id, since.isoformat(), day)
            win_start = today - timedelta(days=s.surge_window_days - 1)
            recent = sum(n for d, n in counts.items() if d >= win_start.isoformat())
            before = sum(n for d, n in counts.items() if d < win_start.isoformat())
            expected = before / max(1, s.surge_baseline_days) * s.surge_window_days
            if recent < s.surge_min_listings or recent < s.surge_factor * max(expected, 1e-9):
                continue
            first_day = min(d for d, n in counts.items() if d >= win_start.isoformat() and n)
            stream_doc = f"stream:listings:{entity_id}:{first_day}"
            entry = self.entries.get(entity_id)
            role = {"person": "depicted", "product": "product"}.get(entry.type if entry else "", "company")
            text = doc.title or doc.text[:120]
            event = {
                "id": "surge", "type": "listing_surge",
                "trigger": {"text": text, "start": 0, "end": len(text)},
                "confidence": round(min(1.0, 0.5 + 0.05 * recent), 4),
                "actors": [{"role": role, "text": entry.name if entry else entity_id, "title": entry.role if entry
                            else None, "entity_id": entity_id, "country": entry.country if entry else None}],
                "date": {"start": first_day, "end": day, "text": None, "resolved": True},
                "place": None,
                "attributes": {"listings": recent, "baseline_per_day": round(before / max(1, s.surge_baseline_days),
                                                                             3), "window_days": s.surge_window_days},
                "evidence": {"text": text, "start": 0, "end": len(text)},
                "reasons": [f"{recent} new listings in {s.surge_window_days} days vs {before} in the "
                            f"{s.surge_baseline_days} days before"],
            }
            event["summary"] = describe(EventView.of("surge", event))
            self.es.put_events(stream_doc, [event], url=doc.url, source=doc.source, kind="listings",
                               published_at=day)

    # -- correlation

    def _load(self) -> _Index:
        """The index, empty at first: past events are read by date when new ones need them (``_cover``),
        so a new process (each crawl job is one) starts at once, however many events are stored."""
        if self._index is None:
            self._cursor = self.es.get_cursor(CURSOR)
            self._index = _Index(self.settings.rules)
        return self._index

    def _cover(self, idx: _Index, items: list[_Indexed]) -> None:
        """Load the already processed events that could pair with ``items``: those starting within the
        widest rule window (plus the longest event) of their dates, unless loaded before."""
        dated = [it for it in items if it.view.start is not None]
        if not dated:
            return
        reach = max((int(r.window_days) for r in self.settings.rules), default=0) + MAX_EVENT_DAYS
        lo = min(it.start for it in dated) - reach
        hi = max(it.end for it in dated) + reach
        if self._covered is None:
            missing = [(lo, hi)]
            self._covered = (lo, hi)
        else:
            c_lo, c_hi = self._covered
            missing = [r for r in ((lo, c_lo - 1), (c_hi + 1, hi)) if r[0] <= r[1]]
            self._covered = (min(lo, c_lo), max(hi, c_hi))
        if not missing:
            return
        assert self._cursor is not None
        if self._cursor == 0:
            return  # nothing processed yet: no past to read
        rules = self.settings.rules
        added = 0
        for a, b in missing:
            first, last = (date.fromordinal(min(max(d, 1), date.max.toordinal())).isoformat() for d in (a, b))
            for ev in self.es.events_starting(first, last, self._cursor):
                if ev.eseq not in idx.events:
                    idx.add(ev.eseq, _item(ev, rules), keep_sorted=False)
                    added += 1
        if added:
            idx.sort()
            gc.freeze()  # the loaded index lives as long as the process: keep it out of every collection

    def process(self) -> list[dict[str, Any]]:
        """Pair the events stored since the cursor with everything before them; returns the new links."""
        idx = self._load()
        assert self._cursor is not None
        found: list[dict[str, Any]] = []
        gc_was_on = gc.isenabled()
        gc.disable()  # the index holds many small objects: cyclic collections would rescan them all, often
        try:
            while batch := self.es.events_after(self._cursor, self.settings.batch):
                found += self._pair_batch(idx, batch)
                self._cursor = batch[-1].eseq
            self.es.set_cursor(CURSOR, self._cursor)
            new = self.es.add_links(found)
        finally:
            if gc_was_on:
                gc.freeze()  # the new events joined the long-lived index: the next collection need not scan them
                gc.enable()
        for link in new:
            for listener in self.listeners:
                listener.on_link(link)
        self.new_links += new
        return new

    def _pair_batch(self, idx: _Index, batch: list[StoredEvent]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        rules = self.settings.rules
        items = [_item(ev, rules) for ev in batch]
        self._cover(idx, items)
        by_doc: dict[str, list[tuple[StoredEvent, _Indexed]]] = defaultdict(list)
        for ev, it in zip(batch, items, strict=True):
            by_doc[ev.doc_id].append((ev, it))
        # within one text: the text ties its events together even when one of them is undated
        for evs in by_doc.values():
            if len(evs) > 1:
                mine = {ev.key: it for ev, it in evs}
                for link in link_events([{**ev.data, "id": ev.key} for ev, _ in evs], rules):
                    out.append(self._link_from_items(link, mine))
        for ev, item in zip(batch, items, strict=True):
            if item.view.start is not None:
                out += self._pair_with_past(idx, item)
            idx.add(ev.eseq, item)
        return out

    def _pair_with_past(self, idx: _Index, item: _Indexed) -> list[dict[str, Any]]:
        """Links from ``item`` to its best partners among the indexed events of other texts.

        Candidates share a join key and fall within the rule's window; they are ranked by
        :func:`pair_score` (timing and confidence), and :func:`relate` is asked of the best first,
        until ``max_links_per_event`` have held: a launch in a busy week is not timed to every visit.
        """
        out: list[dict[str, Any]] = []
        top = self.settings.max_links_per_event
        v = item.view
        start, end, doc, conf, ids_known = item.start, item.end, item.doc_id, v.confidence, v.ids_known
        for rule, side, keys in item.slots:
            as_first = side == "first"
            scored = []
            for eseq, o in idx.near(rule, "second" if as_first else "first", keys, start, end).items():
                if o.doc_id == doc:
                    continue
                # days between the two date ranges, on day numbers (0 when they meet)
                fit = timing(rule, 0 if start <= o.end and o.start <= end else
                             (o.start - end if o.start > end else start - o.end))
                if fit is None:
                    continue
                ov = o.view
                score = pair_score(rule, fit, conf, ov.confidence, ids_known or ov.ids_known)
                if score >= rule.min_score:
                    scored.append((score, -eseq, o))
            if not scored:
                continue
            scored.sort(reverse=True)  # (score, -eseq) is unique: the facts are never compared
            taken = 0
            for score, _, o in scored:
                a, b = (item, o) if as_first else (o, item)
                rel = relate(rule, a.view, b.view)
                if rel is None:
                    continue
                out.append(self._link(rule, a, b, score, rel[0], rel[1]))
                taken += 1
                if taken == top:
                    break
        return out

    def _link(self, rule: PairRule, a: _Indexed, b: _Indexed, score: float, ents: list[str], why: str
              ) -> dict[str, Any]:
        """The stored shape of a link between indexed events ``a`` (rule's first side) and ``b``."""
        if a.phrase is None:
            a.phrase = describe(a.view)
        if b.phrase is None:
            b.phrase = describe(b.view)
        gap = float(abs(b.start - a.start))
        earlier, later = (a, b) if a.start <= b.start else (b, a)
        return {"id": link_id(rule.name, (self._happening(a), self._happening(b))), "type": "co_timed",
                "events": [earlier.entry, later.entry], "gap_days": gap, "entities": list(dict.fromkeys(ents)),
                "score": score, "explanation": explain(rule, a.view, b.view, gap, why, (a.phrase, b.phrase)),
                "rule": rule.name}

    def _link_from_items(self, link: dict[str, Any], pair: dict[str, _Indexed]) -> dict[str, Any]:
        """A link found within one text (``make_link`` shape, event keys) in the stored shape."""
        items = [pair[key] for key in link["events"]]
        return {"id": link_id(str(link.get("rule")), [self._happening(it) for it in items]), **link,
                "events": [it.entry for it in items]}

    def _happening(self, it: _Indexed) -> str:
        """One link per pair of happenings: syndicated copies and other reports of the same launch
        (same type, main actor and day) share this, so they do not make a link each."""
        if it.happening is None:
            it.happening = f"{it.view.type}|{it.actor or self._story(it.doc_id) or it.view.key}|{it.view.start}"
        return it.happening

    def _story(self, doc_id: str) -> str | None:
        if doc_id not in self._stories:
            if len(self._stories) > 100_000:
                self._stories.clear()
            self._stories[doc_id] = self.es.story_of(doc_id)
        return self._stories[doc_id]


class StoryStage:
    """Names the story of each document before it is stored, and keeps the signatures in the store."""

    def __init__(self, store: object, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.es: EventStore = event_store(store)
        self.index = StoryIndex(threshold)
        self.index.load(self.es.story_signatures())

    def assign(self, doc: Document) -> str:
        text = f"{doc.title or ''}\n{doc.text}"
        story, sig = self.index.assign(doc.id, text)
        self.es.put_story_member(doc.id, story, doc.source or "", doc.fetched_at or utc_now_iso(), to_bytes(sig))
        return story


def links_since(store: object, since: str | None = None) -> list[dict[str, Any]]:
    """Stored links, oldest first, in the ``newswatch links --json`` shape."""
    return event_store(store).links(since)


def event_key_of(doc_id: str, event_id: str) -> str:
    return event_key(doc_id, event_id)


def make_event_stages(config: Any, store: object, listeners: Iterable[LinkListener] = ()
                      ) -> tuple[Correlator | None, StoryStage]:
    """The correlator (None when ``[correlator] enabled = false``) and the story stage of a run."""
    cfg = config.correlator
    stories = StoryStage(store, cfg.story_threshold)
    if not cfg.enabled:
        return None, stories
    return Correlator(store, CorrelatorSettings.from_config(cfg), listeners, config.watch_entries()), stories


def run_links(config: Any, args: Any) -> int:
    """``newswatch links [--json] [--since DATE]``: stored links, oldest first."""
    import json
    import sys

    from pipeline.components import make_store

    store = make_store(config)
    try:
        links = links_since(store, getattr(args, "since", None))
    finally:
        store.close()
    for link in links:
        if args.json:
            print(json.dumps(link, ensure_ascii=False))
            continue
        print(f"{link['created_at']}  score {link['score']:.2f}  {link['explanation']}")
        for ev in link["events"]:
            print(f"    {ev['type']:<15} {ev['url'] or ev['doc_id']}")
    if not args.json:
        print(f"{len(links)} link(s)", file=sys.stderr)
    return 0


def demo_summary(store: object, names: dict[str, str], per_type: int = 2) -> list[str]:
    """The demo's "timed to" section: the best events of each type, the merchandise, and the links."""
    es = event_store(store)
    best: dict[str, list[StoredEvent]] = defaultdict(list)
    merch: dict[str, list[StoredEvent]] = defaultdict(list)
    for ev in es.iter_events():
        if ev.type == "merchandise":
            for a in ev.data.get("actors", []):
                if a.get("role") == "depicted":
                    merch[str(a.get("entity_id") or a.get("text"))].append(ev)
        else:
            best[ev.type].append(ev)
    lines = ["", "== Events (typed, with evidence)"]
    order = ("product_launch", "official_visit", "deal", "export_control", "trade_measure", "sanction",
             "listing_surge")
    for etype in order:
        ranked = sorted(best.get(etype, []), key=lambda e: (not e.data["date"]["resolved"], -e.data["confidence"]))
        seen: set[str] = set()
        for ev in ranked:
            view = EventView.of(ev.key, ev.data)
            what = _describe(view)
            if what in seen or len(seen) >= per_type:
                continue
            seen.add(what)
            d = ev.data["date"]
            when = d["start"] if d["start"] == d["end"] else f"{d['start']} to {d['end']}"
            where = f", {ev.data['place']}" if ev.data.get("place") else ""
            lines.append(f"  {etype:<15} {what} ({when if d['resolved'] else 'date unknown'}{where}) "
                         f"[{ev.source}, confidence {ev.data['confidence']:.2f}]")
    for who, evs in sorted(merch.items(), key=lambda kv: -len(kv[1])):
        days = sorted(e.data["date"]["start"] or (e.published_at or "")[:10] for e in evs)
        days = [d for d in days if d]
        listings = [e for e in evs if e.kind == "product"]
        if not listings:
            continue
        lines.append(f"  {'merchandise':<15} {len(listings)} listings and {len(evs) - len(listings)} reports of "
                     f"goods depicting {names.get(who, who)}{f', first on {days[0]}' if days else ''} "
                     f"[{', '.join(sorted({e.source or '' for e in listings}))}]")
    links = es.links()
    lines += ["", f"== Links: events timed to each other ({len(links)}; the best of each rule)"]
    top: dict[str, dict[str, Any]] = {}
    for link in sorted(links, key=lambda x: -x["score"]):
        top.setdefault(str(link.get("rule")), link)
    for link in top.values():
        lines.append(f"  {link['score']:.2f}  {link['explanation']}")
        for e in link["events"]:
            lines.append(f"        {e['type']:<15} {e['url']}")
    return lines


def _describe(v: EventView) -> str:
    def who(*roles: str) -> str:
        for a in v.role(*roles):
            title = f"{a['title']} " if a.get("title") and a["title"] not in str(a.get("text")) else ""
            return f"{title}{a.get('text')}" + (f" ({a['country']})" if a.get("country") else "")
        return "?"

    if v.type == "product_launch":
        return f"{who('company')} launched {who('product')}"
    if v.type == "official_visit":
        return f"{who('visitor')} visits {who('host')}"
    if v.type == "deal":
        return f"{who('company')} deal" + (f" with {who('counterparty')}" if v.role("counterparty") else "")
    if v.type == "listing_surge":
        return f"listings about {who('depicted', 'product', 'company')} surged"
    return f"{who('agency')} {v.type.replace('_', ' ')} on {who('target')}"
