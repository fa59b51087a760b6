"""Alerts: tell analysts when a watched entity surfaces in newly stored documents.

Each (rule, entity, document) fires at most once, ever: the store remembers what was sent
(``mark_once``), so re-running a crawl or restarting after a crash never repeats an alert. Within
one run, further matches of the same rule and entity are folded into the first alert's follow-up
so an analyst gets one message per entity rather than one per listing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import AlertRule
from storage.base import Store, UpsertResult
from storage.models import Document, WatchEntry, utc_now_iso

ALERT_NAMESPACE = "alert"


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def headline(self) -> str:
        what = {"product": "a product listing", "post": "a social post", "feed_item": "a feed item"}.get(
            self.kind, "an article")
        title = f" '{self.title}'" if self.title else ""
        return f"[{self.rule}] {self.entity_name} surfaced in {what}{title} ({self.source}) {self.url}"


Notifier = Callable[[Alert], None]


class AlertEngine:
    """Listens to ingest; evaluates rules against a document's linked entities."""

    def __init__(self, rules: Iterable[AlertRule], store: Store, entries: Iterable[WatchEntry],
                 notifiers: Iterable[Notifier] = ()) -> None:
        self.rules = list(rules)
        self.store = store
        self.names = {e.id: e.name for e in entries}
        self.watchlist_of = {e.id: e.watchlist for e in entries}
        self.notifiers = list(notifiers)
        self.fired: list[Alert] = []
        self.folded: dict[tuple[str, str], int] = {}
        self.already_sent = 0

    def on_document(self, doc: Document, result: UpsertResult) -> None:
        counts: dict[str, int] = {}
        for ent in doc.annotations.entities:
            if ent.entity_id:
                counts[ent.entity_id] = counts.get(ent.entity_id, 0) + 1
        for rule in self.rules:
            if rule.kinds and doc.kind not in rule.kinds:
                continue
            for eid, n in counts.items():
                if self.watchlist_of.get(eid) != rule.watchlist:
                    continue
                if rule.entity_ids and eid not in rule.entity_ids or n < rule.min_mentions:
                    continue
                self._fire(rule, eid, n, doc)

    def _fire(self, rule: AlertRule, eid: str, mentions: int, doc: Document) -> None:
        alert = Alert(rule=rule.name, entity_id=eid, entity_name=self.names.get(eid, eid), doc_id=doc.id,
                      url=doc.url, title=doc.title, kind=doc.kind, source=doc.source, mentions=mentions,
                      evidence=_evidence(doc, eid))
        key = f"{rule.name}|{eid}|{doc.id}"
        if not self.store.mark_once(ALERT_NAMESPACE, key, json.dumps(alert.to_dict(), ensure_ascii=False)):
            self.already_sent += 1
            return
        group = (rule.name, eid)
        if group in self.folded:
            self.folded[group] += 1
            return
        self.folded[group] = 0
        self.fired.append(alert)
        for notify in self.notifiers:
            notify(alert)


def _evidence(doc: Document, eid: str) -> str:
    for ent in doc.annotations.entities:
        if ent.entity_id == eid:
            start = max(0, ent.start - 80)
            end = min(len(doc.text), ent.end + 80)
            return " ".join(doc.text[start:end].split())
    return ""


def jsonl_notifier(path: Path) -> Notifier:
    """Append every fired alert to a JSON-lines log (the record the digest and UI read)."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def notify(alert: Alert) -> None:
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(alert.to_dict(), ensure_ascii=False) + "\n")

    return notify


def read_alert_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out
