"""Does one document, in memory, match a parsed query? The query language without a store.

Alert rules of type ``search`` run on each document as it arrives, before (or without) a round
trip to the store, and must mean what ``newswatch search`` means for the same query: the same
parser, the same tree, the same tokens (:mod:`storage.text_search`), and fields read the way the
SQL translation reads them (:mod:`storage.query.sql`): ``entity:`` is a mention's watchlist id or
its canonical name (ASCII case ignored), ``stance:`` the document's own stance entries, ``event:``
its event types, ``published:`` string bounds on ``published_at``. Text matches within one
searchable field (title, body, product facts), as FTS5 and ``tsvector`` do.

``link:`` and ``story:`` depend on other documents, so a single document cannot answer them:
:func:`needs_store` says so, and the alert config refuses them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from storage.common import index_fields
from storage.models import Document
from storage.query.tree import And, Field, Near, Node, Not, Or, Published, Query, Stance, Text
from storage.text_search import Token, find_matches, tokenize

STORE_FIELDS = ("link", "story")
"""Fields that need other documents (links between events, story clusters)."""
ANALYSIS_FIELDS = ("entity", "event")
"""Fields (with ``stance:``) known only once the document has been analysed."""


@dataclass(frozen=True)
class _Facts:
    fields: tuple[list[Token], ...]
    doc: Document


def _name_equal(stored: str | None, wanted: str) -> bool:
    if stored is None:
        return False
    return stored.lower() == wanted.lower() if wanted.isascii() else stored == wanted


def _term_positions(tokens: list[Token], node: Text) -> list[int]:
    """Token indexes where ``node``'s term starts in one field."""
    starts = {start for start, _, _ in find_matches(tokens, [node.term])}
    return [i for i, (start, _, _) in enumerate(tokens) if start in starts]


def _near(tokens: list[Token], node: Near) -> bool:
    left = _term_positions(tokens, node.left)
    right = _term_positions(tokens, node.right)
    if not left or not right:
        return False
    lw, rw = len(node.left.term.tokens), len(node.right.term.tokens)
    # FTS5's NEAR/n: at most n tokens between the end of one phrase and the start of the other
    return any((j - (i + lw) if j >= i else i - (j + rw)) <= node.distance for i in left for j in right)


def _field(doc: Document, node: Field) -> bool:
    if node.name in ("source", "kind", "lang"):
        return getattr(doc, node.name) in node.values
    if node.name == "entity":
        return any(e.entity_id == v or _name_equal(e.canonical or e.text, v)
                   for e in doc.annotations.entities for v in node.values)
    if node.name == "event":
        return any(str(ev.get("type")) in node.values for ev in doc.annotations.events)
    raise ValueError(f"{node.name}: depends on other documents; a single document cannot answer it")


def _stance(doc: Document, node: Stance) -> bool:
    for s in doc.annotations.stance:
        if s.label != node.label:
            continue
        if node.entity is None or s.entity_id == node.entity or _name_equal(s.target, node.entity):
            return True
    return False


def _published(doc: Document, node: Published) -> bool:
    at = doc.published_at
    if at is None:
        return False
    if node.lo is not None and not (at >= node.lo if node.lo_inclusive else at > node.lo):
        return False
    return node.hi is None or (at <= node.hi if node.hi_inclusive else at < node.hi)


def _holds(facts: _Facts, node: Node) -> bool:
    if isinstance(node, Text):
        return any(find_matches(tokens, [node.term]) for tokens in facts.fields)
    if isinstance(node, Near):
        return any(_near(tokens, node) for tokens in facts.fields)
    if isinstance(node, And):
        return all(_holds(facts, c) for c in node.children)
    if isinstance(node, Or):
        return any(_holds(facts, c) for c in node.children)
    if isinstance(node, Not):
        return not _holds(facts, node.child)
    if isinstance(node, Field):
        return _field(facts.doc, node)
    if isinstance(node, Stance):
        return _stance(facts.doc, node)
    if isinstance(node, Published):
        return _published(facts.doc, node)
    raise TypeError(f"cannot match {node!r}")  # pragma: no cover - every node type is handled


def matches(query: Query, doc: Document) -> bool:
    """Would ``newswatch search`` with ``query`` find ``doc`` (were it the only document)?"""
    if query.root is None:
        return True
    fields = tuple(tokenize(text) for text in index_fields(doc) if text)
    return _holds(_Facts(fields, doc), query.root)


def _highlights(query: Query, doc: Document) -> list[tuple[int, int, int]]:
    return find_matches(tokenize(f"{doc.title or ''}\n{doc.text}"), query.positive_terms())


def first_match(query: Query, doc: Document) -> int | None:
    """Offset of the first highlighted term in ``doc``'s title, newline, text: the alert's evidence."""
    found = _highlights(query, doc)
    return found[0][0] if found else None


def count_matches(query: Query, doc: Document) -> int:
    """How often the query's (not negated) terms occur in ``doc``'s title and text."""
    return len(_highlights(query, doc))


def _nodes(node: Node | None) -> Iterator[Node]:
    if node is None:
        return
    yield node
    if isinstance(node, And | Or):
        for c in node.children:
            yield from _nodes(c)
    elif isinstance(node, Not):
        yield from _nodes(node.child)


def needs_store(query: Query) -> list[str]:
    """The fields of ``query`` that a single document cannot answer (``link:``, ``story:``)."""
    return sorted({n.name for n in _nodes(query.root) if isinstance(n, Field) and n.name in STORE_FIELDS})


def needs_analysis(query: Query) -> bool:
    """Does ``query`` read what only the analysis finds (entities, stance, events)?"""
    return any(isinstance(n, Stance) or (isinstance(n, Field) and n.name in ANALYSIS_FIELDS)
               for n in _nodes(query.root))
