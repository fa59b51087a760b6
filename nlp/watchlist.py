"""Watchlist matching: find every alias of every watched entity by character matching.

``WatchlistMatcher`` is plain Python over ``str`` (any script, no tokenisation assumption);
``newswatch_watchlist_ruler`` is the spaCy component that turns its matches into ``doc.ents``
with ``span._.entity_id`` set, winning over overlapping statistical entities.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from storage.models import Alias, WatchEntry

COMPONENT_VERSION = "1.0"

LABELS: dict[str, str] = {
    "person": "PERSON",
    "org": "ORG",
    "agency": "ORG",
    "product": "PRODUCT",
    "place": "GPE",
}

# Words that may stand before a surname without making it someone else's name.
TITLES: frozenset[str] = frozenset(
    w.lower()
    for w in (
        "Mr Mrs Ms Miss Mx Dr Prof Professor Sir Dame Lady Lord Minister President Premier Chancellor "
        "Secretary Senator Governor Mayor Ambassador Judge Justice General Gen Colonel Col Captain Capt "
        "Commissioner Chairman Chairwoman Chair CEO Director Deputy Vice Prime Trade Foreign Finance "
        "Economy Commerce Industry Defence Defense Interior Health Rep Representative Speaker Chief "
        "King Queen Prince Princess Sheikh Madam Madame Monsieur Herr Frau Señor Señora Sr Sra"
    ).split()
)

# Scripts written without spaces between words: no word boundaries apply.
_NOSPACE = re.compile(
    "[\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3100-\u312f"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0002ffff]"
)
_WORD_BEFORE = re.compile(r"([^\W\d_][\w'’.-]*)\s+$")
_WORD_AFTER = re.compile(r"^\s+([^\W\d_][\w'’-]*)")


def is_nospace(text: str) -> bool:
    """True when ``text`` holds characters of a script written without spaces (CJK, Thai...)."""
    return _NOSPACE.search(text) is not None


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _pattern(alias: str) -> str:
    return r"\s+".join(re.escape(part) for part in alias.split())


def coerce_entries(entries: Iterable[WatchEntry | dict[str, Any]]) -> list[WatchEntry]:
    """Accept ``WatchEntry`` objects or their dicts (as found in config files and spaCy configs)."""
    out: list[WatchEntry] = []
    for e in entries:
        if isinstance(e, WatchEntry):
            out.append(e)
            continue
        aliases = [
            a if isinstance(a, Alias) else Alias(a) if isinstance(a, str) else Alias(a["text"], a.get("lang"))
            for a in e.get("aliases", [])
        ]
        out.append(
            WatchEntry(
                id=str(e["id"]),
                name=str(e["name"]),
                type=str(e.get("type", "org")),
                aliases=aliases,
                country=e.get("country"),
                role=e.get("role"),
                watchlist=e.get("watchlist", ""),
            )
        )
    return out


def entry_to_dict(entry: WatchEntry) -> dict[str, Any]:
    """A JSON-safe dict for a spaCy config (``coerce_entries`` reads it back)."""
    return {
        "id": entry.id,
        "name": entry.name,
        "type": entry.type,
        "aliases": [{"text": a.text, "lang": a.lang} for a in entry.aliases],
        "country": entry.country,
        "role": entry.role,
        "watchlist": entry.watchlist,
    }


@dataclass(frozen=True)
class WatchMatch:
    """One alias found in a text: code-point offsets, ``end`` exclusive."""

    start: int
    end: int
    entity_id: str
    label: str
    via: str  # "alias" | "surname"


@dataclass
class _Person:
    entry_id: str
    surname: str
    first_names: frozenset[str]  # casefolded given names that may precede the surname
    weak: frozenset[str]  # casefolded aliases that are only titles + surname ("Minister Duarte")


class WatchlistMatcher:
    """Multi-pattern character matcher: one compiled alternation per script group, longest first."""

    def __init__(self, entries: Iterable[WatchEntry | dict[str, Any]]) -> None:
        self.entries: dict[str, WatchEntry] = {}
        self._by_alias: dict[str, str] = {}
        self._persons: dict[str, _Person] = {}
        latin: list[str] = []
        nospace: list[str] = []
        for entry in coerce_entries(entries):
            if entry.id in self.entries:
                continue
            self.entries[entry.id] = entry
            for name in entry.all_names():
                key = _key(name)
                if not key or key in self._by_alias:
                    continue  # first entry to claim an alias keeps it
                self._by_alias[key] = entry.id
                (nospace if is_nospace(name) else latin).append(name)
            if entry.type == "person":
                person = self._person(entry)
                if person is not None:
                    self._persons[entry.id] = person
        self._latin = self._compile(latin, boundaries=True)
        self._nospace = self._compile(nospace, boundaries=False)
        surnames = sorted({p.surname for p in self._persons.values()}, key=len, reverse=True)
        self._surnames = self._compile(surnames, boundaries=True)

    @staticmethod
    def _compile(names: Sequence[str], boundaries: bool) -> re.Pattern[str] | None:
        if not names:
            return None
        body = "|".join(_pattern(n) for n in sorted(set(names), key=len, reverse=True))
        if boundaries:
            return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)
        return re.compile(f"(?:{body})")

    @staticmethod
    def _person(entry: WatchEntry) -> _Person | None:
        words = [w.strip(".,") for w in entry.name.split()]
        if len(words) < 2 or is_nospace(entry.name):
            return None
        surname = words[-1]
        first = frozenset(w.casefold() for w in words[:-1])
        weak = set()
        for name in entry.all_names():
            parts = [w.strip(".").casefold() for w in name.split()]
            if len(parts) >= 2 and parts[-1] == surname.casefold() and all(p in TITLES for p in parts[:-1]):
                weak.add(_key(name))
        return _Person(entry.id, surname, first, frozenset(weak))

    def entity_for(self, name: str) -> str | None:
        """The id of the entry that owns ``name`` as its name or an alias (case-insensitive)."""
        return self._by_alias.get(_key(name))

    def label(self, entity_id: str) -> str:
        return LABELS.get(self.entries[entity_id].type, "ORG")

    def find(self, text: str) -> list[WatchMatch]:
        """Every watched mention in ``text``, non-overlapping, in text order."""
        if not text or not self.entries:
            return []
        found: list[WatchMatch] = []
        for pattern in (self._latin, self._nospace):
            if pattern is None:
                continue
            for m in pattern.finditer(text):
                entity_id = self._by_alias.get(_key(m.group()))
                if entity_id is not None:
                    found.append(WatchMatch(m.start(), m.end(), entity_id, self.label(entity_id), "alias"))
        found = self._drop_weak(text, found)
        found.extend(self._surname_refs(text, found))
        return _non_overlapping(found)

    def _foreign_namesake(self, text: str, person: _Person) -> bool:
        """Does ``text`` name another person of the same surname ("Rafael Duarte")?"""
        pat = re.compile(rf"(?<!\w){re.escape(person.surname)}(?!\w)", re.IGNORECASE)
        for m in pat.finditer(text):
            before = _WORD_BEFORE.search(text, max(0, m.start() - 40), m.start())
            if before is None:
                continue
            word = before.group(1).strip(".").casefold()
            if before.group(1)[0].isupper() and word not in TITLES and word not in person.first_names:
                return True
        return False

    def _drop_weak(self, text: str, found: list[WatchMatch]) -> list[WatchMatch]:
        """Title+surname aliases do not count in a document about a namesake, unless the full name is there."""
        out = []
        for wm in found:
            person = self._persons.get(wm.entity_id)
            if person is not None and _key(text[wm.start : wm.end]) in person.weak:
                strong = any(
                    o.entity_id == wm.entity_id and _key(text[o.start : o.end]) not in person.weak for o in found
                )
                if not strong and self._foreign_namesake(text, person):
                    continue
            out.append(wm)
        return out

    def _surname_refs(self, text: str, found: list[WatchMatch]) -> list[WatchMatch]:
        """Bare surnames after a full mention of a watched person link to that person."""
        if self._surnames is None:
            return []
        first_seen: dict[str, int] = {}  # surname casefold -> entity id's first strong mention
        owner: dict[str, str] = {}
        for wm in found:
            person = self._persons.get(wm.entity_id)
            if person is None or _key(text[wm.start : wm.end]) in person.weak:
                continue
            s = person.surname.casefold()
            if s not in first_seen or wm.start < first_seen[s]:
                first_seen[s] = wm.start
                owner[s] = wm.entity_id
        if not first_seen:
            return []
        refs = []
        for m in self._surnames.finditer(text):
            s = m.group().casefold()
            if s not in first_seen or m.start() < first_seen[s] or not m.group()[0].isupper():
                continue
            person = self._persons[owner[s]]
            before = _WORD_BEFORE.search(text, max(0, m.start() - 40), m.start())
            if before is not None and before.group(1)[0].isupper():
                word = before.group(1).strip(".").casefold()
                if word not in TITLES and word not in person.first_names:
                    continue  # "Rafael Duarte", or a sentence-initial word we cannot judge
            after = _WORD_AFTER.search(text[m.end() : m.end() + 40])
            if after is not None and after.group(1)[0].isupper():
                continue  # "Duarte Holdings"
            refs.append(WatchMatch(m.start(), m.end(), person.entry_id, self.label(person.entry_id), "surname"))
        return refs


def _non_overlapping(matches: list[WatchMatch]) -> list[WatchMatch]:
    out: list[WatchMatch] = []
    for wm in sorted(matches, key=lambda w: (w.start, -(w.end - w.start))):
        if out and wm.start < out[-1].end:
            continue
        out.append(wm)
    return out


def _ensure_extensions() -> None:
    if not Span.has_extension("entity_id"):
        Span.set_extension("entity_id", default=None)
    if not Span.has_extension("canonical"):
        Span.set_extension("canonical", default=None)
    if not Doc.has_extension("watch_matches"):
        Doc.set_extension("watch_matches", default=None)


_ensure_extensions()


class WatchlistRuler:
    """spaCy component: watched mentions become entities with ``span._.entity_id``."""

    def __init__(self, nlp: Language, name: str, watchlist: Sequence[WatchEntry | dict[str, Any]]) -> None:
        self.name = name
        self.matcher = WatchlistMatcher(watchlist)

    @property
    def entries(self) -> dict[str, WatchEntry]:
        return self.matcher.entries

    def __call__(self, doc: Doc) -> Doc:
        matches = self.matcher.find(doc.text)
        doc._.watch_matches = matches
        if not matches:
            return doc
        watched: list[Span] = []
        for wm in matches:
            span = doc.char_span(wm.start, wm.end, label=wm.label, kb_id=wm.entity_id, alignment_mode="expand")
            if span is None or not span.text.strip():
                continue
            watched.append(span)
        watched = filter_spans(watched)
        taken = {i for s in watched for i in range(s.start, s.end)}
        kept = [e for e in doc.ents if not any(i in taken for i in range(e.start, e.end))]
        doc.ents = sorted([*kept, *watched], key=lambda s: s.start)
        for span in watched:
            span._.entity_id = span.kb_id_
        return doc


@Language.factory(
    "newswatch_watchlist_ruler",
    requires=[],
    assigns=["doc.ents", "span._.entity_id", "doc._.watch_matches"],
    default_config={"watchlist": []},
)
def make_watchlist_ruler(nlp: Language, name: str, watchlist: list[Any]) -> WatchlistRuler:
    """``watchlist``: ``WatchEntry`` objects or their dicts (``entry_to_dict``)."""
    return WatchlistRuler(nlp, name, watchlist)


def watchlist_config(entries: Iterable[WatchEntry | dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON-safe watchlist for ``nlp.add_pipe(..., config={"watchlist": ...})`` (spaCy configs hold data only)."""
    return [entry_to_dict(e) for e in coerce_entries(entries)]


def add_watchlist_ruler(
    nlp: Language, watchlist: Iterable[WatchEntry | dict[str, Any]], **add_pipe_kwargs: Any
) -> WatchlistRuler:
    """Add ``newswatch_watchlist_ruler`` built from ``WatchEntry`` objects or their dicts."""
    pipe = nlp.add_pipe(
        "newswatch_watchlist_ruler", config={"watchlist": watchlist_config(watchlist)}, **add_pipe_kwargs
    )
    assert isinstance(pipe, WatchlistRuler)
    return pipe


def name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """One regex finding any of ``names`` with the watchlist's rules (word boundaries for spaced scripts)."""
    parts = []
    for n in sorted({n for n in names if n.strip()}, key=len, reverse=True):
        parts.append(_pattern(n) if is_nospace(n) else rf"(?<!\w){_pattern(n)}(?!\w)")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None
