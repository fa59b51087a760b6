"""The query tree for SQLite: an FTS5 ``MATCH`` expression plus the shared SQL conditions.

Every phrase is written as its index tokens inside double quotes, so no user text ever reaches
FTS5's own syntax (``NEAR(``, ``^``, ``title:``, ``*`` mid-word are plain characters to us); the
tokenizer re-reads each quoted token as itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storage.query.sql import RANK_CANDIDATES, Dialect
from storage.query.tree import And, Near, Node, Not, Or, Text
from storage.text_search import Term

BM25 = "bm25(documents_fts, 3.0, 1.0, 2.0)"  # weights of title, body, product: a title hit counts most
FACET_INDEX = "documents_facets"  # documents(rid, source, kind, lang, published_at): the facet columns, narrow
FACET_COMBOS = "facet_combos"  # combo -> (source, kind, lang, day): each combination of the column facets once
DOC_FACETS = "doc_facets"  # rid -> combo: a document's combination (kept by triggers on documents)


def phrase(term: Term) -> str:
    return '"' + " ".join(term.tokens) + '"' + ("*" if term.prefix else "")


def match_expression(node: Node) -> str:
    """The FTS5 expression of a full-text node (see :func:`storage.query.sql.expressible`)."""
    if isinstance(node, Text):
        return phrase(node.term)
    if isinstance(node, Near):
        return f"NEAR({phrase(node.left.term)} {phrase(node.right.term)}, {node.distance})"
    if isinstance(node, Or):
        return "(" + " OR ".join(match_expression(c) for c in node.children) + ")"
    if isinstance(node, And):
        pos = [match_expression(c) for c in node.children if not isinstance(c, Not)]
        expr = pos[0] if len(pos) == 1 else "(" + " AND ".join(pos) + ")"
        for c in node.children:
            if isinstance(c, Not):
                expr = f"({expr} NOT {match_expression(c.child)})"
        return expr
    raise TypeError(f"not a full-text expression: {node!r}")


class SQLiteDialect(Dialect):
    def __init__(self) -> None:
        super().__init__(ph="?", prefix="")

    def text_condition(self, node: Node) -> tuple[str, list[Any]]:
        return "d.rid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)", [match_expression(node)]

    def main_source(self, node: Node) -> tuple[str, list[Any], list[str], str, list[tuple[str, str]]]:
        source = (f"(SELECT rowid AS rid, {BM25} AS rank FROM documents_fts WHERE documents_fts MATCH ?) f "
                  "JOIN documents d ON d.rid = f.rid")
        # unscored matches (rank NULL, past the candidates of ranked_page) sort after every scored one
        return source, [match_expression(node)], [], "-f.rank", [("f.rank IS NULL", "ASC"), ("f.rank", "ASC"),
                                                                  ("d.rid", "DESC")]

    def ranked_page(self, node: Node, columns: Sequence[str] = ()) -> tuple[str, list[Any]] | None:
        # RANK_CANDIDATES: bm25 on the newest matches only (FTS5 walks rowids backwards from the index), then
        # the rest newest first. UNION ALL runs its arms in order and stops at the LIMIT, so a page within
        # the candidates never reads the rest; each arm keeps its own LIMIT so its ORDER BY is never dropped.
        k = RANK_CANDIDATES
        newest = "SELECT rowid AS rid FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rowid DESC"
        scored = (f"SELECT rid, rank FROM (SELECT rowid AS rid, {BM25} AS rank FROM documents_fts "
                  f"WHERE documents_fts MATCH ? ORDER BY rowid DESC LIMIT {k}) ORDER BY rank, rid DESC LIMIT {k}")
        rest = f"SELECT rid, NULL AS rank FROM ({newest} LIMIT -1 OFFSET {k})"
        # no page_total or page_facets: FTS5 counts the matches in a walk of their own either way
        source = (f"(SELECT rid, rank, NULL AS page_total, NULL AS page_facets FROM (SELECT * FROM ({scored}) "
                  f"UNION ALL SELECT * FROM ({rest})) LIMIT ? OFFSET ?) f JOIN documents d ON d.rid = f.rid")
        expr = match_expression(node)
        return source, [expr, expr]

    def facet_combinations(self, node: Node) -> tuple[str, list[Any]] | None:
        # match rowids straight from the index (no bm25), each one's combination number from doc_facets,
        # grouped once by that integer; only the groups are joined to their values
        return (f"SELECT c.source, c.kind, c.lang, c.day, g.n FROM (SELECT x.combo, count(*) AS n "
                f"FROM (SELECT rowid AS rid FROM documents_fts WHERE documents_fts MATCH ?) f "
                f"JOIN {DOC_FACETS} x ON x.rid = f.rid GROUP BY x.combo) g "
                f"JOIN {FACET_COMBOS} c ON c.combo = g.combo"), [match_expression(node)]

    def count_text_only(self, node: Node) -> tuple[str, list[Any]] | None:
        # the index alone knows how many match: no ranking, no join
        return "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?", [match_expression(node)]

    def stance_condition(self, label: str, entity: str | None) -> tuple[str, list[Any]]:
        conds, params = ["json_extract(j.value, '$.label') = ?"], [label]
        if entity is not None:
            target = "lower(json_extract(j.value, '$.target')) = ?" if entity.isascii() else \
                "json_extract(j.value, '$.target') = ?"
            conds.append(f"(json_extract(j.value, '$.entity_id') = ? OR {target})")
            params += [entity, entity.lower() if entity.isascii() else entity]
        return (f"EXISTS (SELECT 1 FROM json_each(d.annotations, '$.stance') j WHERE {' AND '.join(conds)})",
                params)

    def stance_join(self) -> tuple[str, str]:
        return (", json_each(d.annotations, '$.stance') j",
                "json_extract(j.value, '$.label') || ':' || coalesce(json_extract(j.value, '$.entity_id'), "
                "json_extract(j.value, '$.target'))")
