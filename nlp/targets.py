"""Where a text mentions a target the caller named, and which sentence is about it when none does.

A caller names targets the way people think of them ("Hillary Clinton", "Climate Change is a Real
Concern"); texts refer to them by alias, by part of the name ("Clinton", "Hillary"), by hashtag or
handle ("#HillaryForPresident", "@HillaryClinton", "#ClimateChange"). ``TargetFinder`` finds all
of these; for a target a text never names, ``topic_relevance`` scores how much a sentence is about
it (its content words, also inside hashtags), so the stance can be asked of the right sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from nlp.watchlist import TITLES, name_pattern

# Words that say nothing about what a topic target is about.
_STOP = frozenset(
    "a an the of for to in on at by with and or not no is are was be been being it its this that these those "
    "real concern movement legalization legalisation issue issues question support against pro anti "
    "should must will would can could we our you your they their he she his her".split()
)
TAG = re.compile(r"(?<![\w@#])([#@])([A-Za-z0-9_]{2,60})")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
STEM_CHARS = 5  # "abortion"/"abortions"/"abort", "climate"/"climatic": a shared prefix is the same topic word


def split_tag(body: str) -> list[str]:
    """``ClimateChange`` -> ``["Climate", "Change"]``; ``NASA2026`` -> ``["NASA", "2026"]``;
    a body in one case stays one word (no dictionary here)."""
    return _CAMEL.findall(body) or [body]


def squash(text: str) -> str:
    """Letters and digits only, case-folded: how a name reads inside a hashtag or handle."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _stem(word: str) -> str:
    return word.casefold()[:STEM_CHARS]


def topic_stems(target: str) -> frozenset[str]:
    """The content words of a target, as stems."""
    return frozenset(_stem(w) for w in _WORD.findall(target) if w.casefold() not in _STOP and len(w) > 2)


def topic_relevance(text: str, stems: frozenset[str]) -> int:
    """How many of the target's content words ``text`` uses (words, and words inside hashtags)."""
    if not stems:
        return 0
    seen: set[str] = set()
    for w in _WORD.findall(text):
        s = _stem(w)
        if s in stems:
            seen.add(s)
    for m in TAG.finditer(text):
        body = m.group(2).casefold()
        seen.update(s for s in stems if s in body)
    return len(seen)


@dataclass
class TargetFinder:
    """Mentions of one target: its names (case-insensitive), partial names, hashtags and handles.

    ``names``: the target as given plus watchlist aliases; ``partials``: parts of a person's name
    ("Clinton", "Hillary"), matched only when capitalised as names are.
    """

    label: str
    names: Sequence[str]
    partials: Sequence[str] = ()
    kind: str | None = None  # a spaCy label for the target's entities (PERSON, ORG, ...), None: a topic
    _full: re.Pattern[str] | None = field(init=False, default=None)
    _part: re.Pattern[str] | None = field(init=False, default=None)
    _squashed: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        self._full = name_pattern(self.names)
        parts = sorted({p for p in self.partials if p.strip()}, key=len, reverse=True)
        self._part = re.compile("|".join(rf"(?<![\w@#]){re.escape(p)}(?!\w)" for p in parts)) if parts else None
        self._squashed = tuple(s for s in {squash(n) for n in [*self.names, *self.partials]} if len(s) >= 3)

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """Non-overlapping mention spans within ``text[start:end]``, in text order."""
        end = len(text) if end is None else end
        found: list[tuple[int, int]] = []
        if self._full is not None:
            found += [m.span() for m in self._full.finditer(text, start, end)]
        if self._part is not None:
            found += [m.span() for m in self._part.finditer(text, start, end)]
        if self._squashed:
            for m in TAG.finditer(text, start, end):
                body = m.group(2).casefold()
                if any(s in body for s in self._squashed):
                    found.append(m.span())
        found.sort(key=lambda s: (s[0], -s[1]))
        out: list[tuple[int, int]] = []
        for s, e in found:
            if not out or s >= out[-1][1]:
                out.append((s, e))
        return out


def person_partials(name: str) -> list[str]:
    """Parts of a person's name a text may use alone: the surname, and the first name."""
    words = [w for w in name.split() if w.strip(".").casefold() not in TITLES]
    if len(words) < 2:
        return []
    out = [words[-1]]
    if len(words[0]) >= 3 and not words[0].endswith("."):
        out.append(words[0])
    return [w for w in out if w[:1].isupper()]


def looks_like_name(target: str) -> bool:
    """A short run of capitalised words ("Orion Mobile", "Hillary Clinton"), not a topic phrase."""
    words = target.split()
    return 0 < len(words) <= 4 and all(w[:1].isupper() or w[:1].isdigit() for w in words)


def best_sentence(text: str, sents: Iterable[tuple[int, int]], stems: frozenset[str]) -> tuple[int, int, int]:
    """The sentence most about the topic, as ``(start, end, relevance)``; the first one on ties."""
    best = (0, len(text), 0)
    for s, e in sents:
        r = topic_relevance(text[s:e], stems)
        if r > best[2]:
            best = (s, e, r)
    return best
