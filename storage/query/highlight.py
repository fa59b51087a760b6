"""Highlighted snippets as HTML: the crawled text escaped, the matches wrapped in ``<mark>``."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def marked_html(snippet: str, highlights: Sequence[Sequence[int]], tag: str = "mark") -> str:
    """``snippet`` with each ``[start, end)`` highlight in ``<tag>``, everything else escaped.

    Highlights come from the store (sorted, non-overlapping offsets into ``snippet``); out-of-range
    or overlapping ones are skipped rather than trusted, so no input can produce unescaped text.
    """
    out: list[str] = []
    pos = 0
    for pair in highlights:
        start, end = int(pair[0]), int(pair[1])
        if start < pos or end <= start or end > len(snippet):
            continue
        out.append(escape(snippet[pos:start]))
        out.append(f"<{tag}>{escape(snippet[start:end])}</{tag}>")
        pos = end
    out.append(escape(snippet[pos:]))
    return "".join(out)
