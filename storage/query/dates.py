"""``published:`` values: absolute dates, ranges and relative ages, as string bounds.

Stored ``published_at`` values are ISO strings (``2026-09-01`` or ``2026-09-01T08:30:00Z``), so
bounds are strings too and every backend compares them the same way (byte order). An inclusive
upper bound given as a day, month or year is widened with ``~`` (after every digit, ``T`` and
``Z``), so ``..2026-09-10`` includes every time of that day.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from storage.query.tree import Published

_END = "~"
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH_RE = re.compile(r"^\d{4}-\d{2}$")
_YEAR_RE = re.compile(r"^\d{4}$")
_AGE_RE = re.compile(r"^(\d{1,5})([hdw])$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
FORMS = ("2026-09-01, 2026-09, 2026, >=2026-09-01, <2026-09-10, 2026-09-01..2026-09-10, 2026-09-01.., "
         "..2026-09-10, 7d, 24h, 2w, today, yesterday")


class DateError(ValueError):
    """A ``published:`` value that cannot be read; the message says which part."""


def _point(text: str) -> str:
    """A validated ISO date, month, year or UTC timestamp, as it compares against stored values."""
    try:
        if _DAY_RE.match(text):
            return date.fromisoformat(text).isoformat()
        if _MONTH_RE.match(text):
            date.fromisoformat(text + "-01")
            return text
        if _YEAR_RE.match(text):
            return text
        if "T" in text:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        pass
    raise DateError(f"cannot read date {text!r}")


def _is_partial(point: str) -> bool:
    return "T" not in point


def _relative(text: str, now: datetime) -> str | None:
    low = text.lower()
    if low in ("today", "yesterday"):
        return (now.date() - timedelta(days=1 if low == "yesterday" else 0)).isoformat()
    m = _AGE_RE.match(low)
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    if unit == "h":  # hours compare with times; days and weeks with whole days (date-only values count)
        return (now - n * _UNITS[unit]).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (now - n * _UNITS[unit]).date().isoformat()


def parse_published(value: str, now: datetime | None = None) -> Published:
    """The bounds ``value`` names; ``now`` (default: the current UTC time) anchors relative ages."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    v = value.strip()
    if not v:
        raise DateError("published: needs a date")
    rel = _relative(v, now)
    if rel is not None:
        return Published(lo=rel)
    if ".." in v:
        lo_text, _, hi_text = v.partition("..")
        if not lo_text and not hi_text:
            raise DateError("a range needs a date on at least one side of '..'")
        lo = _point(lo_text) if lo_text else None
        hi = _point(hi_text) if hi_text else None
        if lo and hi and lo > hi:
            raise DateError(f"range {v!r} ends before it starts")
        return Published(lo=lo, hi=(hi + _END) if hi and _is_partial(hi) else hi)
    for op in (">=", "<=", ">", "<", "="):
        if v.startswith(op):
            p = _point(v[len(op):])
            wide = p + _END if _is_partial(p) else p
            if op == ">=":
                return Published(lo=p)
            if op == ">":
                return Published(lo=wide, lo_inclusive=False)
            if op == "<=":
                return Published(hi=wide)
            if op == "<":
                return Published(hi=p, hi_inclusive=False)
            break
    p = _point(v.lstrip("="))
    return Published(lo=p, hi=p + _END if _is_partial(p) else p)


def filter_bounds(since: str | None, until: str | None) -> Published:
    """The ``since``/``until`` search filters (inclusive ISO dates or times) as bounds."""
    hi = None
    if until:
        hi = str(until)
        if len(hi) <= 10:
            hi += _END
    return Published(lo=str(since) if since else None, hi=hi)
