"""Inline SVG charts of the web pages: per-day bars, stance per day, labelled horizontal bars, a timeline.

No JavaScript and no library: each function returns ``Markup`` built only from escaped labels and
numbers formatted here, so a crawled source name or entity name cannot become markup. Labels are
never clipped to a few characters: horizontal bars give each label its own line, long ones end in an
ellipsis and carry the full text in a tooltip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

STANCE_COLOURS = {"favor": "#2e7d32", "neutral": "#9e9e9e", "against": "#c62828"}
EVENT_COLOURS = {"official_visit": "#6a1b9a", "product_launch": "#1565c0", "deal": "#ef6c00",
                 "investment": "#00838f", "sanction": "#c62828", "export_control": "#ad1457",
                 "trade_measure": "#558b2f", "merchandise": "#5d4037", "listing_surge": "#f9a825"}


def _svg(width: int, height: int, title: str, parts: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>')
    return Markup(head + "".join(parts) + "</svg>")


def _empty(title: str) -> Markup:
    return Markup('<p class="chart-empty">%s: no data yet</p>') % title


def _short(label: str, n: int) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def _day_label(label: str) -> str:
    """A day as ``Mar 10`` (the year is in the chart's title range); other labels as given."""
    try:
        return date.fromisoformat(label[:10]).strftime("%b %d")
    except ValueError:
        return label


def _fill_days(values: Sequence[tuple[str, float]], most: int = 120) -> list[tuple[str, float]]:
    """Days with nothing get a zero bar, so a quiet week shows as a gap rather than vanishing."""
    try:
        days = [date.fromisoformat(d[:10]) for d, _ in values]
    except ValueError:
        return list(values)
    span = (max(days) - min(days)).days + 1
    if span > most:
        return list(values)
    counts = {d.isoformat(): v for d, (_, v) in zip(days, values, strict=True)}
    first = min(days).toordinal()
    return [(day, counts.get(day, 0)) for day in (date.fromordinal(first + i).isoformat() for i in range(span))]


def day_bars(values: Sequence[tuple[str, float]], title: str, width: int = 640, height: int = 170) -> Markup:
    """Vertical bars, one per day (oldest first; days without any are zero), with readable day labels."""
    if not values:
        return _empty(title)
    values = _fill_days(values)
    top = max(v for _, v in values) or 1
    left, bottom = 8, 22
    plot_h = height - bottom - 16
    step = min((width - left) / len(values), 48.0)
    bar_w = max(2.0, step * 0.72)
    every = max(1, len(values) // 10)
    parts = [f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#ccc"/>']
    for i, (label, value) in enumerate(values):
        h = plot_h * value / top
        x = left + i * step
        y = height - bottom - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="#1565c0">'
                     f'<title>{escape(label)}: {value:g}</title></rect>')
        if len(values) <= 24 and value:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" font-size="10" text-anchor="middle">'
                         f'{value:g}</text>')
        if i % every == 0:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{height - 6}" font-size="10" text-anchor="middle">'
                         f'{escape(_day_label(label))}</text>')
    return _svg(width, height, title, parts)


def stance_day_bars(rows: Sequence[tuple[str, dict[str, int]]], title: str, width: int = 640,
                    height: int = 190) -> Markup:
    """Per day, stacked counts of favor / neutral / against, with a legend."""
    if not rows:
        return _empty(title)
    top = max(sum(c.values()) for _, c in rows) or 1
    left, bottom, legend = 8, 22, 18
    plot_h = height - bottom - legend - 8
    step = min((width - left) / len(rows), 48.0)
    bar_w = max(2.0, step * 0.72)
    every = max(1, len(rows) // 10)
    parts = []
    for j, key in enumerate(STANCE_COLOURS):
        parts.append(f'<rect x="{left + j * 90}" y="2" width="10" height="10" fill="{STANCE_COLOURS[key]}"/>'
                     f'<text x="{left + j * 90 + 14}" y="11" font-size="11">{key}</text>')
    for i, (label, counts) in enumerate(rows):
        x = left + i * step
        y = float(height - bottom)
        for key, colour in STANCE_COLOURS.items():
            n = counts.get(key, 0)
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}">'
                         f'<title>{escape(label)} {key}: {n}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{height - 6}" font-size="10" text-anchor="middle">'
                         f'{escape(_day_label(label))}</text>')
    return _svg(width, height, title, parts)


def hbars(values: Sequence[tuple[str, float]], title: str, width: int = 640, label_chars: int = 30) -> Markup:
    """Horizontal bars, one labelled row each: labels are read whole, however long the source name."""
    if not values:
        return _empty(title)
    row_h, label_w = 22, 8 + int(label_chars * 6.6)
    height = row_h * len(values) + 6
    top = max(v for _, v in values) or 1
    parts = []
    for i, (label, value) in enumerate(values):
        y = 3 + i * row_h
        w = max(1.0, (width - label_w - 50) * value / top)
        parts.append(f'<text x="{label_w - 8}" y="{y + 14}" font-size="12" text-anchor="end">'
                     f'<title>{escape(label)}</title>{escape(_short(label, label_chars))}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row_h - 7}" fill="#1565c0">'
                     f'<title>{escape(label)}: {value:g}</title></rect>')
        parts.append(f'<text x="{label_w + w + 5:.1f}" y="{y + 14}" font-size="11">{value:g}</text>')
    return _svg(width, height, title, parts)


@dataclass
class TimelineItem:
    """One event on the timeline: a point (one day) or a span (a visit of several days)."""

    key: str
    type: str
    label: str
    start: str  # ISO date
    end: str  # ISO date, = start for one day
    anchor: str  # the id of the item's entry in the list below the chart


@dataclass
class TimelineLink:
    a: str  # item keys
    b: str
    note: str


def _ordinal(day: str) -> int:
    return date.fromisoformat(day[:10]).toordinal()


def timeline(items: Sequence[TimelineItem], links: Sequence[TimelineLink], title: str,
             width: int = 900) -> Markup:
    """Events on a day axis, one lane per event type; multi-day events drawn as spans, links as arcs.

    A visit is a bar from its first to its last day; the launches and deals inside it sit on their own
    lanes at their day, and each stored link joins its two events with an arc whose tooltip is the
    link's one-line explanation. Every mark links to its entry (evidence, explanation) below the chart.
    """
    if not items:
        return _empty(title)
    first = min(_ordinal(i.start) for i in items)
    last = max(_ordinal(i.end) for i in items)
    days = max(1, last - first + 1)
    types = list(dict.fromkeys(i.type for i in sorted(items, key=lambda i: (i.type != "official_visit", i.type))))
    left, right, top, lane_h = 130, 20, 26, 34
    height = top + lane_h * len(types) + 30
    day_w = (width - left - right) / days

    def x_of(day: str, end: bool = False) -> float:
        return left + (_ordinal(day) - first + (1 if end else 0)) * day_w

    parts = []
    every = max(1, days // 12)
    for d in range(0, days, every):
        x = left + d * day_w
        label = date.fromordinal(first + d).strftime("%b %d")
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 24}" stroke="#eee"/>'
                     f'<text x="{x + 2:.1f}" y="{height - 10}" font-size="10">{label}</text>')
    lane_y = {t: top + k * lane_h for k, t in enumerate(types)}
    for t, y in lane_y.items():
        parts.append(f'<text x="{left - 8}" y="{y + 15}" font-size="12" text-anchor="end">'
                     f'{escape(t.replace("_", " "))}</text>')
    centre: dict[str, tuple[float, float]] = {}
    for item in items:
        colour = EVENT_COLOURS.get(item.type, "#455a64")
        y = lane_y[item.type]
        x0, x1 = x_of(item.start), x_of(item.end, end=True)
        tip = f"{item.label} ({item.start}{'' if item.end == item.start else ' to ' + item.end})"
        if item.end != item.start:
            parts.append(f'<a href="#{escape(item.anchor)}"><rect x="{x0:.1f}" y="{y + 4}" width="{x1 - x0:.1f}" '
                         f'height="18" rx="4" fill="{colour}" fill-opacity="0.35" stroke="{colour}">'
                         f'<title>{escape(tip)}</title></rect></a>')
            centre[item.key] = ((x0 + x1) / 2, y + 13)
        else:
            cx = (x0 + x1) / 2
            parts.append(f'<a href="#{escape(item.anchor)}"><circle cx="{cx:.1f}" cy="{y + 13}" r="7" '
                         f'fill="{colour}"><title>{escape(tip)}</title></circle></a>')
            centre[item.key] = (cx, y + 13)
    for link in links:
        if link.a not in centre or link.b not in centre:
            continue
        (xa, ya), (xb, yb) = centre[link.a], centre[link.b]
        # an arc above the two marks; marks on one day (one above the other) get an arc to the side
        cx, cy = ((xa + xb) / 2, min(ya, yb) - 18) if abs(xa - xb) > 4 else (xa + 26, (ya + yb) / 2)
        parts.append(f'<path d="M{xa:.1f},{ya:.1f} Q{cx:.1f},{cy:.1f} {xb:.1f},{yb:.1f}" fill="none" '
                     f'stroke="#37474f" stroke-width="1.5" stroke-dasharray="4 3"><title>{escape(link.note)}</title>'
                     f'</path>')
    return _svg(width, height, title, parts)
