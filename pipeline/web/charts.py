"""Small inline SVG charts for the digest and the UI (no JavaScript, readable in any mail client).

Numbers people compare over time (daily volumes, stance counts) are drawn, not only listed.
Every label goes through ``html.escape``: labels can come from crawled pages.
"""

from __future__ import annotations

from html import escape

PALETTE = {"favor": "#2e7d32", "against": "#c62828", "neutral": "#9e9e9e"}
def _axis_label(label: str, step: float) -> str:
    """A day as ``03-10``; any other label whole when it fits under its bar, else shortened with an
    ellipsis (never cut to its last letters: "bazaarhub" must not read "arhub")."""
    if len(label) == 10 and label[4] == "-" and label[7] == "-":
        return label[5:]
    fits = max(3, int(step / 5.2))
    return label if len(label) <= fits else label[: fits - 1] + "…"


def bar_chart(values: list[tuple[str, float]], title: str, width: int = 560, height: int = 180) -> str:
    """A vertical bar chart of labelled values (e.g. documents per day)."""
    if not values:
        return f'<p class="chart-empty">{escape(title)}: no data</p>'
    top = max(v for _, v in values) or 1
    pad, label_h = 28, 34
    plot_h = height - label_h - 16
    step = min((width - pad) / len(values), 56.0)  # a day or two stay bars, not blocks
    bar_w = max(2.0, step * 0.7)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, (label, value) in enumerate(values):
        h = plot_h * value / top
        x = pad + i * step
        y = 12 + plot_h - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="#1565c0">'
                     f'<title>{escape(label)}: {value:g}</title></rect>')
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 2:.1f}" font-size="10" text-anchor="middle">'
                     f'{value:g}</text>')
        if len(values) <= 16 or i % max(1, len(values) // 8) == 0:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{height - label_h + 14}" font-size="9" '
                         f'text-anchor="middle">{escape(_axis_label(label, step))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_bars(rows: list[tuple[str, dict[str, int]]], title: str, width: int = 560) -> str:
    """Horizontal stacked bars, one row per entity, segments per stance label."""
    if not rows:
        return f'<p class="chart-empty">{escape(title)}: no data</p>'
    row_h, label_w = 22, 170
    height = row_h * len(rows) + 30
    top = max(sum(c.values()) for _, c in rows) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, (label, counts) in enumerate(rows):
        y = 4 + i * row_h
        parts.append(f'<text x="0" y="{y + 14}" font-size="11">{escape(label[:28])}</text>')
        x = float(label_w)
        for key in ("favor", "neutral", "against"):
            n = counts.get(key, 0)
            if not n:
                continue
            w = (width - label_w - 10) * n / top
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 6}" '
                         f'fill="{PALETTE[key]}"><title>{escape(label)} {key}: {n}</title></rect>')
            x += w
    legend_y = height - 8
    for j, key in enumerate(("favor", "neutral", "against")):
        parts.append(f'<rect x="{label_w + j * 90}" y="{legend_y - 9}" width="10" height="10" fill="{PALETTE[key]}"/>'
                     f'<text x="{label_w + j * 90 + 14}" y="{legend_y}" font-size="10">{key}</text>')
    parts.append("</svg>")
    return "".join(parts)


def spark_bars(values: list[int], title: str, width: int = 120, height: int = 28) -> str:
    """A small inline bar chart of a series (oldest first); the last bar, the current value, stands out."""
    if not values:
        return ""
    top = max(values) or 1
    step = width / len(values)
    bar_w = max(2.0, step * 0.7)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, value in enumerate(values):
        h = max(1.0, (height - 2) * value / top) if value else 1.0
        colour = "#1565c0" if i == len(values) - 1 else "#b0bec5"
        parts.append(f'<rect x="{i * step:.1f}" y="{height - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                     f'fill="{colour}"><title>{value:g}</title></rect>')
    parts.append("</svg>")
    return "".join(parts)
