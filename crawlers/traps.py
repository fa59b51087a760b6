"""Crawler-trap bounds: calendars, endless pagination and self-repeating URLs stop somewhere.

A trap is a URL space that grows without new content (``/calendar/2031/07``, ``?page=9172``,
``/a/b/a/b/a/b``). Each rule is cheap and local to one URL plus a counter per URL *shape*
(digits folded), so a site's real articles, whose slugs differ, are never affected.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

_DIGITS = re.compile(r"\d+")
_PAGE_PARAM = re.compile(r"^(page|p|pg|paged|offset|start|from)$", re.IGNORECASE)
_DATE_PATH = re.compile(r"(?:^|/)(?:19|20|21)\d{2}(?:[/-](?:0?[1-9]|1[0-2]))(?:[/-](?:0?[1-9]|[12]\d|3[01]))?(?:/|$)")
_CALENDAR_WORD = re.compile(r"calendar|kalender|agenda|events?/|archive|archives|date=|month=|year=|day=",
                            re.IGNORECASE)


class TrapGuard:
    """Decides whether a discovered URL may be followed; ``reason`` says why not."""

    def __init__(self, max_url_length: int = 2000, max_path_depth: int = 16, max_repeats: int = 3,
                 max_page_number: int = 200, max_per_shape: int = 100) -> None:
        self.max_url_length = max_url_length
        self.max_path_depth = max_path_depth
        self.max_repeats = max_repeats
        self.max_page_number = max_page_number
        self.max_per_shape = max_per_shape
        self._shapes: dict[str, int] = {}

    def check(self, url: str) -> str | None:
        """None when ``url`` may be followed, else the trap it looks like."""
        if len(url) > self.max_url_length:
            return f"URL longer than {self.max_url_length} characters"
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) > self.max_path_depth:
            return f"path deeper than {self.max_path_depth} segments"
        for seg in set(segments):
            if segments.count(seg) >= self.max_repeats:
                return f"path segment {seg!r} repeats {segments.count(seg)} times"
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if _PAGE_PARAM.match(key) and value.isdigit() and int(value) > self.max_page_number:
                return f"pagination beyond {self.max_page_number} ({key}={value})"
        m = re.search(r"/page/(\d+)", parts.path)
        if m and int(m.group(1)) > self.max_page_number:
            return f"pagination beyond {self.max_page_number}"
        calendarish = _CALENDAR_WORD.search(url) is not None and _DATE_PATH.search(parts.path + "/") is not None
        calendarish = calendarish or (_CALENDAR_WORD.search(parts.query) is not None and any(
            c.isdigit() for c in parts.query))
        if calendarish:
            shape = _DIGITS.sub("0", f"{parts.netloc}{parts.path}?{parts.query}")
            seen = self._shapes.get(shape, 0)
            if seen >= self.max_per_shape:
                return f"calendar-like URLs of one shape beyond {self.max_per_shape}"
            self._shapes[shape] = seen + 1
        return None
