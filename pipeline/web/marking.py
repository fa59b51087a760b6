"""Entities, quotes, stance and events marked on a document's text, for the document page.

Spans overlap freely (a quote holds entity mentions, a stance's evidence is a whole sentence), so the
text is cut at every span boundary into segments, each carrying the marks that cover it; a template
renders a segment as one ``<span>`` with a class per mark and a tooltip, never nesting tags. Offsets
that do not fit the text (an annotation of an older version) are dropped, not guessed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from storage.models import Document

# spaCy labels for numbers, dates and amounts: useful inside events, noise in a list of who and what.
NON_NAME_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})


def is_name(label: str) -> bool:
    """Is an entity of this label a name (person, organisation, place, product ...) worth listing?"""
    return label.upper() not in NON_NAME_LABELS


@dataclass(frozen=True)
class Mark:
    kind: str  # entity, watched, quote, favor, against, neutral, event
    note: str  # the tooltip: what the mark means
    href: str | None = None  # where the marked words lead (an entity page)


@dataclass
class Segment:
    text: str
    marks: list[Mark] = field(default_factory=list)

    @property
    def classes(self) -> str:
        return " ".join(sorted({f"m-{m.kind}" for m in self.marks}))

    @property
    def note(self) -> str:
        return "\n".join(dict.fromkeys(m.note for m in self.marks))

    @property
    def href(self) -> str | None:
        return next((m.href for m in self.marks if m.href), None)


def _spans(doc: Document, names: dict[str, str]) -> list[tuple[int, int, Mark]]:
    ann, n = doc.annotations, len(doc.text)
    out: list[tuple[int, int, Mark]] = []

    def add(start: Any, end: Any, mark: Mark) -> None:
        try:
            s, e = int(start), int(end)
        except (TypeError, ValueError):
            return
        if 0 <= s < e <= n:
            out.append((s, e, mark))

    for ent in ann.entities:
        if not is_name(ent.label):
            continue
        if ent.entity_id:
            shown = names.get(ent.entity_id, ent.canonical or ent.text)
            add(ent.start, ent.end, Mark("watched", f"{shown} ({ent.label}, watched)", f"/entity/{ent.entity_id}"))
        else:
            add(ent.start, ent.end, Mark("entity", f"{ent.canonical or ent.text} ({ent.label})"))
    for quote in ann.quotes:
        who = quote.speaker.text if quote.speaker else "unknown speaker"
        add(quote.start, quote.end, Mark("quote", f"quote by {who}"))
        for st in quote.stance:
            add(st.evidence.start, st.evidence.end,
                Mark(st.label, f"{st.holder}: {st.label} toward {st.target} ({st.score:.2f})"))
    for st in ann.stance:
        add(st.evidence.start, st.evidence.end,
            Mark(st.label, f"author: {st.label} toward {st.target} ({st.score:.2f})"))
    for ev in ann.events:
        trigger = ev.get("trigger") or {}
        if isinstance(trigger, dict):
            add(trigger.get("start"), trigger.get("end"), Mark("event", f"event: {ev.get('type')}"))
    return out


def marked_paragraphs(doc: Document, names: dict[str, str]) -> list[list[Segment]]:
    """The document's text as paragraphs (split at newlines) of marked segments."""
    text = doc.text
    spans = _spans(doc, names)
    cuts = {0, len(text)} | {s for s, _, _ in spans} | {e for _, e, _ in spans}
    cuts |= {i for i, ch in enumerate(text) if ch == "\n"} | {i + 1 for i, ch in enumerate(text) if ch == "\n"}
    starts: dict[int, list[tuple[int, Mark]]] = defaultdict(list)
    for s, e, m in spans:
        starts[s].append((e, m))
    bounds = sorted(c for c in cuts if 0 <= c <= len(text))
    active: list[tuple[int, Mark]] = []
    paragraphs: list[list[Segment]] = [[]]
    for a, b in zip(bounds, bounds[1:], strict=False):
        active = [(e, m) for e, m in active if e > a] + starts.get(a, [])
        piece = text[a:b]
        if piece == "\n":
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        paragraphs[-1].append(Segment(piece, [m for _, m in active]))
    return [p for p in paragraphs if any(seg.text.strip() for seg in p)]


def entity_groups(doc: Document, names: dict[str, str]) -> list[tuple[str, list[tuple[str, str | None, int]]]]:
    """Named entities (no dates or numbers) by label: ``[(label, [(name, entity_id, mentions), ...]), ...]``,
    watched ones and frequent ones first."""
    counts: dict[tuple[str, str, str | None], int] = defaultdict(int)
    for ent in doc.annotations.entities:
        if not is_name(ent.label):
            continue
        shown = names.get(ent.entity_id, "") if ent.entity_id else ""
        counts[(ent.label, shown or ent.canonical or ent.text, ent.entity_id)] += 1
    groups: dict[str, list[tuple[str, str | None, int]]] = defaultdict(list)
    for (label, name, eid), n in counts.items():
        groups[label].append((name, eid, n))
    ordered = sorted(groups.items(), key=lambda kv: (-sum(x[2] for x in kv[1]), kv[0]))
    return [(label, sorted(items, key=lambda x: (x[1] is None, -x[2], x[0].lower()))) for label, items in ordered]
