"""Dates and times given on the command line, and dates shown to people.

``--since`` / ``--until`` / ``--date`` accept an ISO date (``2026-03-10``), an ISO date-time
(``2026-03-10T08:00``, ``...Z`` or with an offset), ``today``, ``yesterday``, or an age
(``36h``, ``2d``, ``1w``). Anything else is a usage error naming the option and the forms it
accepts: a filter that silently matches nothing is worse than an error.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

FORMS = "an ISO date (2026-03-10), an ISO date-time (2026-03-10T08:00Z), today, yesterday, or an age (36h, 2d, 1w)"
_AGE_RE = re.compile(r"^(\d+)\s*([hdw])$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


class WhenError(ValueError):
    """A date or time that cannot be read; the message names the option and the accepted forms."""


def parse_when(text: str, option: str = "date", tz: str = "UTC", now: datetime | None = None) -> datetime:
    """The moment ``text`` names (timezone-aware); a date means its midnight in ``tz``."""
    zone = ZoneInfo(tz)
    now = now or datetime.now(UTC)
    value = text.strip().lower()
    if value in ("today", "yesterday"):
        day = now.astimezone(zone).date() - timedelta(days=1 if value == "yesterday" else 0)
        return datetime.combine(day, time(0), zone)
    m = _AGE_RE.match(value)
    if m:
        return now - int(m.group(1)) * _UNITS[m.group(2)]
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(0), zone)
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise WhenError(f"{option}: cannot read {text!r}; expected {FORMS}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def iso_utc(moment: datetime) -> str:
    """``2026-03-10T08:00:00Z``: how the store writes times, so string comparisons order them."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stored(value: str | None, tz: str = "UTC") -> datetime | None:
    """A stored ISO date or date-time as an aware moment (a bare date: its midnight in ``tz``); None if unreadable."""
    if not value:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(0), ZoneInfo(tz))
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def human_time(moment: datetime, tz: str, with_year: bool = False) -> str:
    """``Tue 10 Mar, 09:05`` in ``tz`` (``Tue 10 Mar 2026, 09:05`` with the year)."""
    local = moment.astimezone(ZoneInfo(tz))
    year = f" {local.year}" if with_year else ""
    return f"{local:%a} {local.day} {local:%b}{year}, {local:%H:%M}"


def human_day(moment: datetime, tz: str) -> str:
    """``Tuesday 10 March 2026`` in ``tz``."""
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local:%A} {local.day} {local:%B %Y}"
