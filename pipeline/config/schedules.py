"""Schedule strings of the config (``every 30m`` or a cron expression) and times of day.

Parsed here once so that ``pipeline.config`` can reject a bad schedule with ``file:line`` before
the service starts, and the scheduler builds its APScheduler triggers from the same function.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EVERY_RE = re.compile(r"^\s*every\s+(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?)\s*$", re.I)
DURATION_RE = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$", re.I)
SEND_AT_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}
SCHEDULE_HELP = "expected 'every 30m' (units s, m, h, d) or a 5-field cron expression such as '*/15 6-22 * * *'"


class ScheduleError(ValueError):
    """A schedule, duration, time of day or time zone that does not parse; the message says why."""


def parse_duration(text: str) -> timedelta:
    """``30m`` / ``2h`` / ``45s`` / ``1d`` -> timedelta (used for cool-downs and intervals)."""
    m = DURATION_RE.match(text)
    if not m:
        raise ScheduleError(f"expected a duration such as '30m', '2h', '45s' or '1d', got {text!r}")
    return timedelta(seconds=int(m.group(1)) * _UNIT_S[m.group(2).lower()])


def parse_schedule(text: str, timezone: str = "UTC") -> Any:
    """The APScheduler trigger for a schedule string (``IntervalTrigger`` or ``CronTrigger``)."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    tz = parse_timezone(timezone)
    m = EVERY_RE.match(text)
    if m:
        seconds = int(m.group(1)) * _UNIT_S[m.group(2)[0].lower()]
        if seconds <= 0:
            raise ScheduleError(f"interval must be positive, got {text!r}")
        return IntervalTrigger(seconds=seconds, timezone=tz)
    if len(text.split()) != 5:
        raise ScheduleError(f"{SCHEDULE_HELP}, got {text!r}")
    try:
        return CronTrigger.from_crontab(text, timezone=tz)
    except ValueError as exc:
        raise ScheduleError(f"cron expression {text!r} does not parse: {exc}") from None


def parse_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"unknown time zone {name!r} (use an IANA name such as 'Europe/Lisbon' or 'UTC')") from None


def parse_send_at(text: str) -> tuple[int, int]:
    """``07:30`` -> (7, 30): the local time a digest is sent."""
    m = SEND_AT_RE.match(text)
    if not m:
        raise ScheduleError(f"expected a 24-hour time HH:MM such as '07:30', got {text!r}")
    return int(m.group(1)), int(m.group(2))
