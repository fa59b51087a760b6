"""The daily digest: what happened to the watched entities, as an HTML file and a multipart email.

Built from the store (documents first seen in a window) and the alert log: top stories (one entry
per story cluster when the story stage set ids, else per document), new events and links, stance
per watched entity with a quoted piece of evidence, and volume per entity next to the previous day
("what changed"). Everything that came from a crawled page is escaped and every item links to its
source; charts are inline SVG so the digest reads the same in a browser and in a mail client.
"""

from __future__ import annotations

import smtplib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from html import escape
from pathlib import Path
from typing import Any

from pipeline.alerts import story_id
from pipeline.charts import bar_chart, stacked_bars
from pipeline.config import Config, Recipient, SmtpConfig
from storage.base import Store
from storage.models import Document, WatchEntry
from storage.url_safety import link_html


@dataclass
class Story:
    """One cluster of documents (or a single document when no story id exists)."""

    key: str
    docs: list[Document] = field(default_factory=list)
    hits: int = 0

    @property
    def lead(self) -> Document:
        return self.docs[0]


@dataclass
class Evidence:
    text: str
    holder: str
    label: str
    url: str
    title: str | None


@dataclass
class DigestData:
    title: str
    since: str | None
    total: int = 0
    per_source: Counter[str] = field(default_factory=Counter)
    per_kind: Counter[str] = field(default_factory=Counter)
    per_day: Counter[str] = field(default_factory=Counter)
    watched_mentions: Counter[str] = field(default_factory=Counter)
    other_entities: Counter[str] = field(default_factory=Counter)
    stance: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    top_docs: list[Document] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    day: str | None = None
    previous_mentions: Counter[str] = field(default_factory=Counter)
    stories: list[Story] = field(default_factory=list)
    events: list[tuple[dict[str, Any], Document]] = field(default_factory=list)
    links: list[tuple[dict[str, Any], Document]] = field(default_factory=list)
    evidence: dict[str, list[Evidence]] = field(default_factory=lambda: defaultdict(list))


def seen_day(doc: Document) -> str:
    """The day a document was first seen (fetch time), else its publication day."""
    return (doc.provenance.fetched_at or doc.fetched_at or doc.published_at or "")[:10]


def collect(store: Store, entries: list[WatchEntry], title: str, since: str | None = None,
            alerts: list[dict[str, Any]] | None = None, max_items: int = 25, day: str | None = None) -> DigestData:
    """One pass over the documents stored since ``since`` (or seen on ``day``), counting what the digest shows.

    With ``day`` (YYYY-MM-DD) the digest covers that day and compares each entity's volume with
    the day before.
    """
    data = DigestData(title=title, since=since, alerts=list(alerts or []), names={e.id: e.name for e in entries},
                      day=day)
    watched = set(data.names)
    previous = None
    if day is not None:
        previous = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
        since = previous
        data.alerts = [a for a in data.alerts if str(a.get("fired_at", ""))[:10] == day]
    stories: dict[str, Story] = {}
    for doc in store.iter_since(since):
        counts = Counter(e.entity_id for e in doc.annotations.entities if e.entity_id in watched)
        if day is not None:
            seen = seen_day(doc)
            if seen == previous:
                for eid, n in counts.items():
                    data.previous_mentions[str(eid)] += n
                continue
            if seen != day:
                continue
        data.total += 1
        data.per_source[doc.source] += 1
        data.per_kind[doc.kind] += 1
        data.per_day[(doc.published_at or doc.fetched_at or "")[:10] or "unknown"] += 1
        for eid, n in counts.items():
            data.watched_mentions[str(eid)] += n
        for ent in doc.annotations.entities:
            if ent.entity_id not in watched and ent.label in ("PERSON", "ORG", "GPE", "PRODUCT", "NORP") \
                    and ent.canonical:
                data.other_entities[ent.canonical] += 1
        _collect_stance(data, doc, watched)
        for ev in doc.annotations.events:
            data.events.append((ev, doc))
        for link in doc.annotations.links:
            data.links.append((link, doc))
        hits = sum(counts.values())
        if hits:
            key = story_id(doc) or doc.id
            story = stories.setdefault(key, Story(key=key))
            story.docs.append(doc)
            story.hits += hits
    ranked = sorted(stories.values(), key=lambda s: (s.hits, len(s.docs), s.lead.published_at or ""), reverse=True)
    data.stories = ranked[:max_items]
    data.top_docs = [s.lead for s in data.stories]
    return data


def _collect_stance(data: DigestData, doc: Document, watched: set[str]) -> None:
    for st in doc.annotations.stance:
        data.stance[st.entity_id or st.target][st.label] += 1
    for q in doc.annotations.quotes:
        for st in q.stance:
            key = st.entity_id or st.target
            data.stance[key][st.label] += 1
            if len(data.evidence[key]) < 2 and (st.entity_id in watched or not st.entity_id):
                speaker = q.speaker.text if q.speaker else st.holder
                data.evidence[key].append(Evidence(text=q.text, holder=speaker, label=st.label, url=doc.url,
                                                   title=doc.title))
    for st in doc.annotations.stance:
        key = st.entity_id or st.target
        if not data.evidence[key] and st.evidence is not None and st.evidence.text:
            data.evidence[key].append(Evidence(text=st.evidence.text, holder=st.holder, label=st.label, url=doc.url,
                                               title=doc.title))


def _entity_label(data: DigestData, key: str) -> str:
    return data.names.get(key, key)


def _a(url: str, text: str) -> str:
    return link_html(url, text)


def _change(now: int, before: int) -> str:
    if before == 0:
        return "new" if now else "0"
    pct = 100.0 * (now - before) / before
    return f"{pct:+.0f}%"


def render_html(data: DigestData) -> str:
    """The digest as a self-contained HTML page (escaped, inline SVG charts, no scripts)."""
    days = sorted(d for d in data.per_day if d != "unknown")
    volume = bar_chart([(d, data.per_day[d]) for d in days], "Documents per day (publication date)")
    stance_rows = [(_entity_label(data, k), dict(v)) for k, v in sorted(data.stance.items())]
    stance_chart = stacked_bars(stance_rows, "Stance toward watched entities and targets")
    rows_src = "".join(f"<tr><td>{escape(s or '-')}</td><td>{n}</td></tr>" for s, n in data.per_source.most_common())
    rows_kind = "".join(f"<tr><td>{escape(k)}</td><td>{n}</td></tr>" for k, n in data.per_kind.most_common())
    ids = sorted(set(data.watched_mentions) | set(data.previous_mentions),
                 key=lambda e: (-data.watched_mentions[e], e))[:15]
    if data.day:
        rows_watch = "".join(
            f"<tr><td>{escape(_entity_label(data, e))}</td><td>{data.watched_mentions[e]}</td>"
            f"<td>{data.previous_mentions[e]}</td><td>{_change(data.watched_mentions[e], data.previous_mentions[e])}"
            f"</td></tr>" for e in ids)
        watch_head = "<tr><th>Entity</th><th>Mentions</th><th>Day before</th><th>Change</th></tr>"
    else:
        rows_watch = "".join(f"<tr><td>{escape(_entity_label(data, e))}</td><td>{n}</td></tr>"
                             for e, n in data.watched_mentions.most_common(15))
        watch_head = "<tr><th>Entity</th><th>Mentions</th></tr>"
    rows_other = "".join(f"<tr><td>{escape(e)}</td><td>{n}</td></tr>" for e, n in data.other_entities.most_common(15))
    alerts = "".join(f"<li><strong>{escape(str(a.get('entity_name', '')))}</strong> "
                     f"[{escape(str(a.get('rule', '')))}] {escape(str(a.get('why') or ''))} in "
                     f"{escape(str(a.get('kind', '')))}: "
                     f"{_a(str(a.get('url', '')), str(a.get('title') or a.get('url', '')))}</li>"
                     for a in data.alerts) or "<li>No alerts.</li>"
    stories = []
    for story in data.stories:
        doc = story.lead
        snippet = " ".join(doc.text.split())[:280]
        more = "".join(f"<li>{_a(d.url, d.title or d.url)} <small>{escape(d.source)}</small></li>"
                       for d in story.docs[1:6])
        stories.append(
            f"<li>{_a(doc.url, doc.title or doc.url)} "
            f"<small>{escape(doc.source)} · {escape(doc.kind)} · {escape(doc.published_at or '')}"
            f"{f' · {len(story.docs)} reports' if len(story.docs) > 1 else ''}</small>"
            f"<p>{escape(snippet)}</p>{f'<ul>{more}</ul>' if more else ''}</li>")
    events = "".join(
        f"<li><strong>{escape(str(ev.get('type', '')))}</strong>: "
        f"{escape(str((ev.get('evidence') or {}).get('text') or (ev.get('trigger') or {}).get('text') or ''))} "
        f"— {_a(doc.url, doc.title or doc.url)}</li>" for ev, doc in data.events[:20]) or "<li>No new events.</li>"
    links = "".join(f"<li>{escape(str(link.get('explanation') or link.get('type') or 'link'))} — "
                    f"{_a(doc.url, doc.title or doc.url)}</li>" for link, doc in data.links[:20]) \
        or "<li>No new links.</li>"
    evidence = "".join(
        f"<li><strong>{escape(_entity_label(data, key))}</strong>: "
        + "; ".join(f"{escape(ev.holder)} ({escape(ev.label)}): \u201c{escape(ev.text[:240])}\u201d "
                    f"{_a(ev.url, ev.title or 'source')}" for ev in items)
        + "</li>" for key, items in sorted(data.evidence.items()) if items)
    window = f" on {escape(data.day)}" if data.day else (f" since {escape(data.since)}" if data.since else "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(data.title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:760px;margin:2em auto;color:#222}}
table{{border-collapse:collapse}}td{{padding:2px 10px;border-bottom:1px solid #eee}}
h2{{margin-top:1.6em;border-bottom:2px solid #1565c0}}small{{color:#666}}</style></head>
<body><h1>{escape(data.title)}</h1>
<p>{data.total} documents{window}.</p>
<h2>Alerts</h2><ul>{alerts}</ul>
<h2>Top stories</h2><ol>{''.join(stories) or '<li>Nothing mentioned a watched entity.</li>'}</ol>
<h2>What changed: watched entities</h2><table>{watch_head}{rows_watch}</table>
<h2>New events</h2><ul>{events}</ul>
<h2>New links</h2><ul>{links}</ul>
<h2>Stance</h2>{stance_chart}
<ul>{evidence}</ul>
<h2>Volume</h2>{volume}
<table><tr><th>Source</th><th>Documents</th></tr>{rows_src}</table>
<table><tr><th>Kind</th><th>Documents</th></tr>{rows_kind}</table>
<h2>Other entities</h2><table><tr><th>Entity</th><th>Mentions</th></tr>{rows_other}</table>
</body></html>
"""


def render_text(data: DigestData) -> str:
    """The plain-text part of the digest email."""
    window = f" on {data.day}" if data.day else ""
    lines = [data.title, "=" * len(data.title), f"{data.total} documents{window}", ""]
    lines += [f"ALERT {a.get('entity_name')} [{a.get('rule')}] {a.get('why') or ''} {a.get('url')}"
              for a in data.alerts]
    lines += ["", "Top stories:"]
    for s in data.stories:
        extra = f" [{len(s.docs)} reports]" if len(s.docs) > 1 else ""
        lines.append(f"- {s.lead.title or s.lead.url} ({s.lead.source}){extra} {s.lead.url}")
    lines += ["", "Watched entities (mentions" + (", day before, change)" if data.day else ")") + ":"]
    for e in sorted(set(data.watched_mentions) | set(data.previous_mentions),
                    key=lambda k: (-data.watched_mentions[k], k))[:15]:
        now, before = data.watched_mentions[e], data.previous_mentions[e]
        change = f" / {before} / {_change(now, before)}" if data.day else ""
        lines.append(f"  {_entity_label(data, e)}: {now}{change}")
    if data.events:
        lines += ["", "New events:"] + [f"- {ev.get('type')}: {doc.url}" for ev, doc in data.events[:20]]
    if data.links:
        lines += ["", "New links:"] + [f"- {link.get('explanation') or link.get('type')}: {doc.url}"
                                       for link, doc in data.links[:20]]
    ev_lines = [f"  {_entity_label(data, k)}: {ev.holder} ({ev.label}): \"{ev.text[:200]}\" {ev.url}"
                for k, items in sorted(data.evidence.items()) for ev in items]
    if ev_lines:
        lines += ["", "Stance evidence:", *ev_lines]
    return "\n".join(lines) + "\n"


def write_digest(data: DigestData, out_dir: Path, stamp: str, out: Path | None = None) -> Path:
    path = out or out_dir / f"digest-{stamp}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(data), encoding="utf-8")
    return path


def subject_of(data: DigestData) -> str:
    when = f" {data.day}" if data.day else ""
    return f"{data.title}{when}: {data.total} documents, {len(data.alerts)} alerts"


def recipient_data(config: Config, store: Store, recipient: Recipient, alerts: list[dict[str, Any]],
                   since: str | None = None, day: str | None = None) -> DigestData:
    """The digest limited to the watchlists one recipient subscribes to."""
    own = config.watch_entries(recipient.watchlists)
    own_ids = {e.id for e in own}
    return collect(store, own, config.digest.title, since, [a for a in alerts if a.get("entity_id") in own_ids],
                   config.digest.max_items, day=day)


def recipient_email(config: Config, store: Store, recipient: Recipient, day: str) -> dict[str, Any]:
    """The outbox payload of one recipient's digest of ``day`` (multipart: text + HTML)."""
    from pipeline.alerts import read_alert_log

    alerts = read_alert_log(config.data_dir / "alerts.jsonl")
    data = recipient_data(config, store, recipient, alerts, day=day)
    return {"kind": "email", "to": [recipient.email], "subject": subject_of(data), "text": render_text(data),
            "html": render_html(data)}


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
            personal = collect(store, own, data.title, since,
                               [a for a in data.alerts if a.get("entity_id") in own_ids], max_items, day=data.day)
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
                     stamp: str, day: str | None = None, out: Path | None = None) -> tuple[DigestData, Path]:
    data = collect(store, config.watch_entries(), config.digest.title, since, alerts, config.digest.max_items, day=day)
    return data, write_digest(data, config.data_dir / "digests", stamp, out)
