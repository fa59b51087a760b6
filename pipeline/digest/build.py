"""The digest: what changed for the watched entities in a window, then the top stories, ranked.

A digest covers a :class:`Window` (by default, for a recipient, everything since the last digest
sent to them, else the last 24 hours), and a document belongs to it by its publication time,
falling back to its fetch time. It leads with what changed per watched entity: mentions against
the previous window of the same length (with a small chart of the last windows), the stance shift
with the quote that shows it, and the new events and links with their one-line explanation. Then
the alerts (a folded alert lists its documents) and the top stories, ranked by story size,
sources, watched entities and recency, each with a snippet that is not its title, cut at a word.
Times are shown in the recipient's time zone. Numeric and date entities are never listed.

HTML comes from Jinja2 templates with autoescape (``pipeline/digest/templates``): everything that came
from a crawled page is escaped, every link goes through :func:`storage.url_safety.link_html`,
charts are inline SVG so the page reads the same in a browser and a mail client; the plain-text
part is its own template.
"""

from __future__ import annotations

import math
import smtplib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from pipeline.alerts.channels import folded_docs
from pipeline.alerts.outbox import Outbox
from pipeline.alerts.rules import alert_log_path, read_alert_log, story_id
from pipeline.config import Config, Recipient, SmtpConfig
from pipeline.web.charts import bar_chart, spark_bars, stacked_bars
from pipeline.when import human_day, human_time, iso_utc, parse_stored
from storage.base import Store
from storage.models import Document, WatchEntry
from storage.url_safety import link_html, safe_http_url

LISTED_LABELS = ("PERSON", "ORG", "PRODUCT", "GPE", "LOC", "FAC", "EVENT", "WORK_OF_ART", "LAW")
"""Entity labels an "also in the news" list may show: never DATE, TIME, MONEY, PERCENT, QUANTITY, CARDINAL,
ORDINAL (numbers and dates are not entities anyone follows), nor NORP (nationalities: "Chinese")."""
SNIPPET_CHARS = 240
HISTORY_WINDOWS = 7  # windows in each entity's small chart (this one and the six before)
STANCE_VALUE = {"favor": 1.0, "against": -1.0, "neutral": 0.0}
MIN_STANCE_SHIFT = 0.3


# --------------------------------------------------------------------------- the window


@dataclass(frozen=True)
class Window:
    """``[start, end)`` in UTC, shown in ``tz``."""

    start: datetime
    end: datetime
    tz: str = "UTC"

    @classmethod
    def last_hours(cls, hours: float = 24, end: datetime | None = None, tz: str = "UTC") -> Window:
        end = end or datetime.now(UTC)
        return cls(end - timedelta(hours=hours), end, tz)

    @classmethod
    def day(cls, day: str, tz: str = "UTC") -> Window:
        """The calendar day ``day`` (YYYY-MM-DD) in ``tz``."""
        zone = ZoneInfo(tz)
        start = datetime.combine(date.fromisoformat(day), time(0), zone)
        end = datetime.combine(date.fromisoformat(day) + timedelta(days=1), time(0), zone)
        return cls(start.astimezone(UTC), end.astimezone(UTC), tz)

    @classmethod
    def everything(cls, tz: str = "UTC") -> Window:
        return cls(datetime(1970, 1, 1, tzinfo=UTC), datetime.now(UTC) + timedelta(days=1), tz)

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    def before(self, n: int = 1) -> Window:
        """The window of the same length ``n`` windows earlier."""
        return Window(self.start - n * self.length, self.end - n * self.length, self.tz)

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    @property
    def is_calendar_day(self) -> bool:
        local = self.start.astimezone(ZoneInfo(self.tz))
        return local.time() == time(0) and Window.day(local.date().isoformat(), self.tz) == self

    @property
    def is_everything(self) -> bool:
        return self.start.year == 1970

    def label(self) -> str:
        """``Tuesday 10 March 2026 (Europe/Lisbon)`` or ``Mon 9 Mar, 07:00 to Tue 10 Mar 2026, 07:00 (UTC)``."""
        if self.is_everything:
            return "everything stored"
        if self.is_calendar_day:
            return f"{human_day(self.start, self.tz)} ({self.tz})"
        return f"{human_time(self.start, self.tz)} to {human_time(self.end, self.tz, with_year=True)} ({self.tz})"

    def stamp(self) -> str:
        """For file names: ``2026-03-10`` for a calendar day, else ``2026-03-09-0700_2026-03-10-0700``."""
        if self.is_everything:
            return "all"
        zone = ZoneInfo(self.tz)
        if self.is_calendar_day:
            return self.start.astimezone(zone).date().isoformat()
        return f"{self.start.astimezone(zone):%Y-%m-%d-%H%M}_{self.end.astimezone(zone):%Y-%m-%d-%H%M}"

    def to_dict(self) -> dict[str, str]:
        return {"start": iso_utc(self.start), "end": iso_utc(self.end), "tz": self.tz}


def doc_time(doc: Document, tz: str = "UTC") -> datetime | None:
    """When a document happened for the digest: its publication time, else when it was fetched."""
    return (parse_stored(doc.published_at, tz) or parse_stored(doc.provenance.fetched_at)
            or parse_stored(doc.fetched_at))


# --------------------------------------------------------------------------- what the digest holds


@dataclass
class Story:
    """One cluster of documents in the window (or a single document when no story id exists)."""

    key: str
    docs: list[Document] = field(default_factory=list)
    watched: set[str] = field(default_factory=set)
    latest: datetime | None = None
    score: float = 0.0

    @property
    def lead(self) -> Document:
        return self.docs[0]

    @property
    def sources(self) -> set[str]:
        return {d.source for d in self.docs}


@dataclass
class Evidence:
    text: str
    holder: str
    label: str
    url: str
    title: str | None


@dataclass
class EntityChange:
    """What changed for one watched entity between the previous window and this one."""

    entity_id: str
    name: str
    mentions: int = 0
    previous: int = 0
    history: list[int] = field(default_factory=list)  # oldest window first, this window last
    stance_now: float | None = None
    stance_before: float | None = None
    quote: Evidence | None = None
    events: list[tuple[dict[str, Any], Document]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)

    @property
    def change(self) -> str:
        return change_text(self.mentions, self.previous)

    @property
    def stance_shift(self) -> float | None:
        if self.stance_now is None or self.stance_before is None:
            return None
        return self.stance_now - self.stance_before


@dataclass
class DigestData:
    title: str
    window: Window
    total: int = 0
    per_source: Counter[str] = field(default_factory=Counter)
    per_kind: Counter[str] = field(default_factory=Counter)
    per_day: Counter[str] = field(default_factory=Counter)
    watched_mentions: Counter[str] = field(default_factory=Counter)
    previous_mentions: Counter[str] = field(default_factory=Counter)
    other_entities: Counter[str] = field(default_factory=Counter)
    stance: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    evidence: dict[str, list[Evidence]] = field(default_factory=lambda: defaultdict(list))
    alerts: list[dict[str, Any]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    stories: list[Story] = field(default_factory=list)
    events: list[tuple[dict[str, Any], Document]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)  # {"explanation", "type", "url", "title", "entities"}
    changes: list[EntityChange] = field(default_factory=list)

    @property
    def since(self) -> str | None:
        return None if self.window.is_everything else iso_utc(self.window.start)

    @property
    def day(self) -> str | None:
        return self.window.stamp() if self.window.is_calendar_day else None

def change_text(now: int, before: int) -> str:
    if before == 0:
        return "new" if now else "0"
    return f"{100.0 * (now - before) / before:+.0f}%"


def snippet(doc: Document, limit: int = SNIPPET_CHARS) -> str:
    """The start of the text that is not the title, cut at a word with an ellipsis."""
    text = " ".join(doc.text.split())
    title = " ".join((doc.title or "").split())
    if title and text.casefold().startswith(title.casefold()):
        text = text[len(title):].lstrip(" .:-\u2013\u2014|")
    if len(text) <= limit:
        return text
    cut = text[:limit + 1]
    at = cut.rfind(" ")
    return (cut[:at] if at > limit // 2 else cut[:limit]).rstrip(" ,;:-\u2013\u2014") + "\u2026"


def _listed(label: str, name: str) -> bool:
    """A name worth listing as an entity: a listed label, letters, not a short all-caps code ("SKU")."""
    if label not in LISTED_LABELS or not any(ch.isalpha() for ch in name) or any(ch.isdigit() for ch in name):
        return False
    return not (name.isupper() and len(name) <= 3)


def _stance_values(doc: Document) -> list[tuple[str, float]]:
    """(entity id or target, signed value) of every stance in the document, quotes included."""
    out = []
    for st in [*doc.annotations.stance, *(s for q in doc.annotations.quotes for s in q.stance)]:
        value = STANCE_VALUE.get(st.label, 0.0) * (st.score if st.label != "neutral" else 1.0)
        out.append((st.entity_id or st.target, value))
    return out


def collect(store: Store, entries: list[WatchEntry], title: str, since: str | None = None,
            alerts: list[dict[str, Any]] | None = None, max_items: int = 25, day: str | None = None,
            window: Window | None = None, tz: str = "UTC") -> DigestData:
    """One pass over the documents of ``window`` and the windows before it, counting what the digest shows.

    ``window`` wins; else ``day`` (that calendar day in ``tz``), else ``since`` (until now), else everything.
    """
    if window is None:
        if day is not None:
            window = Window.day(day, tz)
        elif since is not None:
            start = parse_stored(since, tz) or datetime(1970, 1, 1, tzinfo=UTC)
            window = Window(start, datetime.now(UTC) + timedelta(seconds=1), tz)
        else:
            window = Window.everything(tz)
    names = {e.id: e.name for e in entries}
    data = DigestData(title=title, window=window, names=names,
                      alerts=[a for a in alerts or [] if _alert_in(a, window)])
    history_start = window.start if window.is_everything else window.before(HISTORY_WINDOWS - 1).start
    changes = {eid: EntityChange(eid, name, history=[0] * HISTORY_WINDOWS) for eid, name in names.items()}
    stance_now: dict[str, list[float]] = defaultdict(list)
    stance_before: dict[str, list[float]] = defaultdict(list)
    stories: dict[str, Story] = {}
    # a document is stored after it is published (or fetched): reading from a day before the
    # oldest window start is enough, whatever the store's own time stamps say
    for doc in store.iter_since(None if window.is_everything else iso_utc(history_start - timedelta(days=1))):
        when = doc_time(doc, window.tz)
        if when is None or when < history_start or when >= window.end:
            continue
        counts = Counter(str(e.entity_id) for e in doc.annotations.entities if e.entity_id in names)
        back = 0 if window.contains(when) or window.is_everything else \
            math.ceil((window.start - when) / window.length)  # 1: the previous window
        for eid, n in counts.items():
            changes[eid].history[HISTORY_WINDOWS - 1 - back] += n
        if back == 1:
            for eid, n in counts.items():
                data.previous_mentions[eid] += n
            for key, value in _stance_values(doc):
                stance_before[key].append(value)
        if back:
            continue
        _count(data, doc, when, counts, stance_now, changes, stories)
    for eid, change in changes.items():
        change.mentions, change.previous = data.watched_mentions[eid], data.previous_mentions[eid]
        if stance_now.get(eid):
            change.stance_now = sum(stance_now[eid]) / len(stance_now[eid])
        if stance_before.get(eid):
            change.stance_before = sum(stance_before[eid]) / len(stance_before[eid])
        change.quote = _quote_for(data.evidence.get(eid, []), change.stance_shift)
    _collect_links(store, data, changes, window)
    data.changes = sorted((c for c in changes.values() if c.mentions or c.previous or c.events or c.links),
                          key=lambda c: (-(c.mentions + 2 * len(c.events) + 2 * len(c.links)), c.name))
    for story in stories.values():
        story.score = _story_score(story, window)
    data.stories = sorted(stories.values(), key=lambda s: (-s.score, s.lead.title or ""))[:max_items]
    return data


def _count(data: DigestData, doc: Document, when: datetime, counts: Counter[str],
           stance_now: dict[str, list[float]], changes: dict[str, EntityChange], stories: dict[str, Story]) -> None:
    """Everything one document of the window adds to the digest."""
    data.total += 1
    data.per_source[doc.source] += 1
    data.per_kind[doc.kind] += 1
    data.per_day[when.astimezone(ZoneInfo(data.window.tz)).date().isoformat()] += 1
    for eid, n in counts.items():
        data.watched_mentions[eid] += n
    for name in {ent.canonical or ent.text for ent in doc.annotations.entities
                 if ent.entity_id not in data.names and _listed(ent.label, ent.canonical or ent.text)}:
        data.other_entities[name] += 1  # documents naming it, not mentions
    for key, value in _stance_values(doc):
        stance_now[key].append(value)
    _collect_stance(data, doc)
    for ev in doc.annotations.events:
        data.events.append((ev, doc))
        actors = {str(a["entity_id"]) for a in ev.get("actors", []) if isinstance(a, dict) and a.get("entity_id")}
        for eid in (actors & set(changes)) if actors else set(counts):  # no linked actor: the document's entities
            changes[eid].events.append((ev, doc))
    for link in doc.annotations.links:
        data.links.append({**link, "url": doc.url, "title": doc.title})
    key = story_id(doc) or doc.id
    story = stories.setdefault(key, Story(key=key))
    story.docs.append(doc)
    story.watched |= set(counts)
    story.latest = max(story.latest or when, when)


def _alert_in(alert: dict[str, Any], window: Window) -> bool:
    fired = parse_stored(str(alert.get("fired_at") or ""))
    return window.is_everything or fired is None or window.contains(fired)


def _story_score(story: Story, window: Window) -> float:
    """Bigger stories, more sources, more watched entities and more recent ones first."""
    span = max(window.length.total_seconds(), 3600.0) if not window.is_everything else 7 * 86400.0
    age = (window.end - (story.latest or window.start)).total_seconds() if not window.is_everything else \
        (datetime.now(UTC) - (story.latest or window.start)).total_seconds()
    recency = max(0.0, 1.0 - age / span)
    return (1.5 * math.log2(1 + len(story.docs)) + 1.0 * math.log2(1 + len(story.sources))
            + 2.0 * len(story.watched) + 1.0 * recency)


def _collect_stance(data: DigestData, doc: Document) -> None:
    for st in doc.annotations.stance:
        data.stance[st.entity_id or st.target][st.label] += 1
    for q in doc.annotations.quotes:
        for st in q.stance:
            key = st.entity_id or st.target
            data.stance[key][st.label] += 1
            if len(data.evidence[key]) < 6 and (st.entity_id in data.names or not st.entity_id):
                speaker = q.speaker.text if q.speaker else st.holder
                data.evidence[key].append(Evidence(text=q.text, holder=speaker, label=st.label, url=doc.url,
                                                   title=doc.title))
    for st in doc.annotations.stance:
        key = st.entity_id or st.target
        if not data.evidence[key] and st.evidence is not None and st.evidence.text:
            data.evidence[key].append(Evidence(text=st.evidence.text, holder=st.holder, label=st.label, url=doc.url,
                                               title=doc.title))


def _quote_for(items: list[Evidence], shift: float | None) -> Evidence | None:
    """The quote that shows a shift: one of the direction it moved to (else the most decided one)."""
    if not items:
        return None
    if shift is not None and abs(shift) >= MIN_STANCE_SHIFT:
        want = "favor" if shift > 0 else "against"
        for ev in items:
            if ev.label == want:
                return ev
    return next((ev for ev in items if ev.label != "neutral"), items[0])


def _collect_links(store: Store, data: DigestData, changes: dict[str, EntityChange], window: Window) -> None:
    """Correlated links stored in the window (the store's link API), and in-text links, per entity."""
    # Deferred on purpose: the correlator imports the events pipeline (spaCy, seconds); a digest without links skips it.
    from pipeline.correlator import links_since

    by_name = {c.name.casefold(): eid for eid, c in changes.items()}
    try:
        stored = links_since(store, None if window.is_everything else iso_utc(window.start))
    except TypeError:  # a store that keeps no links
        stored = []
    for found in stored:
        created = parse_stored(found.created_at or "")
        if created is not None and created >= window.end:
            continue
        url = next((e.url for e in found.events if e.url), None)
        data.links.append({**found.to_dict(), "url": url, "title": None})
    # A link found in a text is also stored by the correlator: the reader sees it once.
    once: dict[str, dict[str, Any]] = {}
    for link in data.links:
        once.setdefault(str(link.get("explanation") or link.get("id") or id(link)), link)
    data.links = list(once.values())
    for link in data.links:
        for ent in link.get("entities", []):
            eid = ent if ent in changes else by_name.get(str(ent).casefold())
            if eid is not None and link not in changes[eid].links:
                changes[eid].links.append(link)


# --------------------------------------------------------------------------- rendering


@lru_cache(maxsize=1)
def _templates() -> Environment:
    env = Environment(loader=PackageLoader("pipeline.digest", "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["link"] = lambda url, text: Markup(link_html(url, str(text or url or "(untitled)")))
    env.filters["safe_url"] = lambda url: safe_http_url(url) or "(no http(s) link)"
    return env


def _view(data: DigestData) -> dict[str, Any]:
    """What both templates show, already worded (dates in the window's time zone)."""
    tz = data.window.tz

    def when(doc: Document) -> str:
        moment = doc_time(doc, tz)
        return human_time(moment, tz) if moment else ""

    changes = []
    for c in data.changes:
        shift = c.stance_shift
        changes.append({
            "name": c.name, "mentions": c.mentions, "previous": c.previous, "change": c.change,
            "chart": Markup(spark_bars(c.history, f"{c.name}: mentions in the last {len(c.history)} windows")),
            "stance": None if c.stance_now is None else _stance_words(c.stance_now, c.stance_before),
            "shifted": shift is not None and abs(shift) >= MIN_STANCE_SHIFT,
            "quote": c.quote, "events": [_event_line(ev, doc) for ev, doc in c.events[:5]],
            "links": [_link_line(link) for link in c.links[:5]],
        })
    stories = [{"lead": s.lead, "when": when(s.lead), "snippet": snippet(s.lead), "size": len(s.docs),
                "sources": sorted(s.sources), "watched": sorted(data.names.get(e, e) for e in s.watched),
                "more": s.docs[1:6]} for s in data.stories]
    days = sorted(data.per_day)
    stance_rows = [(data.names.get(k, k), dict(v)) for k, v in sorted(data.stance.items())]
    return {
        "title": data.title, "window": data.window.label(), "total": data.total, "changes": changes,
        "alerts": [_alert_line(a) for a in data.alerts], "stories": stories,
        "events": [_event_line(ev, doc) for ev, doc in data.events[:20]],
        "links": [_link_line(link) for link in data.links[:20]],
        "volume_chart": Markup(bar_chart([(d, data.per_day[d]) for d in days], "Documents per day")),
        "stance_chart": Markup(stacked_bars(stance_rows, "Stance toward watched entities and targets")),
        "sources": data.per_source.most_common(), "kinds": data.per_kind.most_common(),
        "others": [(name, n) for name, n in data.other_entities.most_common(12)],
    }


def _stance_words(now: float, before: float | None) -> str:
    def word(v: float) -> str:
        return "favourable" if v >= 0.2 else "critical" if v <= -0.2 else "neutral"

    if before is None:
        return f"{word(now)} ({now:+.2f})"
    return f"{word(before)} ({before:+.2f}) \u2192 {word(now)} ({now:+.2f})"


def _event_line(ev: dict[str, Any], doc: Document) -> dict[str, Any]:
    text = str((ev.get("evidence") or {}).get("text") or (ev.get("trigger") or {}).get("text") or "")
    return {"type": str(ev.get("type") or "event").replace("_", " "), "text": " ".join(text.split())[:200],
            "url": doc.url, "title": doc.title or doc.url}


def _link_line(link: dict[str, Any]) -> dict[str, Any]:
    return {"explanation": link.get("explanation"), "type": link.get("type"), "url": link.get("url"),
            "title": link.get("title")}


def _alert_line(alert: dict[str, Any]) -> dict[str, Any]:
    return {"entity_name": alert.get("entity_name") or "", "rule": alert.get("rule") or "",
            "why": alert.get("why") or "", "url": alert.get("url"), "title": alert.get("title"),
            "folded": folded_docs(alert)}


def render_html(data: DigestData) -> str:
    """The digest as a self-contained HTML page (escaped, inline SVG charts, no scripts)."""
    return _templates().get_template("digest.html").render(**_view(data))


def render_text(data: DigestData) -> str:
    """The plain-text part of the digest email (what a text-only mail client shows)."""
    return _templates().get_template("digest.txt").render(**_view(data)).rstrip() + "\n"


def digest_path(out_dir: Path, window: Window) -> Path:
    return out_dir / f"digest-{window.stamp()}.html"


def write_digest(data: DigestData, out_dir: Path, stamp: str | None = None, out: Path | None = None) -> Path:
    """Write the HTML; named after the window (``stamp`` overrides) unless ``out`` is given."""
    path = out or (out_dir / f"digest-{stamp}.html" if stamp else digest_path(out_dir, data.window))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(data), encoding="utf-8")
    return path


def subject_of(data: DigestData) -> str:
    when = f" {data.day}" if data.day else ("" if data.window.is_everything else f" ({data.window.label()})")
    return f"{data.title}{when}: {data.total} documents, {len(data.alerts)} alerts"


def recipient_data(config: Config, store: Store, recipient: Recipient, alerts: list[dict[str, Any]],
                   since: str | None = None, day: str | None = None, window: Window | None = None) -> DigestData:
    """The digest limited to the watchlists one recipient subscribes to, in their time zone."""
    own = config.watch_entries(recipient.watchlists)
    own_ids = {e.id for e in own}
    return collect(store, own, config.digest.title, since, [a for a in alerts if a.get("entity_id") in own_ids],
                   config.digest.max_items, day=day, window=window, tz=recipient.timezone)


def recipient_email(config: Config, store: Store, recipient: Recipient, day: str | None = None,
                    window: Window | None = None) -> dict[str, Any]:
    """The outbox payload of one recipient's digest (multipart: text + HTML), its window included."""
    alerts = read_alert_log(alert_log_path(config))
    data = recipient_data(config, store, recipient, alerts, day=day, window=window)
    return {"kind": "email", "to": [recipient.email], "subject": subject_of(data), "text": render_text(data),
            "html": render_html(data), "window": data.window.to_dict()}


def default_window(config: Config, recipient: Recipient, now: datetime | None = None) -> Window:
    """Since the last digest sent to ``recipient`` (the outbox remembers), else the last 24 hours."""
    now = now or datetime.now(UTC)
    last = Outbox(config.scheduler.db_url).last_sent_payload(f"digest|{recipient.email}|")
    end = parse_stored(str(((last or {}).get("window") or {}).get("end") or ""))
    if end is not None and end < now:
        return Window(end, now, recipient.timezone)
    return Window.last_hours(24, now, recipient.timezone)


def send_digest(data: DigestData, smtp: SmtpConfig, recipients: list[Recipient], entries: list[WatchEntry],
                store: Store, since: str | None = None, max_items: int = 25) -> int:
    """Email each recipient a digest of the watchlists they subscribe to; returns messages sent."""
    sent = 0
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
        if smtp.starttls:
            client.starttls()
        creds = smtp.credentials()
        if creds:
            client.login(*creds)
        for rcpt in recipients:
            own = [e for e in entries if e.watchlist in rcpt.watchlists]
            own_ids = {e.id for e in own}
            personal = collect(store, own, data.title, alerts=[a for a in data.alerts if a.get("entity_id") in own_ids],
                               max_items=max_items, window=data.window)
            msg = EmailMessage()
            msg["Subject"] = subject_of(personal)
            msg["From"] = smtp.sender
            msg["To"] = rcpt.email
            msg.set_content(render_text(personal))
            msg.add_alternative(render_html(personal), subtype="html")
            client.send_message(msg)
            sent += 1
    return sent


def build_for_config(config: Config, store: Store, alerts: list[dict[str, Any]], since: str | None,
                     stamp: str | None = None, day: str | None = None, out: Path | None = None,
                     window: Window | None = None) -> tuple[DigestData, Path]:
    """The whole-config digest written as a file named after its window."""
    data = collect(store, config.watch_entries(), config.digest.title, since, alerts, config.digest.max_items,
                   day=day, window=window)
    return data, write_digest(data, config.data_dir / "digests", None if window or day or since else stamp, out)
