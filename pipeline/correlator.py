"""The correlator: co-timed events across every stream ("product launches timed to diplomatic visits").

It listens to ingest. Each stored document's events go to the store's ``events`` table; product
listings also feed a per-entity daily count, and a jump in new listings about a watched entity
becomes a ``listing_surge`` event of the listings stream. Then :meth:`Correlator.process` reads
only the events that arrived since its cursor and pairs each with earlier events through an
in-memory index keyed by (rule, side, join key) and start day, so the cost grows with the new
events and their few candidates, never with a rescan of the store. The past is read into that
index by date, only as far as new events can reach, so a new process starts at once.

Each batch of new events is one write transaction: its links and the cursor past it, so a run
killed midway keeps the batches it finished and pairs only the rest again. Links are stored
(``newswatch links --json``), found by the ``link:`` search filter and handed to link listeners
(an alert channel subscribes there).

:class:`StoryStage` gives every document its story id before it is stored (MinHash LSH over the
stored signatures), so counts, digests and alerts can count a story once.
"""

from __future__ import annotations

import bisect
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from nlp.events.pairing import (
    EventView,
    PairRule,
    describe,
    explain,
    join_keys,
    link_views,
    relate,
    timed_score,
)
from nlp.stories import DEFAULT_THRESHOLD, StoryIndex, to_bytes
from pipeline.correlator_settings import CorrelatorSettings
from storage.base import EventStore, Store, UpsertResult
from storage.events_store import StoredEvent, link_id
from storage.models import Actor, Document, Event, EventDate, Link, LinkEnd, Span, WatchEntry, utc_now_iso

CURSOR = "correlator"
LISTING_EVENT_TYPES = ("merchandise", "product_launch")
MAX_EVENT_DAYS = 31  # how far back a still-running event is looked for (a visit, not a season)
_MAIN_ROLES = {"product_launch": ("company", "product"), "official_visit": ("visitor",), "deal": ("company",),
               "merchandise": ("depicted",), "listing_surge": ("depicted", "product", "company")}


class LinkListener(Protocol):
    """Told about each link the first time it is stored (e.g. to fire an alert), in the
    ``newswatch links --json`` shape."""

    def on_link(self, link: dict[str, Any]) -> None: ...


_RANK = operator.itemgetter(0, 1)  # a scored candidate's (negative score, arrival)
Joins = list[tuple[PairRule, str, set[str]]]  # (rule, side, join keys) of one event


@dataclass(eq=False, slots=True)
class PairingEvent:
    """A stored event as pairing needs it, worked out once when it is read. The index holds one per
    stored event within reach, for as long as the process runs: it keeps few objects."""

    eseq: int  # its arrival
    doc_id: str
    view: EventView
    end: LinkEnd  # what a link shows of it
    phrase: str | None = None  # its clause in explanations (the extractor's summary, else made when first linked)
    happening: str | None = None  # what reports of the same happening share (see Correlator._happening)
    gone: bool = False  # its document was analysed again

    @classmethod
    def of(cls, ev: StoredEvent) -> PairingEvent:
        end = LinkEnd(ev.key, ev.type, ev.doc_id, ev.url, ev.event.date, ev.event.evidence)
        return cls(ev.eseq, ev.doc_id, EventView(ev.key, ev.event), end, phrase=ev.event.summary)


def joins_of(item: PairingEvent, rules: tuple[PairRule, ...]) -> Joins:
    """The (rule, side, join keys) under which a dated event can pair (none for an undated one)."""
    view = item.view
    if view.start is None:
        return []
    return [(rule, side, join_keys(rule, side, view)) for rule in rules
            for side, types in (("first", rule.first), ("second", rule.second)) if view.type in types]


class PastEvents:
    """Dated events by (rule, side, join key) and start day: where a new event's candidates are."""

    def __init__(self) -> None:
        # per (rule, side, join key): the events' first days, sorted, and the events in that order
        self.by_key: dict[tuple[str, str, str], tuple[list[int], list[PairingEvent]]] = defaultdict(
            lambda: ([], []))
        self.by_doc: dict[str, list[PairingEvent]] = defaultdict(list)
        self.indexed: set[int] = set()  # arrival numbers
        self.longest = 0  # days of the longest event indexed (up to MAX_EVENT_DAYS)

    def add(self, item: PairingEvent, joins: Joins) -> None:
        view = item.view
        if view.start is None or item.eseq in self.indexed:
            return
        self.indexed.add(item.eseq)
        self.by_doc[item.doc_id].append(item)
        self.longest = min(MAX_EVENT_DAYS, max(self.longest, view.last_day - view.first_day))
        for rule, side, keys in joins:
            for key in keys:
                days, events = self.by_key[(rule.name, side, key)]
                at = bisect.bisect_right(days, view.first_day)
                days.insert(at, view.first_day)
                events.insert(at, item)

    def drop_doc(self, doc_id: str) -> None:
        """Forget the events of a document that is being analysed again."""
        for item in self.by_doc.pop(doc_id, ()):
            item.gone = True

    def candidates(self, item: PairingEvent, rule: PairRule, side: str, keys: set[str]) -> list[PairingEvent]:
        """Events of other documents that arrived before ``item``, share a join key with it on the other
        side of ``rule`` and start where their dates can come within the rule's window of its own."""
        window = int(rule.window_days)
        first_day, last_day = item.view.first_day - window - self.longest, item.view.last_day + window
        other = "second" if side == "first" else "first"
        eseq, doc_id, by_key = item.eseq, item.doc_id, self.by_key
        seen: dict[int, PairingEvent] = {}
        for key in keys:
            found = by_key.get((rule.name, other, key))
            if not found:
                continue
            days, events = found
            lo = bisect.bisect_left(days, first_day)
            for cand in events[lo:bisect.bisect_right(days, last_day, lo)]:
                if cand.eseq < eseq and not cand.gone and cand.doc_id != doc_id:
                    seen[id(cand)] = cand
        return list(seen.values())


class Correlator:
    """Incremental pairing of stored events; a :class:`pipeline.ingest.ingestor.DocumentListener` too."""

    def __init__(self, store: Store, settings: CorrelatorSettings | None = None,
                 listeners: Iterable[LinkListener] = (), entries: Iterable[WatchEntry] = ()) -> None:
        self.es: EventStore = store.events
        self.settings = settings or CorrelatorSettings()
        self.listeners = list(listeners)
        self.entries = {e.id: e for e in entries}
        self._past: PastEvents | None = None
        self._covered: tuple[int, int] | None = None  # day numbers of the start dates read into _past
        self._cursor: int | None = None
        self._stories: dict[str, str | None] = {}

    # -- ingest listener

    def on_document(self, doc: Document, result: UpsertResult) -> None:
        """Store the document's events, count listings, then correlate whatever is new."""
        if self._past is not None:
            self._past.drop_doc(doc.id)
        events = [Event.from_dict(e) for e in doc.annotations.events]  # the NLP stage's dicts
        if doc.kind == "product":  # a shop listing sells goods; it does not report visits or deals
            events = [e for e in events if e.type in LISTING_EVENT_TYPES]
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
            entry = self.entries.get(entity_id)
            role = {"person": "depicted", "product": "product"}.get(entry.type if entry else "", "company")
            text = doc.title or doc.text[:120]
            span = Span(text, 0, len(text))
            event = Event(
                id="surge", type="listing_surge", trigger=span, evidence=span,
                confidence=round(min(1.0, 0.5 + 0.05 * recent), 4),
                actors=[Actor(role, entry.name if entry else entity_id, entry.role if entry else None, entity_id,
                              entry.country if entry else None)],
                date=EventDate(first_day, day, None, True),
                attributes={"listings": recent, "baseline_per_day": round(before / max(1, s.surge_baseline_days), 3),
                            "window_days": s.surge_window_days},
                extra={"reasons": [f"{recent} new listings in {s.surge_window_days} days vs {before} in the "
                                   f"{s.surge_baseline_days} days before"]})
            event.summary = describe(EventView("surge", event))
            self.es.put_events(f"stream:listings:{entity_id}:{first_day}", [event], url=doc.url, source=doc.source,
                               kind="listings", published_at=day)

    # -- correlation

    def process(self) -> list[Link]:
        """Pair the events stored since the cursor with everything before them; returns the new links."""
        if self._past is None:
            self._past, self._covered, self._cursor = PastEvents(), None, self.es.get_cursor(CURSOR)
        assert self._cursor is not None
        stored: list[Link] = []
        try:
            while batch := self.es.events_after(self._cursor, self.settings.batch):
                links = self._pair_batch(batch)
                stored += self.es.add_links(links, cursor=(CURSOR, batch[-1].eseq))  # one transaction
                self._cursor = batch[-1].eseq
        except BaseException as failure:
            # the index may hold events of a batch that was not stored: read the cursor and the past again
            self._past = self._covered = self._cursor = None
            try:
                self._announce(stored)  # links of the batches stored before the failure
            except Exception as listener_error:  # noqa: BLE001 - the failure is what the caller must see
                failure.add_note(f"newswatch: a link listener also failed while the links stored before this "
                                 f"error were announced: {listener_error!r}")
            raise
        self._announce(stored)
        return stored

    def _announce(self, links: list[Link]) -> None:
        if not self.listeners:
            return
        for link in links:
            shape = link.to_dict()
            for listener in self.listeners:
                listener.on_link(shape)

    def _pair_batch(self, batch: list[StoredEvent]) -> list[Link]:
        """The batch's links in the order one-by-one arrival would find them: each text's own links when
        its first event arrives, then each new event's best partners among earlier ones (of two links
        between the same happenings, the first found is the one kept)."""
        rules = self.settings.rules
        items = [PairingEvent.of(ev) for ev in batch]
        joins = [joins_of(item, rules) for item in items]
        self._read_past(items)
        past = self._past
        assert past is not None
        for item, item_joins in zip(items, joins, strict=True):
            past.add(item, item_joins)
        by_doc: dict[str, list[PairingEvent]] = defaultdict(list)
        for item in items:
            by_doc[item.doc_id].append(item)
        links: list[Link] = []
        for item, item_joins in zip(items, joins, strict=True):
            own = by_doc.pop(item.doc_id, None)
            if own is not None and len(own) > 1:
                links += self._within_text(own)
            for rule, side, keys in item_joins:
                links += self._best_partners(item, rule, side, keys)
        return links

    def _best_partners(self, item: PairingEvent, rule: PairRule, side: str, keys: set[str]) -> list[Link]:
        """Links to the best-scored earlier events ``item`` pairs with under ``rule`` (it on ``side``)."""
        assert self._past is not None
        scored = []
        first = side == "first"
        for cand in self._past.candidates(item, rule, side, keys):
            a, b = (item, cand) if first else (cand, item)
            timed = timed_score(rule, a.view, b.view)
            if timed is not None:
                scored.append((-timed[0], cand.eseq, a, b, timed[1]))
        scored.sort(key=_RANK)  # best score, then earliest arrival
        links: list[Link] = []
        for negative_score, _, a, b, gap in scored:
            related = relate(rule, a.view, b.view)  # score_pair's last test, asked of the best-ranked only
            if related is not None:
                links.append(self._link(rule, a, b, -negative_score, gap, *related))
                if len(links) == self.settings.max_links_per_event:
                    break
        return links

    def _within_text(self, items: list[PairingEvent]) -> list[Link]:
        """Links among one text's events: the text ties them together even when one of them is undated."""
        mine = {item.view.key: item for item in items}
        out = []
        for found in link_views([item.view for item in mine.values()], self.settings.rules):
            ends = [mine[key] for key in found["events"]]
            out.append(Link(id=link_id(str(found["rule"]), [self._happening(e) for e in ends]), rule=found["rule"],
                            events=(ends[0].end, ends[1].end), score=found["score"], gap_days=found["gap_days"],
                            entities=found["entities"], explanation=found["explanation"]))
        return out

    def _link(self, rule: PairRule, a: PairingEvent, b: PairingEvent, score: float, gap: float | None,
              entities: list[str], why: str) -> Link:
        """The link between ``a`` (the rule's first side) and ``b``, the earlier event first."""
        earlier, later = (a, b) if a.view.first_day <= b.view.first_day else (b, a)
        return Link(id=link_id(rule.name, (self._happening(a), self._happening(b))), rule=rule.name,
                    events=(earlier.end, later.end), score=score, gap_days=gap, entities=list(dict.fromkeys(entities)),
                    explanation=explain(rule, a.view, b.view, gap, why, (self._phrase(a), self._phrase(b))))

    def _read_past(self, items: list[PairingEvent]) -> None:
        """Read into the index the already processed events that could pair with ``items``: those starting
        within the widest rule window (plus the longest event) of their dates, unless read before."""
        dated = [item for item in items if item.view.start is not None]
        if not dated or not self._cursor:
            return  # nothing dated to pair, or nothing processed yet: no past to read
        assert self._past is not None
        reach = max((int(r.window_days) for r in self.settings.rules), default=0) + MAX_EVENT_DAYS
        lo = min(item.view.first_day for item in dated) - reach
        hi = max(item.view.last_day for item in dated) + reach
        if self._covered is None:
            missing = [(lo, hi)]
        else:
            covered_lo, covered_hi = self._covered
            missing = [r for r in ((lo, covered_lo - 1), (covered_hi + 1, hi)) if r[0] <= r[1]]
            lo, hi = min(lo, covered_lo), max(hi, covered_hi)
        self._covered = (lo, hi)
        rules = self.settings.rules
        for first, last in missing:
            first_day, last_day = (date.fromordinal(min(max(d, 1), date.max.toordinal())).isoformat()
                                   for d in (first, last))
            for ev in self.es.events_starting(first_day, last_day, self._cursor):
                item = PairingEvent.of(ev)
                self._past.add(item, joins_of(item, rules))

    def _phrase(self, item: PairingEvent) -> str:
        if item.phrase is None:
            item.phrase = describe(item.view)
        return item.phrase

    def _happening(self, item: PairingEvent) -> str:
        """One link per pair of happenings: syndicated copies and other reports of the same launch (same
        type, main actor and start day) share this, so they do not make a link each. An event without a
        main actor stands for its story (copies of one text), else for itself."""
        if item.happening is None:
            view = item.view
            roles = _MAIN_ROLES.get(view.type, ("agency", "target"))
            actor = next(((a.entity_id or a.text.lower()) for a in view.event.actors if a.role in roles), None)
            who = actor or self._story(item.doc_id) or view.key
            item.happening = f"{view.type}|{who}|{view.start.isoformat() if view.start else 'None'}"
        return item.happening

    def _story(self, doc_id: str) -> str | None:
        if doc_id not in self._stories:
            if len(self._stories) > 100_000:
                self._stories.clear()
            self._stories[doc_id] = self.es.story_of(doc_id)
        return self._stories[doc_id]


class StoryStage:
    """Names the story of each document before it is stored, and keeps the signatures in the store."""

    def __init__(self, store: Store, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.es: EventStore = store.events
        self.index = StoryIndex(threshold)
        self.index.load(self.es.story_signatures())

    def assign(self, doc: Document) -> str:
        text = f"{doc.title or ''}\n{doc.text}"
        story, sig = self.index.assign(doc.id, text)
        self.es.put_story_member(doc.id, story, doc.source or "", doc.fetched_at or utc_now_iso(), to_bytes(sig))
        return story


def links_since(store: Store, since: str | None = None) -> list[Link]:
    """Stored links, oldest first."""
    return store.events.links(since)


def make_event_stages(config: Any, store: Store, listeners: Iterable[LinkListener] = ()
                      ) -> tuple[Correlator | None, StoryStage]:
    """The correlator (None when ``[correlator] enabled = false``) and the story stage of a run."""
    settings: CorrelatorSettings = config.correlator
    stories = StoryStage(store, settings.story_threshold)
    if not settings.enabled:
        return None, stories
    return Correlator(store, settings, listeners, config.watch_entries()), stories


def demo_summary(store: Store, names: dict[str, str], per_type: int = 2) -> list[str]:
    """The demo's "timed to" section: the best events of each type, the merchandise, and the links."""
    es = store.events
    best: dict[str, list[StoredEvent]] = defaultdict(list)
    merch: dict[str, list[StoredEvent]] = defaultdict(list)
    for ev in es.iter_events():
        if ev.type == "merchandise":
            for a in ev.event.actors:
                if a.role == "depicted":
                    merch[a.entity_id or a.text].append(ev)
        else:
            best[ev.type].append(ev)
    lines = ["", "== Events (typed, with evidence)"]
    order = ("product_launch", "official_visit", "deal", "export_control", "trade_measure", "sanction",
             "listing_surge")
    for etype in order:
        ranked = sorted(best.get(etype, []), key=lambda e: (not e.event.date.resolved, -e.event.confidence))
        seen: set[str] = set()
        for ev in ranked:
            what = _describe(EventView(ev.key, ev.event))
            if what in seen or len(seen) >= per_type:
                continue
            seen.add(what)
            d = ev.event.date
            when = d.start if d.start == d.end else f"{d.start} to {d.end}"
            where = f", {ev.event.place}" if ev.event.place else ""
            lines.append(f"  {etype:<15} {what} ({when if d.resolved else 'date unknown'}{where}) "
                         f"[{ev.source}, confidence {ev.event.confidence:.2f}]")
    for who, evs in sorted(merch.items(), key=lambda kv: -len(kv[1])):
        days = sorted(e.event.date.start or (e.published_at or "")[:10] for e in evs)
        days = [d for d in days if d]
        listings = [e for e in evs if e.kind == "product"]
        if not listings:
            continue
        lines.append(f"  {'merchandise':<15} {len(listings)} listings and {len(evs) - len(listings)} reports of "
                     f"goods depicting {names.get(who, who)}{f', first on {days[0]}' if days else ''} "
                     f"[{', '.join(sorted({e.source or '' for e in listings}))}]")
    links = es.links()
    lines += ["", f"== Links: events timed to each other ({len(links)}; the best of each rule)"]
    top: dict[str, Link] = {}
    for link in sorted(links, key=lambda x: -x.score):
        top.setdefault(link.rule, link)
    for link in top.values():
        lines.append(f"  {link.score:.2f}  {link.explanation}")
        for end in link.events:
            lines.append(f"        {end.type:<15} {end.url}")
    return lines


def _describe(v: EventView) -> str:
    def who(*roles: str) -> str:
        for a in v.role(*roles):
            title = f"{a.title} " if a.title and a.title not in a.text else ""
            return f"{title}{a.text}" + (f" ({a.country})" if a.country else "")
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
