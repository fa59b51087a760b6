"""Agreement between extractors: lines one engine found that another confirms, added to the main text.

A line is confirmed by an engine when most of its word trigrams occur in that engine's text (engines
break lines differently, so a whole-line match would miss most agreements). Measured on the shared
article set (``newswatch eval extractors``), adding or dropping lines by agreement does not beat
trafilatura there: it is used where trafilatura is known to drop content, the replies of a thread,
which it takes for comments.
"""

from __future__ import annotations

import functools
import re

_WORD = re.compile(r"\w+")
AGREEMENT = 0.5  # share of a line's word trigrams another engine must hold


def _trigrams(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + 3]) for i in range(max(len(words) - 2, 1))} if words else set()


@functools.lru_cache(maxsize=8192)
def _line_key(line: str) -> tuple[str, frozenset[tuple[str, ...]] | None]:
    """A line as ``Shingles.holds`` reads it: its flat text, and its trigrams (None under three words).
    Cached: the same lines are asked of several engines' texts, in candidate search and in features."""
    words = _WORD.findall(line.lower())
    if len(words) < 3:
        return " ".join(line.split()).lower(), None
    return "", frozenset(_trigrams(words))


class Shingles:
    """An engine's text as word trigrams, for asking whether it holds a line."""

    def __init__(self, text: str) -> None:
        self.flat = " ".join(text.split()).lower()
        self.grams = _trigrams(_WORD.findall(self.flat))

    def holds(self, line: str) -> bool:
        flat, grams = _line_key(line)
        if grams is None:
            return flat in self.flat
        return len(grams & self.grams) >= AGREEMENT * len(grams)


def add_confirmed_lines(base: str, candidate: str, voters: list[str], needed: int = 1) -> tuple[str, int]:
    """``base`` plus the lines of ``candidate`` it lacks that at least ``needed`` of ``voters`` also hold,
    in the candidate's order after the base; (text, lines added)."""
    have = Shingles(base)
    others = [Shingles(v) for v in voters if v]
    added = [line for line in (" ".join(raw.split()) for raw in candidate.split("\n"))
             if line and not have.holds(line) and sum(o.holds(line) for o in others) >= needed]
    if not added:
        return base, 0
    return "\n".join([base, *added]) if base else "\n".join(added), len(added)
