"""The query tree for PostgreSQL: a ``tsquery`` over our own token vectors plus the shared SQL.

Lexemes are the index tokens (:func:`storage.text_search.tsvector` built the vectors), quoted, so
nothing of the user's text is read as tsquery syntax. PostgreSQL has no "within n" operator, so
``a NEAR/n b`` is every exact distance ``<1>`` .. ``<n+1>`` in both orders: what FTS5 means by
at most ``n`` tokens between them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storage.query import sql
from storage.query.sql import Dialect, positive_part
from storage.query.tree import And, Near, Node, Not, Or, Text
from storage.text_search import Term


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def phrase(term: Term) -> str:
    lex = [_lexeme(t) for t in term.tokens]
    if term.prefix:
        lex[-1] += ":*"
    return lex[0] if len(lex) == 1 else "(" + " <-> ".join(lex) + ")"


def tsquery_text(node: Node) -> str:
    """The tsquery text of a full-text node (see :func:`storage.query.sql.expressible`)."""
    if isinstance(node, Text):
        return phrase(node.term)
    if isinstance(node, Near):
        a, b = phrase(node.left.term), phrase(node.right.term)
        alts = [f"{x} <{k}> {y}" for k in range(1, node.distance + 2) for x, y in ((a, b), (b, a))]
        return "(" + " | ".join(f"({alt})" for alt in alts) + ")"
    if isinstance(node, Or):
        return "(" + " | ".join(tsquery_text(c) for c in node.children) + ")"
    if isinstance(node, And):
        parts = [f"!{tsquery_text(c.child)}" if isinstance(c, Not) else tsquery_text(c) for c in node.children]
        return "(" + " & ".join(parts) + ")"
    raise TypeError(f"not a full-text expression: {node!r}")


_SCORE = "ts_rank(t.tsv, qq.rq)"
_SEARCH_COLUMNS = {"source": "t.source", "kind": "t.kind", "lang": "t.lang", "day": "substr(t.published_at, 1, 10)"}


class PostgresDialect(Dialect):
    def __init__(self, schema_prefix: str) -> None:
        super().__init__(ph="%s", prefix=schema_prefix)

    def text_condition(self, node: Node) -> tuple[str, list[Any]]:
        return f"d.rid IN (SELECT t.rid FROM {self.prefix}doc_search t WHERE t.tsv @@ %s::tsquery)", \
            [tsquery_text(node)]

    def main_source(self, node: Node) -> tuple[str, list[Any], list[str], str, list[tuple[str, str]]]:
        # Rank on the wanted terms only: ts_rank scores a query holding "!x" as near zero.
        wanted = positive_part(node) or node
        p = self.prefix
        source = (f"{p}doc_search t JOIN {p}documents d ON d.rid = t.rid "
                  "CROSS JOIN (SELECT %s::tsquery AS q, %s::tsquery AS rq) qq")
        return source, [tsquery_text(node), tsquery_text(wanted)], ["t.tsv @@ qq.q"], _SCORE, \
            [(_SCORE, "DESC"), ("d.rid", "DESC")]

    def ranked_page(self, node: Node, columns: Sequence[str] = ()) -> tuple[str, list[Any]] | None:
        # Relevance over a bounded candidate set (sql.RANK_CANDIDATES: both backends). The matches' row ids (and
        # the facet columns asked for) are read once from the narrow table (no vector read) into ``m``, which
        # gives the total and those facets' counts too: every bitmap heap scan reads each match's heap page
        # (even an all-visible one, on this server), so counting in a second statement cost as much again.
        # Only the newest RANK_CANDIDATES have their vectors read and ranked; the other matches follow newest
        # first with an empty vector (score 0), so pages walk every match once. The page's LIMIT stops the
        # Append after the candidates when they fill it, so the rest is never sorted for a first page.
        wanted = positive_part(node) or node
        p, k = self.prefix, sql.RANK_CANDIDATES
        picked = "".join(f", {_SEARCH_COLUMNS[c]} AS f{i}" for i, c in enumerate(columns))
        groups = " UNION ALL ".join(f"SELECT {i} AS i, f{i}::text AS v, count(*) AS n FROM m GROUP BY f{i}"
                                    for i in range(len(columns)))
        facets = f"(SELECT json_agg(json_build_array(x.i, x.v, x.n)) FROM ({groups}) x)" if columns else "NULL"
        source = (f"(SELECT %s::tsquery AS rq) qq CROSS JOIN LATERAL ("
                  f"WITH m AS MATERIALIZED (SELECT t.rid{picked} FROM {p}doc_search t WHERE t.tsv @@ %s::tsquery) "
                  f"SELECT r.rid, r.tsv, (SELECT count(*) FROM m) AS page_total, {facets} AS page_facets FROM ("
                  f"(SELECT c.rid, c.tsv FROM (SELECT rid FROM m ORDER BY rid DESC LIMIT {k}) n "
                  f"JOIN {p}doc_search c ON c.rid = n.rid ORDER BY ts_rank(c.tsv, qq.rq) DESC, c.rid DESC) "
                  f"UNION ALL (SELECT rid, ''::tsvector FROM m ORDER BY rid DESC OFFSET {k}) "
                  f"LIMIT %s OFFSET %s) r) t JOIN {p}documents d ON d.rid = t.rid")
        return source, [tsquery_text(wanted), tsquery_text(node)]

    def count_text_only(self, node: Node) -> tuple[str, list[Any]] | None:
        # the narrow table alone: no document row is read (an all-visible page is not even read)
        return f"SELECT count(*) FROM {self.prefix}doc_search t WHERE t.tsv @@ %s::tsquery", [tsquery_text(node)]

    def facet_source(self, node: Node) -> tuple[str, list[Any]] | None:
        # The facet columns of the matches from the narrow table alone (never the document rows).
        return (f"(SELECT t.rid, t.source, t.kind, t.lang, t.published_at FROM {self.prefix}doc_search t "
                "WHERE t.tsv @@ %s::tsquery) d"), [tsquery_text(node)]

    def stance_condition(self, label: str, entity: str | None) -> tuple[str, list[Any]]:
        conds, params = ["j->>'label' = %s"], [label]
        if entity is not None:
            target = "lower(j->>'target') = %s" if entity.isascii() else "j->>'target' = %s"
            conds.append(f"(j->>'entity_id' = %s OR {target})")
            params += [entity, entity.lower() if entity.isascii() else entity]
        return (f"EXISTS (SELECT 1 FROM jsonb_array_elements(d.annotations->'stance') j "
                f"WHERE {' AND '.join(conds)})", params)

    def stance_join(self) -> tuple[str, str]:
        return ("CROSS JOIN LATERAL jsonb_array_elements(d.annotations->'stance') j",
                "(j->>'label') || ':' || coalesce(j->>'entity_id', j->>'target')")
