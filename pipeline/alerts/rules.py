"""Alerts: tell analysts, seconds after ingest, when something they watch happens.

Rule types (``[[alerts]] type``): ``mention`` (a watched entity surfaces), ``first_mention`` (its
first appearance ever within the rule's scope), ``volume_spike`` (hourly mentions far above the
rolling baseline: z-score), ``stance_shift`` (the mean stance toward a target moved by ``shift``
between the last two windows of documents), ``event`` (a new event of chosen types involving a
watched entity), ``link`` (a new correlated link; also fed by :meth:`AlertEngine.on_link`),
``listing`` (a new product listing or a price change for a watched entity) and ``search`` (a
saved search matched a new document).

What fires is remembered in the store (``mark_once``), keyed by rule, entity and story (the
document when no story id exists), so re-running a crawl, a restart or another copy of the same
story never repeats an alert. Cool-down and the daily cap are claimed the same way (slots in the
store), so they hold across the crawl subprocesses of ``newswatch run`` too. Each alert says why
it fired (``why``), with an evidence snippet and the link.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.alerts.channels import DIGEST_CHANNEL
from pipeline.alerts.folds import FoldBook, MemoryFolds
from pipeline.config import AlertRule, Config
from storage.base import Store, UpsertResult
from storage.models import Document, WatchEntry, utc_now_iso
from storage.query import parse
from storage.query.match import count_matches, first_match, matches, needs_analysis

ALERT_NAMESPACE = "alert"
FOLD_WINDOW_S = 600.0
"""Matches folded into a mention alert go out as one follow-up alert this long after the first (or at close)."""
FOLDED_SHOWN = 5  # folded documents named in one-line renderings (the payload lists them all)
ARRIVAL_RULES = ("mention", "first_mention", "search")
"""Rule types that need only the watchlist matcher: evaluated when a document arrives, before its analysis
(a ``search`` rule whose query reads entities, stance or events waits for the analysis)."""
STANCE_VALUE = {"favor": 1.0, "against": -1.0, "neutral": 0.0}


@dataclass
class Alert:
    rule: str
    entity_id: str
    entity_name: str
    doc_id: str
    url: str
    title: str | None
    kind: str
    source: str
    mentions: int
    fired_at: str = field(default_factory=utc_now_iso)
    evidence: str = ""
    type: str = "mention"
    why: str = ""
    story_id: str | None = None
    key: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    folded_count: int = 0  # further matches folded into this alert (0: a plain alert)
    folded: list[dict[str, Any]] = field(default_factory=list)  # their documents: id, url, title, source

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def headline(self) -> str:
        if self.folded_count:
            return f"[{self.rule}] {self.why}: " + "; ".join(
                f"'{d.get('title') or d.get('url')}' {d.get('url')}" for d in self.folded[:FOLDED_SHOWN]) + (
                f"; and {self.folded_count - FOLDED_SHOWN} more" if self.folded_count > FOLDED_SHOWN else "")
        what = {"product": "a product listing", "post": "a social post", "feed_item": "a feed item"}.get(
            self.kind, "an article")
        title = f" '{self.title}'" if self.title else ""
        if self.type == "mention":
            return f"[{self.rule}] {self.entity_name} surfaced in {what}{title} ({self.source}) {self.url}"
        return f"[{self.rule}] {self.why}: {what}{title} ({self.source}) {self.url}"


Notifier = Callable[[Alert], None]


def story_id(doc: Document) -> str | None:
    """The story (cluster) a document belongs to, when the story stage has set one."""
    for holder in (doc, doc.annotations):
        value = getattr(holder, "story_id", None)
        if value:
            return str(value)
    return None


class AlertEngine:
    """Listens to ingest; evaluates every rule against each new or updated document."""

    def __init__(self, rules: Iterable[AlertRule], store: Store, entries: Iterable[WatchEntry],
                 notifiers: Iterable[Notifier] = (), clock: Callable[[], float] = time.time,
                 fold: bool = True, folds: FoldBook | None = None) -> None:
        self.rules = list(rules)
        self.store = store
        entries = list(entries)
        self.names = {e.id: e.name for e in entries}
        self.watchlist_of = {e.id: e.watchlist for e in entries}
        self.notifiers = list(notifiers)
        self.clock = clock
        self.fold = fold
        self.fired: list[Alert] = []
        self.folded: dict[tuple[str, str], int] = {}  # per (rule, entity): matches folded so far this run
        # Open fold groups: in the service database when given one, so a killed run's folded matches
        # are sent by the next run (pipeline.alerts.folds).
        self.folds: FoldBook = folds if folds is not None else MemoryFolds()
        self.already_sent = 0
        self.suppressed = 0  # cool-down or daily cap
        self._queries = {r.name: parse(r.query) for r in self.rules if r.type == "search" and r.query}
        self._hourly: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self._stance: dict[tuple[str, str], deque[float]] = {}
        self._seeded = False
        self._closers: list[Callable[[], None]] = []
        self._arrived: set[str] = set()  # documents whose arrival rules already ran

    def on_close(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` at :meth:`close` (e.g. flush the outbox worker)."""
        self._closers.append(fn)

    def close(self) -> None:
        self.flush_folded(0.0)
        for fn in self._closers:
            fn()
        self._closers.clear()

    # ------------------------------------------------------------------ scope

    def _entities_in_scope(self, rule: AlertRule) -> set[str]:
        ids = {eid for eid, wl in self.watchlist_of.items() if wl == rule.watchlist}
        return ids & set(rule.entity_ids) if rule.entity_ids else ids

    @staticmethod
    def _doc_in_scope(rule: AlertRule, doc: Document) -> bool:
        return (not rule.kinds or doc.kind in rule.kinds) and (not rule.sources or doc.source in rule.sources)

    # ------------------------------------------------------------------ listener hooks

    def on_arrival(self, doc: Document) -> None:
        """A new or changed document arrived: its watchlist entities may fire the :data:`ARRIVAL_RULES` now."""
        self._arrived.add(doc.id)
        self._evaluate(doc, None, arrival=True)

    def arrived_before(self, doc: Document) -> None:
        """``doc``'s arrival rules ran in an earlier process (its analysis is resumed): skip them."""
        self._arrived.add(doc.id)

    def on_document(self, doc: Document, result: UpsertResult | None) -> None:
        """The document is analyzed and stored: the rules not run on its arrival (all of them when none ran)."""
        early = doc.id in self._arrived
        self._arrived.discard(doc.id)
        counts = _entity_counts(doc)
        if any(r.type in ("volume_spike", "stance_shift") for r in self.rules):
            self._seed(exclude=doc.id)
            self._observe(doc, counts, self._hour(self.clock()))
        self._evaluate(doc, result, arrival=False if early else None, counts=counts)

    def _on_arrival(self, rule: AlertRule) -> bool:
        """Is ``rule`` answered when a document arrives (else once it is analysed)?"""
        if rule.type == "search":
            return not needs_analysis(self._queries[rule.name])
        return rule.type in ARRIVAL_RULES

    def _evaluate(self, doc: Document, result: UpsertResult | None, arrival: bool | None,
                  counts: dict[str, int] | None = None) -> None:
        """Run the arrival rules (``arrival=True``), the others (``False``) or all of them (``None``)."""
        counts = _entity_counts(doc) if counts is None else counts
        for rule in self.rules:
            if (arrival is not None and self._on_arrival(rule) != arrival) or not self._doc_in_scope(rule, doc):
                continue
            scope = self._entities_in_scope(rule)
            handler = getattr(self, f"_rule_{rule.type}")
            handler(rule, doc, result, {e: n for e, n in counts.items() if e in scope})

    def on_link(self, link: Mapping[str, Any], doc: Document | None = None) -> None:
        """Seam for the correlator: a newly stored link (``newswatch links`` shape) may fire ``link`` rules."""
        for rule in self.rules:
            if rule.type != "link":
                continue
            self._fire_link(rule, link, doc)

    # ------------------------------------------------------------------ rule types

    def _rule_mention(self, rule: AlertRule, doc: Document, result: UpsertResult | None,
                      counts: dict[str, int]) -> None:
        for eid, n in counts.items():
            if n < rule.min_mentions:
                continue
            self._fire(rule, eid, doc, f"{self._name(eid)} mentioned {n} time{'s' if n != 1 else ''}", n)

    def _rule_first_mention(self, rule: AlertRule, doc: Document, result: UpsertResult | None,
                            counts: dict[str, int]) -> None:
        for eid, n in counts.items():
            first = f"{rule.name}|{eid}"
            if n >= rule.min_mentions and self._claim("alert-first", [first], f"{first}|{doc.id}"):
                self._fire(rule, eid, doc, f"first mention ever of {self._name(eid)}", n)

    def _rule_listing(self, rule: AlertRule, doc: Document, result: UpsertResult | None,
                      counts: dict[str, int]) -> None:
        if doc.kind != "product" or not counts:
            return
        price = doc.product.price if doc.product else None
        status = result.status if result else "new"
        if status == "new":
            why_tail, suffix, details = "new listing", "", {"price": price}
        else:
            old = self._previous_price(doc, result)
            if old == price:
                return
            why_tail, suffix = f"price changed from {old or '?'} to {price or '?'}", f"|v{doc.version}"
            details = {"price": price, "previous_price": old}
        currency = (doc.product.currency if doc.product else None) or ""
        for eid, n in counts.items():
            self._fire(rule, eid, doc, f"{self._name(eid)}: {why_tail} {currency}".strip(), n, suffix=suffix,
                       details=details)

    def _previous_price(self, doc: Document, result: UpsertResult | None) -> str | None:
        want = (result.version if result else doc.version) - 1
        for old in self.store.versions(doc.id):
            if old.version == want:
                return old.product.price if old.product else None
        return None

    def _rule_event(self, rule: AlertRule, doc: Document, result: UpsertResult | None,
                    counts: dict[str, int]) -> None:
        scope = self._entities_in_scope(rule)
        for ev in doc.annotations.events:
            if ev.get("type") not in rule.event_types:
                continue
            actors = [a.get("entity_id") for a in ev.get("actors", []) if a.get("entity_id") in scope]
            eid = actors[0] if actors else next(iter(counts), None)
            if eid is None:
                continue
            evidence = (ev.get("evidence") or {}).get("text") or ev.get("trigger", {}).get("text", "")
            self._fire(rule, eid, doc, f"new {ev.get('type')} event involving {self._name(eid)}", counts.get(eid, 0),
                       suffix=f"|{ev.get('type')}", evidence=evidence, details={"event": ev})

    def _rule_link(self, rule: AlertRule, doc: Document, result: UpsertResult | None,
                   counts: dict[str, int]) -> None:
        for link in doc.annotations.links:
            self._fire_link(rule, link, doc)

    def _fire_link(self, rule: AlertRule, link: Mapping[str, Any], doc: Document | None) -> None:
        scope = self._entities_in_scope(rule)
        by_name = {self.names[e].casefold(): e for e in scope}
        hits = [e for e in link.get("entities", []) if e in scope or str(e).casefold() in by_name]
        if not hits:
            return
        eid = hits[0] if hits[0] in scope else by_name[str(hits[0]).casefold()]
        events = link.get("events", [])
        ev_ids = [e.get("id") if isinstance(e, dict) else e for e in events]
        first = next((e for e in events if isinstance(e, dict)), {})
        url = (doc.url if doc else None) or first.get("url", "")
        why = f"new correlated link involving {self._name(eid)}: {link.get('explanation') or link.get('type')}"
        alert = Alert(rule=rule.name, entity_id=eid, entity_name=self._name(eid), doc_id=doc.id if doc else "",
                      url=url, title=doc.title if doc else None, kind=doc.kind if doc else "link",
                      source=doc.source if doc else "", mentions=0, type="link", why=why,
                      evidence=str(link.get("explanation") or ""), details={"link": dict(link)})
        self._deliver(rule, alert, f"{rule.name}|{eid}|link:{link.get('id') or '|'.join(map(str, ev_ids))}")

    def _rule_search(self, rule: AlertRule, doc: Document, result: UpsertResult | None,
                     counts: dict[str, int]) -> None:
        query = self._queries[rule.name]
        if not matches(query, doc):
            return
        text = f"{doc.title or ''}\n{doc.text}"
        at = first_match(query, doc) or 0
        evidence = " ".join(text[max(0, at - 80):at + 120].split())
        alert = Alert(rule=rule.name, entity_id="", entity_name=f"search {rule.query!r}", doc_id=doc.id, url=doc.url,
                      title=doc.title, kind=doc.kind, source=doc.source, mentions=count_matches(query, doc),
                      type="search", why=f"saved search {rule.query!r} matched", evidence=evidence,
                      story_id=story_id(doc))
        self._deliver(rule, alert, f"{rule.name}|search|{alert.story_id or doc.id}")

    def _rule_volume_spike(self, rule: AlertRule, doc: Document, result: UpsertResult | None,
                           counts: dict[str, int]) -> None:
        hour = self._hour(self.clock())
        for eid in counts:
            series = self._hourly[eid]
            current = series.get(hour, 0)
            if current < rule.min_count:
                continue
            base = [series.get(h, 0) for h in range(hour - rule.baseline_hours, hour)]
            mean = statistics.fmean(base)
            std = statistics.pstdev(base)
            z = (current - mean) / max(std, 1.0)
            if z < rule.z_threshold:
                continue
            self._fire(rule, eid, doc, f"volume spike for {self._name(eid)}: {current} mentions this hour vs "
                                       f"{mean:.1f}/h over {rule.baseline_hours}h (z={z:.1f})", counts[eid],
                       suffix=f"|h{hour}", group_by_story=False,
                       details={"count": current, "baseline_mean": mean, "baseline_std": std, "z": z})

    def _rule_stance_shift(self, rule: AlertRule, doc: Document, result: UpsertResult | None,
                           counts: dict[str, int]) -> None:
        for (rname, key), hist in self._stance.items():
            if rname != rule.name or len(hist) < 2 * rule.window or not self._touches(doc, key):
                continue
            values = list(hist)
            before = statistics.fmean(values[-2 * rule.window:-rule.window])
            after = statistics.fmean(values[-rule.window:])
            delta = after - before
            if abs(delta) < rule.shift:
                continue
            direction = "toward favor" if delta > 0 else "toward against"
            eid = key if key in self.names else (next(iter(counts), "") or key)
            self._fire(rule, eid, doc, f"stance on {self._name(key)} shifted {direction}: {before:+.2f} -> "
                                       f"{after:+.2f} over the last {rule.window} documents", counts.get(eid, 0),
                       suffix=f"|{'up' if delta > 0 else 'down'}|h{self._hour(self.clock())}", group_by_story=False,
                       evidence=self._stance_evidence(doc, key), details={"before": before, "after": after})
            hist.clear()  # a new baseline starts after a shift

    # ------------------------------------------------------------------ rolling state

    @staticmethod
    def _hour(ts: float) -> int:
        return int(ts // 3600)

    def _stance_keys(self, rule: AlertRule) -> set[str] | None:
        return {rule.target.casefold()} if rule.target else None

    def _touches(self, doc: Document, key: str) -> bool:
        return any((st.entity_id or st.target.casefold()) == key or st.target.casefold() == key
                   for st in self._all_stances(doc))

    @staticmethod
    def _all_stances(doc: Document) -> list[Any]:
        return [*doc.annotations.stance, *(s for q in doc.annotations.quotes for s in q.stance)]

    def _stance_evidence(self, doc: Document, key: str) -> str:
        for st in self._all_stances(doc):
            if (st.entity_id or st.target.casefold()) == key or st.target.casefold() == key:
                return st.evidence.text if st.evidence else ""
        return ""

    def _observe(self, doc: Document, counts: dict[str, int], hour: int) -> None:
        for eid, n in counts.items():
            self._hourly[eid][hour] += n
        for rule in self.rules:
            if rule.type != "stance_shift" or not self._doc_in_scope(rule, doc):
                continue
            scope = self._entities_in_scope(rule)
            wanted = self._stance_keys(rule)
            for st in self._all_stances(doc):
                key = st.entity_id or st.target.casefold()
                if wanted is not None and key not in wanted and st.target.casefold() not in wanted:
                    continue
                if wanted is None and key not in scope:
                    continue
                hist = self._stance.setdefault((rule.name, key), deque(maxlen=2 * rule.window))
                hist.append(STANCE_VALUE.get(st.label, 0.0) * (st.score if st.label != "neutral" else 1.0))

    def _seed(self, exclude: str) -> None:
        """Warm the rolling baselines from what the store already holds (once per engine).

        ``exclude`` is the document being evaluated: it is already stored and is counted live.
        """
        if self._seeded:
            return
        self._seeded = True
        hours = max((r.baseline_hours for r in self.rules if r.type == "volume_spike"), default=0)
        days = 7 if any(r.type == "stance_shift" for r in self.rules) else 0
        span = max(timedelta(hours=hours), timedelta(days=days))
        since = (datetime.fromtimestamp(self.clock(), UTC) - span).strftime("%Y-%m-%dT%H:%M:%SZ")
        for old in self.store.iter_since(since):
            if old.id == exclude:
                continue
            stamp = old.provenance.fetched_at or old.fetched_at
            try:
                ts = datetime.fromisoformat((stamp or "").replace("Z", "+00:00")).timestamp()
            except ValueError:
                continue
            counts: dict[str, int] = {}
            for ent in old.annotations.entities:
                if ent.entity_id:
                    counts[ent.entity_id] = counts.get(ent.entity_id, 0) + 1
            self._observe(old, counts, self._hour(ts))

    # ------------------------------------------------------------------ firing

    def _name(self, eid: str) -> str:
        return self.names.get(eid, eid)

    def _fire(self, rule: AlertRule, eid: str, doc: Document, why: str, mentions: int, suffix: str = "",
              evidence: str | None = None, group_by_story: bool = True, details: dict[str, Any] | None = None) -> None:
        story = story_id(doc)
        group = (story or doc.id) if group_by_story else ""
        alert = Alert(rule=rule.name, entity_id=eid, entity_name=self._name(eid), doc_id=doc.id, url=doc.url,
                      title=doc.title, kind=doc.kind, source=doc.source, mentions=mentions,
                      evidence=evidence if evidence is not None else _evidence(doc, eid), type=rule.type, why=why,
                      story_id=story, details=details or {})
        self._deliver(rule, alert, f"{rule.name}|{eid}|{group}{suffix}")

    def _deliver(self, rule: AlertRule, alert: Alert, key: str) -> None:
        """Hand ``alert`` to every notifier (the persistent outbox among them), then mark it sent.

        The order is the guarantee: the store's "sent once" mark is written last, so a process
        killed at any point before it leaves no mark, and the re-run fires the alert again; the
        outbox is idempotent by key, so it still holds one copy. (Marking first lost the alert
        to a kill between the mark and the outbox write.) Claims of cool-down and daily-cap
        slots remember their holder for the same reason; a folded alert is marked when the
        follow-up that lists it goes out.
        """
        alert.key = key
        group = (rule.name, alert.entity_id)
        if self.store.was_marked(ALERT_NAMESPACE, key) or (self._folds_rule(rule) and self.folds.holds(group, key)):
            self.already_sent += 1
            return
        if not self._claim_cooldown(rule, alert) or not self._claim_daily_slot(rule, alert):
            self.suppressed += 1
            self.store.mark_once(ALERT_NAMESPACE, key, json.dumps(alert.to_dict(), ensure_ascii=False))
            return
        if self._folds_rule(rule):
            # Without an explicit cool-down, further matches fold: the first goes out at once, the
            # others follow as one alert that lists them (flush_folded), never silently.
            self.flush_folded()
            if self.folds.lead(group) is not None:
                if self.folds.add(group, key, alert.to_dict()):
                    self.folded[group] = self.folded.get(group, 0) + 1
                return
            # Sent before the group opens: a run killed in between costs a second lead alert, never one lost.
            self._send(alert)
            self.folds.open(group, alert.to_dict(), self.clock())
            self.folded.setdefault(group, 0)
            return
        self._send(alert)

    def _folds_rule(self, rule: AlertRule) -> bool:
        return self.fold and rule.cooldown_s == 0 and rule.type == "mention"

    def _send(self, alert: Alert, covers: Iterable[Alert] = ()) -> None:
        """Notify, then mark ``alert`` (and the folded alerts it ``covers``) sent: the mark comes last."""
        self.fired.append(alert)
        for notify in self.notifiers:
            notify(alert)
        for sent in (alert, *covers):
            self.store.mark_once(ALERT_NAMESPACE, sent.key, json.dumps(sent.to_dict(), ensure_ascii=False))

    def flush_folded(self, older_than_s: float = FOLD_WINDOW_S) -> int:
        """Send one follow-up alert per fold group whose first alert is ``older_than_s`` old; returns how many.

        The follow-up names the count and every folded document (id, url, title, source), so each
        channel and the digest can say "+N more"; a new first alert opens the next group.
        """
        sent = 0
        for group, lead_dict, folded in self.folds.due(self.clock() - older_than_s):
            if folded:
                lead = Alert(**lead_dict)
                more = [Alert(**a) for a in folded]
                follow = self._follow_up(lead, more)
                if not self.store.was_marked(ALERT_NAMESPACE, follow.key):
                    self._send(follow, covers=more)
                    sent += 1
            self.folds.close(group)
        return sent

    @staticmethod
    def _follow_up(lead: Alert, more: list[Alert]) -> Alert:
        """The one alert that lists the matches folded after ``lead``."""
        docs = [{"id": a.doc_id, "url": a.url, "title": a.title, "source": a.source} for a in more]
        n = len(more)
        alert = Alert(rule=lead.rule, entity_id=lead.entity_id, entity_name=lead.entity_name, doc_id=more[0].doc_id,
                      url=more[0].url, title=more[0].title, kind=more[0].kind, source=more[0].source,
                      mentions=sum(a.mentions for a in more), evidence=more[0].evidence, type=lead.type,
                      why=f"{lead.entity_name} mentioned in {n} more document{'s' if n != 1 else ''} "
                          f"after the alert on '{lead.title or lead.url}'",
                      story_id=more[0].story_id, folded_count=n, folded=docs,
                      details={"folded_into": lead.key})
        alert.key = f"{lead.key}|folded|{more[0].doc_id}"
        return alert

    def _claim(self, namespace: str, slots: Iterable[str], holder: str) -> bool:
        """Take one of ``slots`` (atomic across processes); True again for the same ``holder``.

        The holder is noted before the slot is taken: a run killed in between finds its claim on
        the re-run instead of losing the alert to a slot it took itself.
        """
        holders = f"{namespace}-holder"
        if self.store.was_marked(holders, holder):
            return True
        self.store.mark_once(holders, holder)
        return any(self.store.mark_once(namespace, slot) for slot in slots)

    def _claim_cooldown(self, rule: AlertRule, alert: Alert) -> bool:
        """At most one alert per rule and entity per cool-down window (windows aligned to the epoch)."""
        if rule.cooldown_s <= 0:
            return True
        slot = f"{rule.name}|{alert.entity_id}|{int(self.clock() // rule.cooldown_s)}"
        return self._claim("alert-cooldown", [slot], f"{slot}|{alert.key}")

    def _claim_daily_slot(self, rule: AlertRule, alert: Alert) -> bool:
        """One of ``daily_cap`` numbered slots for today (UTC); atomic across processes."""
        if rule.daily_cap <= 0:
            return True
        day = datetime.fromtimestamp(self.clock(), UTC).strftime("%Y-%m-%d")
        slots = (f"{rule.name}|{day}|{i}" for i in range(rule.daily_cap))
        return self._claim("alert-cap", slots, f"{rule.name}|{day}|{alert.key}")


def _entity_counts(doc: Document) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ent in doc.annotations.entities:
        if ent.entity_id:
            counts[ent.entity_id] = counts.get(ent.entity_id, 0) + 1
    return counts


def _evidence(doc: Document, eid: str) -> str:
    for ent in doc.annotations.entities:
        if ent.entity_id == eid:
            start = max(0, ent.start - 80)
            end = min(len(doc.text), ent.end + 80)
            return " ".join(doc.text[start:end].split())
    return ""


def alert_log_path(config: Config) -> Path:
    """Where fired alerts are logged, one JSON line each (read back by the digest and the demo)."""
    return config.data_dir / "alerts.jsonl"


def jsonl_notifier(path: Path) -> Notifier:
    """Append every fired alert to a JSON-lines log (the record the digest and UI read)."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def notify(alert: Alert) -> None:
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(alert.to_dict(), ensure_ascii=False) + "\n")

    return notify


def outbox_notifier(outbox: Any, rules: Iterable[AlertRule], email_to: Mapping[str, list[str]],
                    wake: Callable[[], None] | None = None) -> Notifier:
    """Queue each alert in the persistent outbox for every channel of its rule, then wake the worker.

    A rule with ``email = true`` and no channels goes by email to the digest recipients of its
    watchlist (``email_to``: watchlist -> addresses).
    """
    by_name = {r.name: r for r in rules}

    def notify(alert: Alert) -> None:
        rule = by_name.get(alert.rule)
        if rule is None:
            return
        payload = alert.to_dict()
        for channel in rule.channels:
            outbox.put(f"{alert.key}|{channel}", channel, payload)
        if rule.email and not rule.channels and email_to.get(rule.watchlist):
            outbox.put(f"{alert.key}|{DIGEST_CHANNEL}", DIGEST_CHANNEL, {**payload, "to": email_to[rule.watchlist]})
        if wake is not None:
            wake()

    return notify


def read_alert_log(path: Path) -> list[dict[str, Any]]:
    """The fired alerts, once each: a run killed before marking an alert logs it again on the re-run."""
    if not path.exists():
        return []
    out = []
    keys: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            alert = json.loads(line)
        except json.JSONDecodeError:
            continue
        key = alert.get("key") if isinstance(alert, dict) else None
        if key:
            if key in keys:
                continue
            keys.add(key)
        out.append(alert)
    return out
