"""The daily digest: what happened to the watched entities, as an HTML file and an email.

Built from the store (documents stored since a time) and the alert log. Everything that came from
a crawled page is escaped; charts are inline SVG so the digest reads the same in a browser and in
a mail client.
"""

from __future__ import annotations

import smtplib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from email.message import EmailMessage
from html import escape
from pathlib import Path
from typing import Any

from pipeline.charts import bar_chart, stacked_bars
from pipeline.config import Config, Recipient, SmtpConfig
from storage.base import Store
from storage.models import Document, WatchEntry


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


def collect(store: Store, entries: list[WatchEntry], title: str, since: str | None = None,
            alerts: list[dict[str, Any]] | None = None, max_items: int = 25) -> DigestData:
    """One pass over the documents stored since ``since``, counting what the digest shows."""
    data = DigestData(title=title, since=since, alerts=list(alerts or []),
                      names={e.id: e.name for e in entries})
    watched = set(data.names)
    scored: list[tuple[int, str, Document]] = []
    for doc in store.iter_since(since):
        data.total += 1
        data.per_source[doc.source] += 1
        data.per_kind[doc.kind] += 1
        data.per_day[(doc.published_at or doc.fetched_at or "")[:10] or "unknown"] += 1
        hits = 0
        for ent in doc.annotations.entities:
            if ent.entity_id in watched:
                data.watched_mentions[ent.entity_id] += 1
                hits += 1
            elif ent.label in ("PERSON", "ORG", "GPE", "PRODUCT", "NORP") and ent.canonical:
                data.other_entities[ent.canonical] += 1
        for st in doc.annotations.stance:
            key = st.entity_id or st.target
            data.stance[key][st.label] += 1
        for q in doc.annotations.quotes:
            for st in q.stance:
                data.stance[st.entity_id or st.target][st.label] += 1
        if hits:
            scored.append((hits, doc.published_at or "", doc))
    scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
    data.top_docs = [d for _, _, d in scored[:max_items]]
    return data


def _entity_label(data: DigestData, key: str) -> str:
    return data.names.get(key, key)


def render_html(data: DigestData) -> str:
    """The digest as a self-contained HTML page (escaped, inline SVG charts, no scripts)."""
    days = sorted(d for d in data.per_day if d != "unknown")
    volume = bar_chart([(d, data.per_day[d]) for d in days], "Documents per day (publication date)")
    stance_rows = [(_entity_label(data, k), dict(v)) for k, v in sorted(data.stance.items())]
    stance_chart = stacked_bars(stance_rows, "Stance toward watched entities and targets")
    rows_src = "".join(f"<tr><td>{escape(s or '-')}</td><td>{n}</td></tr>" for s, n in data.per_source.most_common())
    rows_kind = "".join(f"<tr><td>{escape(k)}</td><td>{n}</td></tr>" for k, n in data.per_kind.most_common())
    rows_watch = "".join(f"<tr><td>{escape(_entity_label(data, e))}</td><td>{n}</td></tr>"
                         for e, n in data.watched_mentions.most_common(15))
    rows_other = "".join(f"<tr><td>{escape(e)}</td><td>{n}</td></tr>" for e, n in data.other_entities.most_common(15))
    alerts = "".join(f"<li><strong>{escape(a.get('entity_name', ''))}</strong> "
                     f"[{escape(a.get('rule', ''))}] in {escape(a.get('kind', ''))}: "
                     f"<a href=\"{escape(a.get('url', ''), quote=True)}\">{escape(a.get('title') or a.get('url', ''))}"
                     f"</a></li>" for a in data.alerts) or "<li>No alerts.</li>"
    stories = []
    for doc in data.top_docs:
        snippet = " ".join(doc.text.split())[:280]
        stories.append(
            f"<li><a href=\"{escape(doc.url, quote=True)}\">{escape(doc.title or doc.url)}</a> "
            f"<small>{escape(doc.source)} · {escape(doc.kind)} · {escape(doc.published_at or '')}</small>"
            f"<p>{escape(snippet)}</p></li>")
    since = f" since {escape(data.since)}" if data.since else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(data.title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:760px;margin:2em auto;color:#222}}
table{{border-collapse:collapse}}td{{padding:2px 10px;border-bottom:1px solid #eee}}
h2{{margin-top:1.6em;border-bottom:2px solid #1565c0}}small{{color:#666}}</style></head>
<body><h1>{escape(data.title)}</h1>
<p>{data.total} documents{since}.</p>
<h2>Alerts</h2><ul>{alerts}</ul>
<h2>Volume</h2>{volume}
<table><tr><th>Source</th><th>Documents</th></tr>{rows_src}</table>
<table><tr><th>Kind</th><th>Documents</th></tr>{rows_kind}</table>
<h2>Watched entities</h2><table><tr><th>Entity</th><th>Mentions</th></tr>{rows_watch}</table>
<h2>Stance</h2>{stance_chart}
<h2>Other entities</h2><table><tr><th>Entity</th><th>Mentions</th></tr>{rows_other}</table>
<h2>Top stories</h2><ol>{''.join(stories) or '<li>Nothing mentioned a watched entity.</li>'}</ol>
</body></html>
"""


def render_text(data: DigestData) -> str:
    """The plain-text part of the digest email."""
    lines = [data.title, "=" * len(data.title), f"{data.total} documents", ""]
    lines += [f"ALERT {a.get('entity_name')} [{a.get('rule')}] {a.get('url')}" for a in data.alerts]
    lines.append("")
    lines += [f"{_entity_label(data, e)}: {n} mentions" for e, n in data.watched_mentions.most_common(15)]
    lines.append("")
    lines += [f"- {d.title or d.url} ({d.source}) {d.url}" for d in data.top_docs]
    return "\n".join(lines) + "\n"


def write_digest(data: DigestData, out_dir: Path, stamp: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"digest-{stamp}.html"
    path.write_text(render_html(data), encoding="utf-8")
    return path


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
                               [a for a in data.alerts if a.get("entity_id") in own_ids], max_items)
            msg = EmailMessage()
            msg["Subject"] = f"{data.title}: {personal.total} documents, {len(personal.alerts)} alerts"
            msg["From"] = smtp.sender
            msg["To"] = rcpt.email
            msg.set_content(render_text(personal))
            msg.add_alternative(render_html(personal), subtype="html")
            client.send_message(msg)
            sent += 1
    return sent


def build_for_config(config: Config, store: Store, alerts: list[dict[str, Any]], since: str | None,
                     stamp: str) -> tuple[DigestData, Path]:
    data = collect(store, config.watch_entries(), config.digest.title, since, alerts, config.digest.max_items)
    return data, write_digest(data, config.data_dir / "digests", stamp)
