"""The typed query tree: what a parsed search query means, independent of any backend.

The parser (:mod:`storage.query.parser`) builds it; each backend translates it (SQLite into an
FTS5 ``MATCH`` plus SQL conditions, PostgreSQL into a ``tsquery`` plus SQL conditions). Nodes are
frozen dataclasses, so a tree can be cached, compared in tests and shared between threads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from storage.text_search import Term

FILTER_FIELDS: tuple[str, ...] = ("source", "kind", "lang", "entity", "event", "link", "story")
"""Fields whose value is matched exactly (``stance:`` and ``published:`` have their own nodes)."""
KINDS: tuple[str, ...] = ("article", "product", "post", "feed_item")
STANCE_LABELS: tuple[str, ...] = ("favor", "against", "neutral")


@dataclass(frozen=True)
class Text:
    """A word, a "quoted phrase", a ``prefix*`` or a CJK run: tokens that must appear adjacent."""

    term: Term


@dataclass(frozen=True)
class Near:
    """``left NEAR/n right``: both within ``distance`` tokens of each other, in either order, in one field."""

    left: Text
    right: Text
    distance: int


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class Field:
    """``name:value[,value...]``: documents whose field equals any of ``values``."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Stance:
    """``stance:LABEL[:ENTITY]``: the document's own (author) stance is ``label`` toward the entity
    (watchlist id or target name; any entity when ``entity`` is None)."""

    label: str
    entity: str | None


@dataclass(frozen=True)
class Published:
    """``published:`` bounds as ISO strings compared against ``published_at``.

    ``lo``/``hi`` are already widened to what the user meant (an upper bound of ``2026-09-10``
    includes that whole day), so backends compare strings and nothing else.
    """

    lo: str | None = None
    lo_inclusive: bool = True
    hi: str | None = None
    hi_inclusive: bool = True


Node = Text | Near | And | Or | Not | Field | Stance | Published
FILTER_NODES = (Field, Stance, Published)


@dataclass(frozen=True)
class Query:
    """A parsed query: ``root`` is None when it matches every document (``""`` or ``*``)."""

    text: str
    root: Node | None

    def positive_terms(self) -> list[Term]:
        """Terms a matching document contains (not those under NOT): what snippets highlight."""
        return list(_terms(self.root, negated=False)) if self.root is not None else []


def _terms(node: Node, negated: bool) -> Iterator[Term]:
    if isinstance(node, Text):
        if not negated:
            yield node.term
    elif isinstance(node, Near):
        if not negated:
            yield node.left.term
            yield node.right.term
    elif isinstance(node, And | Or):
        for child in node.children:
            yield from _terms(child, negated)
    elif isinstance(node, Not):
        yield from _terms(node.child, not negated)


def has_text(node: Node) -> bool:
    """Does ``node`` contain any full-text part (word, phrase, NEAR)?"""
    if isinstance(node, Text | Near):
        return True
    if isinstance(node, And | Or):
        return any(has_text(c) for c in node.children)
    if isinstance(node, Not):
        return has_text(node.child)
    return False


def is_text_only(node: Node) -> bool:
    """Is ``node`` made of full-text parts alone (no field filters anywhere inside)?"""
    if isinstance(node, Text | Near):
        return True
    if isinstance(node, And | Or):
        return all(is_text_only(c) for c in node.children)
    if isinstance(node, Not):
        return is_text_only(node.child)
    return False


def has_positive(node: Node, negated: bool = False) -> bool:
    """Does ``node`` ask for something (a word or a filter) rather than only exclude?"""
    if isinstance(node, Not):
        return has_positive(node.child, not negated)
    if isinstance(node, And | Or):
        return any(has_positive(c, negated) for c in node.children)
    if isinstance(node, FILTER_NODES):
        return True  # "-kind:product" lists everything else: a filter, not an exclusion of words
    return not negated
