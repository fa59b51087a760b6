"""A feed given where a page was expected: its title, entry titles and language."""

from __future__ import annotations

from typing import Any

from crawlers.extract.metadata import _detect_lang, _lang_code
from crawlers.extract.text import _clean
from crawlers.urls import canonicalize_url


def _extract_feed(answer: dict[str, Any], text: str) -> None:
    import feedparser

    parsed = feedparser.parse(text)
    feed = parsed.get("feed", {})
    answer["page_type"] = "feed"
    answer["title"] = _clean(feed.get("title"))
    titles = [_clean(e.get("title")) for e in parsed.get("entries", [])]
    answer["text"] = "\n".join(t for t in titles if t)
    lang = feed.get("language")
    answer["lang"] = _lang_code(lang) if lang else _detect_lang(answer["text"])
    link = feed.get("link")
    if link and not answer["canonical_url"]:
        answer["canonical_url"] = canonicalize_url(link)
    if parsed.get("bozo"):
        answer["warnings"].append(f"parse: feed is not well-formed ({parsed.get('bozo_exception')})")
    answer["warnings"].append("input: a feed, not a page; text lists its entry titles")
