"""The correlator: co-timed events across every stream ("product launches timed to diplomatic visits").

It listens to ingest. Each stored document's events go to the store's ``events`` table; product
listings also feed a per-entity daily count, and a jump in new listings about a watched entity
becomes a ``listing_surge`` event of the listings stream. Then :meth:`Correlator.process` reads
only the events that arrived since its cursor and pairs each with earlier events through an
in-memory index keyed by (event type, country or entity) and sorted by date, so the cost grows
with the new events and their few candidates, never with a rescan of the store. Links are stored
(``newswatch links --json``), found by the ``link:`` search filter and handed to link listeners
(an alert channel subscribes there). They go to the store's link sink chunk by chunk as they are
built: on SQLite a writer thread stores them while the next ones are paired
(:mod:`storage.link_writer`); each batch's links and the cursor past it are stored in one transaction.

:class:`StoryStage` gives every document its story id before it is stored (MinHash LSH over the
stored signatures), so counts, digests and alerts can count a story once.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from nlp.events.pairing import DEFAULT_RULES, EventView, PairRule, describe, explain_described, link_views
from nlp.stories import DEFAULT_THRESHOLD, StoryIndex, to_bytes
from pipeline.pairing_index import MAX_EVENT_DAYS, IndexedEvent, Pair, PairingIndex, happening_key, indexed_event
from storage.base import UpsertResult
from storage.events_store import EventStore, StoredEvent, event_key, event_store, link_id
from storage.link_rows import co_timed_link
from storage.link_writer import LinkSink
from storage.models import Document, WatchEntry, utc_now_iso

CURSOR = "correlator"
BACKGROUND_WRITES_FROM = 500  # new events; fewer (one document's, say) are not worth a thread and a connection
LINK_CHUNK = 1500  # links handed to the store at a time: its writer thread stores one chunk while the next is built
LISTING_EVENT_TYPES = ("merchandise", "product_launch")


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
    batch: int = 1000  # new events paired at a time: their links are stored while the next ones are paired
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


class Correlator:
    """Incremental pairing of stored events; a :class:`pipeline.ingest.DocumentListener` too."""

    def __init__(self, store: object, settings: CorrelatorSettings | None = None,
                 listeners: Iterable[LinkListener] = (), entries: Iterable[WatchEntry] = ()) -> None:
        self.es: EventStore = event_store(store)
        self.settings = settings or CorrelatorSettings()
        self.listeners = list(listeners)
        self.entries = {e.id: e for e in entries}
        self._index: PairingIndex | None = None
        self._covered: tuple[int, int] | None = None  # day numbers of the start dates loaded so far
        self._cursor: int | None = None
        self._stories: dict[str, str | None] = {}

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

    def _load(self) -> PairingIndex:
        """The index, empty at first: past events are read by date when new ones need them (``_cover``),
        so a new process (each crawl job is one) starts at once, however many events are stored."""
        if self._index is None:
            self._cursor = self.es.get_cursor(CURSOR)
            self._index = PairingIndex(self.settings.rules)
        return self._index

    def _cover(self, idx: PairingIndex, items: list[IndexedEvent]) -> None:
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
                    idx.add(ev.eseq, indexed_event(ev, rules))
                    added += 1
        if added:
            idx.flush()
            gc.freeze()  # the loaded index lives as long as the process: keep it out of every collection

    def process(self) -> list[dict[str, Any]]:
        """Pair the events stored since the cursor with everything before them; returns the new links."""
        idx = self._load()
        assert self._cursor is not None
        gc_was_on = gc.isenabled()
        gc.disable()  # the index holds many small objects: cyclic collections would rescan them all, often
        try:
            cursor = self._cursor
            batch = self.es.events_after(cursor, self.settings.batch)
            if not batch:
                return []
            # many new events: on SQLite a thread stores each chunk of links while pairing goes on
            sink = self.es.link_sink(background=len(batch) >= BACKGROUND_WRITES_FROM)
            try:
                with sink:
                    while batch:
                        self._pair_batch(idx, batch, sink)
                        cursor = batch[-1].eseq
                        sink.end_batch(CURSOR, cursor)  # its links and the cursor are stored together
                        batch = self.es.events_after(cursor, self.settings.batch)
            except BaseException as failure:
                # the index holds events of batches that were not stored: read the cursor and past again
                self._index, self._covered, self._cursor = None, None, None
                try:
                    self._announce(sink.new)  # links of the batches stored before the failure
                except Exception as listener_error:  # noqa: BLE001 - the failure is what the caller must see
                    failure.add_note(f"newswatch: a link listener also failed while the links stored before this "
                                     f"error were announced: {listener_error!r}")
                raise
            self._cursor = cursor
        finally:
            if gc_was_on:
                gc.freeze()  # the new events joined the long-lived index: the next collection need not scan them
                gc.enable()
        self._announce(sink.new)
        return sink.new

    def _announce(self, links: list[dict[str, Any]]) -> None:
        if not self.listeners:
            return
        for link in links:
            for listener in self.listeners:
                listener.on_link(link)

    def _pair_batch(self, idx: PairingIndex, batch: list[StoredEvent], sink: LinkSink) -> None:
        """Hand the batch's links to ``sink`` in the order one-by-one arrival would find them: each text's
        own links when it arrives, then each new event's partners among earlier ones (the first found of
        two links between the same happenings is the one kept), in chunks as they are built."""
        found: list[tuple[int, dict[str, Any]]] = []  # (arrival of the text's first event, link)
        rules = self.settings.rules
        items = [indexed_event(ev, rules) for ev in batch]
        self._cover(idx, items)
        by_doc: dict[str, list[IndexedEvent]] = defaultdict(list)
        for it in items:
            by_doc[it.doc_id].append(it)
        # within one text: the text ties its events together even when one of them is undated
        for evs in by_doc.values():
            if len(evs) > 1:
                mine = {it.view.key: it for it in evs}
                for link in link_views([it.view for it in mine.values()], rules):
                    found.append((evs[0].eseq, self._link_from_items(link, mine)))
        # across texts: each new event with earlier ones
        for item in items:
            idx.add(item.eseq, item)
        pairs = idx.best_pairs(items, self.settings.max_links_per_event)  # by arrival of the new event
        chunk: list[dict[str, Any]] = []
        within = iter(found)  # by arrival too: each text's own links come before its events' partners
        nxt = next(within, None)
        make = self._link
        for p in pairs:
            while nxt is not None and nxt[0] <= p.found_by:
                chunk.append(nxt[1])
                nxt = next(within, None)
            chunk.append(make(p))
            if len(chunk) >= LINK_CHUNK:
                sink.add(chunk)
                chunk = []
        while nxt is not None:
            chunk.append(nxt[1])
            nxt = next(within, None)
        sink.add(chunk)

    def _link(self, p: Pair) -> dict[str, Any]:
        """The stored shape of a link between indexed events ``p.first`` (the rule's first side) and
        ``p.second``. Made tens of thousands of times a run: one function, no helper calls it can spare."""
        _, rule, a, b, score, ents, why = p
        if a.phrase is None:
            a.phrase = describe(a.view)
        if b.phrase is None:
            b.phrase = describe(b.view)
        if len(ents) == 2 and ents[0] == ents[1]:
            ents = ents[:1]
        elif len(ents) > 2:
            ents = list(dict.fromkeys(ents))
        sa, sb = a.start, b.start
        gap = float(sb - sa if sa <= sb else sa - sb)
        earlier, later = (a, b) if sa <= sb else (b, a)
        return co_timed_link(link_id(rule.name, (self._happening(a), self._happening(b))),
                             rule.name, score, gap, ents,
                             explain_described(rule, b.view.type, gap, why, a.phrase, b.phrase),
                             earlier.end_facts, later.end_facts)

    def _link_from_items(self, link: dict[str, Any], pair: dict[str, IndexedEvent]) -> dict[str, Any]:
        """A link found within one text (``make_link`` shape, event keys) in the stored shape."""
        items = [pair[key] for key in link["events"]]
        return {"id": link_id(str(link.get("rule")), [self._happening(it) for it in items]), **link,
                "events": [it.entry for it in items]}

    def _happening(self, it: IndexedEvent) -> str:
        """One link per pair of happenings: syndicated copies and other reports of the same launch
        (same type, main actor and day) share this, so they do not make a link each."""
        if it.happening is None:
            it.happening = happening_key(it.view, it.actor or self._story(it.doc_id) or it.view.key)
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
