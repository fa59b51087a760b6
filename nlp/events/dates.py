"""When an event happened, from the words of its sentence and the publication date.

News rarely writes full dates: "on Tuesday", "last week", "9-12 March", "during her four-day
visit". Each is resolved against the date the text was published; what cannot be resolved (no
publication date for a relative expression, a visit whose length is known but not its start)
stays ``None`` with ``resolved: false`` and a reason, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

MONTHS = {m: i + 1 for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"))}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = {d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
NUMBERS = {w: i for i, w in enumerate(
    ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
     "thirteen", "fourteen"))}

_MON = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"  # noqa: E501
_MON2 = _MON.replace("?P<mon>", "?P<mon2>")
_DAY = r"(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?"
_DAY2 = r"(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
_TO = r"\s*(?:-|–|—|to|until|through|and)\s*"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)\b")),
    ("md_range", re.compile(rf"\b{_MON}\s+{_DAY}{_TO}(?:{_MON2}\s+)?{_DAY2}\b{_YEAR}", re.I)),
    ("dm_range", re.compile(rf"\b{_DAY}{_TO}{_DAY2}\s+{_MON}{_YEAR}", re.I)),
    ("md", re.compile(rf"\b{_MON}\s+{_DAY}\b{_YEAR}", re.I)),
    ("dm", re.compile(rf"\b{_DAY}\s+{_MON}\b{_YEAR}", re.I)),
    ("weekday", re.compile(r"\b(?P<prefix>(?:on|last|next|this|since|by)\s+)?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)),  # noqa: E501
    ("relday", re.compile(r"\b(?P<rel>yesterday|today|tomorrow|tonight)\b", re.I)),
    ("relperiod", re.compile(r"\b(?P<rel>(?:earlier|later)\s+this|last|this|next)\s+(?P<unit>week|month|year)\b", re.I)),  # noqa: E501
    ("month", re.compile(rf"\b(?:in|since|during|by)\s+{_MON}\b{_YEAR}", re.I)),
]
_DURATION_RE = re.compile(
    r"\b(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen)[- ]day\s+"
    r"(?:state\s+|official\s+|working\s+)?(?P<what>visit|trip|tour|mission)", re.I)
_DURING_RE = re.compile(r"\b(?:during|amid|on the sidelines of)\s+(?:her|his|their|the|a|its)\b[^.;,]{0,40}?\b(?:visit|trip|tour)\b", re.I)  # noqa: E501
FUTURE_RE = re.compile(
    r"\b(?:will|would|plans? to|planned to|is to|are to|is due to|is expected to|are expected to|scheduled|next|"
    r"upcoming|set to|intends? to|to visit|to launch)\b", re.I)


@dataclass
class DateInfo:
    """A resolved (or not) date: contract fields plus where the words were and why it is unresolved."""

    start: str | None = None
    end: str | None = None
    text: str | None = None
    resolved: bool = False
    span: tuple[int, int] | None = None  # offsets of ``text`` in the searched string
    reasons: list[str] = field(default_factory=list)
    during_visit: bool = False
    duration_days: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "text": self.text, "resolved": self.resolved}


def parse_ref(published_at: str | None) -> date | None:
    """The publication day of a text (ISO date or timestamp); ``None`` when absent or unreadable."""
    if not published_at or not isinstance(published_at, str):
        return None
    try:
        return date.fromisoformat(published_at.strip()[:10])
    except ValueError:
        return None


def _year_for(month: int, day: int, ref: date) -> int:
    """The year that puts month/day nearest the publication date (news talks of the recent past or near future)."""
    best = ref.year
    for y in (ref.year - 1, ref.year, ref.year + 1):
        try:
            if abs((date(y, month, day) - ref).days) < abs((date(best, month, day) - ref).days):
                best = y
        except ValueError:
            continue
    return best


def _mk(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _resolve(kind: str, m: re.Match[str], ref: date | None, future: bool) -> tuple[date | None, date | None, str]:
    """(start, end, reason-if-unresolved) for one matched expression."""
    g = m.groupdict()
    if kind == "iso":
        try:
            d = date.fromisoformat(g["iso"])
        except ValueError:
            return None, None, f"not a calendar date: {g['iso']!r}"
        return d, d, ""
    if kind in ("md", "dm", "md_range", "dm_range", "month"):
        month = MONTHS[g["mon"].lower().rstrip(".")]
        month2 = MONTHS[g["mon2"].lower().rstrip(".")] if g.get("mon2") else month
        year = int(g["year"]) if g.get("year") else None
        if kind == "month":
            if year is None:
                if ref is None:
                    return None, None, "month without a year and no publication date"
                year = _year_for(month, 15, ref)
            nxt = date(year + (month == 12), month % 12 + 1, 1)
            return date(year, month, 1), nxt - timedelta(days=1), ""
        d1 = int(g["d1"])
        d2 = int(g["d2"]) if g.get("d2") else d1
        if year is None:
            if ref is None:
                return None, None, "day and month without a year, and no publication date"
            year = _year_for(month, min(d1, 28), ref)
        start, end = _mk(year, month, d1), _mk(year, month2, d2)
        if start is None or end is None:
            return None, None, f"not a calendar date: {m.group(0)!r}"
        if end < start:
            return start, None, f"range ends before it starts: {m.group(0)!r}"
        return start, end, ""
    if ref is None:
        return None, None, f"relative date {m.group(0)!r} and no publication date"
    if kind == "weekday":
        wd = WEEKDAYS[g["wd"].lower()]
        prefix = (g.get("prefix") or "").strip().lower()
        delta = (ref.weekday() - wd) % 7
        if prefix == "next" or (future and prefix != "last"):
            ahead = (wd - ref.weekday()) % 7
            d = ref + timedelta(days=ahead + (7 if prefix == "next" and ahead == 0 else 0))
        else:
            d = ref - timedelta(days=delta + (7 if prefix == "last" and delta == 0 else 0))
        return d, d, ""
    if kind == "relday":
        off = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}[g["rel"].lower()]
        d = ref + timedelta(days=off)
        return d, d, ""
    rel = " ".join(g["rel"].lower().split())
    unit = g["unit"].lower()
    step = {"last": -1, "next": 1}.get(rel, 0)
    if unit == "week":
        monday = ref - timedelta(days=ref.weekday()) + timedelta(weeks=step)
        start, end = monday, monday + timedelta(days=6)
        if rel == "earlier this":
            end = ref
        elif rel == "later this":
            start = ref
        return start, end, ""
    if unit == "month":
        y, mth = ref.year, ref.month + step
        if mth == 0:
            y, mth = y - 1, 12
        elif mth == 13:
            y, mth = y + 1, 1
        start = date(y, mth, 1)
        end = date(y + (mth == 12), mth % 12 + 1, 1) - timedelta(days=1)
        if rel == "earlier this":
            end = ref
        elif rel == "later this":
            start = ref
        return start, end, ""
    y = ref.year + step
    return date(y, 1, 1), date(y, 12, 31), ""


def find_dates(text: str) -> list[tuple[str, re.Match[str]]]:
    """Every date expression in ``text``, earliest first, without overlaps (longer kinds win)."""
    taken: list[tuple[int, int]] = []
    found: list[tuple[str, re.Match[str]]] = []
    for kind, rx in _PATTERNS:
        for m in rx.finditer(text):
            if kind in ("md", "dm") and not m.group("mon")[0].isupper():
                continue  # "may 3" as a verb, "mar" as a word: months are capitalised in news
            if kind in ("md_range", "dm_range", "month") and not m.group("mon")[0].isupper():
                continue
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((kind, m))
    return sorted(found, key=lambda km: km[1].start())


def resolve_date(sentence: str, anchor: int, published_at: str | None, base: int = 0,
                 with_duration: bool = True) -> DateInfo:
    """The date of the event whose trigger is at ``anchor`` (offset in ``sentence``).

    The expression nearest the trigger wins. ``base`` is added to reported spans (the sentence's
    offset in its text). A stated length ("four-day visit") extends a start day into a range.
    """
    ref = parse_ref(published_at)
    future = bool(FUTURE_RE.search(sentence))
    info = DateInfo()
    dur = _DURATION_RE.search(sentence)
    if dur:
        n = dur.group("n").lower()
        info.duration_days = int(n) if n.isdigit() else NUMBERS.get(n)
    if _DURING_RE.search(sentence):
        info.during_visit = True
    found = find_dates(sentence)
    if not found:
        if dur or info.during_visit:
            m = dur or _DURING_RE.search(sentence)
            assert m is not None
            info.text = m.group(0)
            info.span = (base + m.start(), base + m.end())
            info.reasons.append("the text gives no day for this period" if dur else "dated only by a visit")
        return info
    kind, m = min(found, key=lambda km: (abs(km[1].start() - anchor), km[1].start()))
    start, end, reason = _resolve(kind, m, ref, future)
    info.text = m.group(0).strip()
    info.span = (base + m.start(), base + m.end())
    if reason:
        info.reasons.append(reason)
    if start is None:
        return info
    if with_duration and info.duration_days and start == end:
        end = start + timedelta(days=max(0, info.duration_days - 1))
    info.start, info.end, info.resolved = start.isoformat(), end.isoformat() if end else None, True
    if ref is not None and not future and start > ref + timedelta(days=1):
        info.reasons.append(f"past-tense event dated after publication ({start.isoformat()} > {ref.isoformat()})")
    return info
