"""Feed entries (RSS, Atom, RDF, JSON Feed) as plain dicts, from bytes that may be anything.

``read_feed`` never raises: an ill-formed feed gives what feedparser could recover plus a
problem string, a file that is no feed at all gives no entries and says why.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable
from typing import Any

from crawlers.extract import html_to_text, normalize_date
from crawlers.urls import absolute_or_raw


def read_feed(body: bytes, url: str) -> tuple[list[dict[str, Any]], str | None]:
    """(entries, problem): entries have link, id, title, summary, author, lang, published_at."""
    try:
        entries = list(_feed_entries(body, url))
    except Exception as exc:  # feedparser is robust, but bytes from the web are inventive
        return [], f"feed unreadable ({type(exc).__name__}: {exc})"[:300]
    return entries, None if entries else "no entries in the feed"


def _feed_entries(body: bytes, url: str) -> Iterable[dict[str, Any]]:
    """Entries of an RSS/Atom/JSON Feed as plain dicts (link, title, summary, author, published_at)."""
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        try:
            data = json.loads(stripped)
        except ValueError:
            return []
        if not isinstance(data, dict) or "items" not in data:
            return []
        out = []
        items = data.get("items")
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            try:
                out.append(_json_feed_entry(item, data, url))
            except (TypeError, ValueError, AttributeError):  # one odd item costs itself only
                continue
        return out
    import feedparser

    parsed = feedparser.parse(body)
    lang = (parsed.get("feed", {}).get("language") or "")[:2].lower() or None
    out = []
    for e in parsed.get("entries", []):
        link = e.get("link")
        summary = html_to_text(e.get("summary") or "") if e.get("summary") else ""
        out.append({"link": absolute_or_raw(url, link), "id": _text(e.get("id")), "title": e.get("title"),
                    "summary": summary, "author": e.get("author"), "lang": lang,
                    "published_at": _entry_date(e)})
    return out


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _json_feed_entry(item: dict[str, Any], data: dict[str, Any], url: str) -> dict[str, Any]:
    """One JSON Feed item as an entry dict."""
    summary = item.get("summary") or item.get("content_text") or html_to_text(str(item.get("content_html") or ""))
    authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
    author = authors[0].get("name") if isinstance(authors, list) and authors and isinstance(authors[0], dict) else None
    link = item.get("url") or item.get("external_url")
    return {"link": absolute_or_raw(url, link), "id": _text(item.get("id")),
            "title": _text(item.get("title")), "summary": " ".join(str(summary).split()),
            "author": _text(author), "lang": _text(item.get("language") or data.get("language")),
            "published_at": normalize_date(str(item.get("date_published") or ""))[0]}


def _entry_date(entry: Any) -> str | None:
    raw = entry.get("published") or entry.get("updated")
    if raw:
        value, _ = normalize_date(str(raw))
        if value:
            return value
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed:
        from datetime import UTC, datetime

        has_time = bool(raw and ":" in str(raw))
        dt = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
        return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if has_time else dt.date().isoformat()
    return None
