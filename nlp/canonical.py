"""Entity canonicalisation: one normalised name per entity (``span._.canonical``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.watchlist import WatchlistRuler, coerce_entries

COMPONENT_VERSION = "1.0"

_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$", re.IGNORECASE)
_EDGE_PUNCT = " \t\n\r\"'“”‘’«»()[]{}<>,;:.!?-–—"
_TITLE_CASED = {"ORG", "PERSON"}
# Head nouns that stand alone for a named body mentioned earlier ("the Trade Ministry" ... "the ministry").
GENERIC_HEADS = frozenset(
    "ministry department agency commission company bank court council committee government administration "
    "office bureau authority parliament regulator firm group institute university party union board".split()
)


if not Span.has_extension("generic_head"):
    # True for a bare "the ministry" joined to the named body before it: a coreferent mention that
    # quotes and events use, not a named entity (the analyze answer leaves it out of ``entities``).
    Span.set_extension("generic_head", default=False)


def _title_word(word: str, shouted: bool = False) -> str:
    if word.islower() or (word.isupper() and (shouted or len(word) > 4)):
        return word[:1].upper() + word[1:].lower()
    return word  # keep "IBM", "McKinsey", "iPhone"


def canonical_name(text: str, label: str) -> str:
    """Normalise a surface form: no leading "the", no possessive, single spaces, title case for ORG/PERSON."""
    name = " ".join(text.split()).strip(_EDGE_PUNCT)
    name = _POSSESSIVE.sub("", _LEADING_THE.sub("", name)).strip(_EDGE_PUNCT)
    if label in _TITLE_CASED:
        words = name.split(" ")
        shouted = len(words) > 1 and name.isupper()  # "TOM HALE": a shouted name, not acronyms
        name = " ".join(_title_word(w, shouted) for w in words)
    return name or " ".join(text.split())


class EntityCanonicalizer:
    def __init__(self, nlp: Language, name: str, watchlist: Sequence[Any]) -> None:
        self.name = name
        self._names = {e.id: e.name for e in coerce_entries(watchlist)}
        if not self._names:  # share the ruler's watchlist when one is in the pipeline
            for _, pipe in nlp.pipeline:
                if isinstance(pipe, WatchlistRuler):
                    self._names = {i: e.name for i, e in pipe.entries.items()}

    def __call__(self, doc: Doc) -> Doc:
        for ent in doc.ents:
            entity_id = ent._.entity_id or (ent.kb_id_ or None)
            if entity_id and entity_id in self._names:
                ent._.canonical = self._names[entity_id]
            else:
                ent._.canonical = canonical_name(ent.text, ent.label_)
        self._group_generic_heads(doc)
        return doc

    @staticmethod
    def _group_generic_heads(doc: Doc) -> None:
        """A later bare "the ministry" (or "the Ministry") joins the last named "... Ministry" before it:
        it becomes an ORG entity with that canonical name (and entity id), so the two can be grouped."""
        named = [
            e for e in doc.ents
            if e.label_ == "ORG" and len(e._.canonical.split()) >= 2
            and e._.canonical.split()[-1].casefold() in GENERIC_HEADS
        ]
        if not named:
            return
        heads = "|".join(sorted({e._.canonical.split()[-1].casefold() for e in named}))
        ents = tuple(doc.ents)
        taken = {i for e in ents for i in range(e.start, e.end)}
        added: list[Span] = []
        for m in re.finditer(rf"\b[Tt]he\s+({heads})\b", doc.text, re.IGNORECASE):
            before = [e for e in named if e.end_char <= m.start(1)]
            if not before:
                continue
            source = max(before, key=lambda e: e.end_char)
            if source._.canonical.split()[-1].casefold() != m.group(1).casefold():
                continue
            span = doc.char_span(m.start(1), m.end(1), label="ORG")
            if span is None:
                continue
            existing = [e for e in ents if e.start <= span.start < e.end]
            if existing:
                e = existing[0]
                if e.text.casefold().removeprefix("the ").strip() == m.group(1).casefold() and not e._.entity_id:
                    e._.canonical = source._.canonical  # NER found "the Ministry" itself
                continue
            if any(i in taken for i in range(span.start, span.end)):
                continue
            span._.canonical = source._.canonical
            span._.entity_id = source._.entity_id
            added.append(span)
        if added:
            keep = {(e.start, e.end): (e._.canonical, e._.entity_id) for e in [*doc.ents, *added]}
            doc.ents = sorted([*doc.ents, *added], key=lambda e: e.start)
            for e in doc.ents:  # setting doc.ents makes new Span objects: carry the attributes over
                e._.canonical, e._.entity_id = keep[(e.start, e.end)]
            for span in added:
                span._.generic_head = True


@Language.factory(
    "newswatch_entity_canonicalizer",
    requires=["doc.ents"],
    assigns=["span._.canonical"],
    default_config={"watchlist": []},
)
def make_entity_canonicalizer(nlp: Language, name: str, watchlist: list[Any]) -> EntityCanonicalizer:
    return EntityCanonicalizer(nlp, name, watchlist)


class LabelMapper:
    """Rename entity labels of a non-English model to the OntoNotes names the contract uses (PER -> PERSON)."""

    def __init__(self, name: str, mapping: dict[str, str]) -> None:
        self.name = name
        self.mapping = mapping

    def __call__(self, doc: Doc) -> Doc:
        if any(e.label_ in self.mapping for e in doc.ents):
            m = self.mapping
            doc.ents = [
                Span(doc, e.start, e.end, label=m[e.label_], kb_id=e.kb_id_) if e.label_ in m else e for e in doc.ents
            ]
        return doc


@Language.factory(
    "newswatch_label_map",
    requires=["doc.ents"],
    assigns=["doc.ents"],
    default_config={"mapping": {"PER": "PERSON"}},
)
def make_label_map(nlp: Language, name: str, mapping: dict[str, str]) -> LabelMapper:
    return LabelMapper(name, mapping)
