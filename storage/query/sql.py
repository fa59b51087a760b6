"""A query tree as SQL over ``documents d``: the part every backend shares.

The tree splits in two. The full-text conjuncts at the top (words, phrases, NEAR, and NOT of
them beside a positive word) become the backend's one full-text expression, which drives the
query and its relevance ranking. Everything else (field filters, and text nested under OR with a
filter) becomes SQL conditions, a nested full-text part becoming a sub-select of the index. A
backend supplies only what differs (:class:`Dialect`): placeholders, table prefix, how a text
expression is matched and ranked, and how stance JSON is read. So both backends find the same
documents by construction; the contract suite checks they do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from storage.base import SearchHit, SearchResult
from storage.cancel import raise_if_cancelled
from storage.events_store import link_docs_subquery
from storage.query.dates import filter_bounds
from storage.query.tree import And, Field, Near, Node, Not, Or, Published, Query, Stance, Text, is_text_only
from storage.text_search import make_snippet

Rows = list[Sequence[Any]]
Execute = Callable[[str, Sequence[Any]], Rows]

SORTS: tuple[str, ...] = ("relevance", "date", "oldest")
RANK_CANDIDATES = 1000
"""How many matches of a text-only query relevance is computed over: the most recently added ones
(highest rid). Scoring costs about a microsecond a match in SQLite (bm25) and more in PostgreSQL
(ts_rank reads each match's tsvector), so a word in 15 % of a million documents would take well over
the 100 ms a search may. With fewer matches ranking is exact; past the candidates the other matches
follow newest first (unscored), so pages still walk every match once; total and facets count them all.
Both backends follow this one rule (``Dialect.ranked_page``)."""
FACET_NAMES: tuple[str, ...] = ("source", "kind", "lang", "entity_id", "day", "event", "stance")
_COLUMN_FACETS = {"source": "d.source", "kind": "d.kind", "lang": "d.lang", "day": "substr(d.published_at, 1, 10)"}
_COMBO_COLUMNS = {"source": 0, "kind": 1, "lang": 2, "day": 3}  # a Dialect.facet_combinations row's columns
_SNIPPET_SOURCE_CHARS = 200_000  # what make_snippet scans at most; longer texts are not read past it
_DATE_ORDER = [("d.published_at IS NULL", "ASC"), ("d.published_at", "DESC"), ("d.seq", "DESC")]
_OLDEST_ORDER = [("d.published_at IS NULL", "ASC"), ("d.published_at", "ASC"), ("d.seq", "ASC")]


def expressible(node: Node) -> bool:
    """Can ``node`` be one full-text expression on every backend? (FTS5's NOT needs a positive side.)"""
    if isinstance(node, Text | Near):
        return True
    if isinstance(node, Or):
        return all(expressible(c) for c in node.children)
    if isinstance(node, And):
        positives = [c for c in node.children if not isinstance(c, Not)]
        return bool(positives) and all(expressible(c.child if isinstance(c, Not) else c) for c in node.children)
    return False


def positive_part(node: Node) -> Node | None:
    """``node`` without its NOT branches: what relevance is scored on."""
    if isinstance(node, And):
        kept = [p for c in node.children if not isinstance(c, Not) for p in [positive_part(c)] if p is not None]
        return None if not kept else kept[0] if len(kept) == 1 else And(tuple(kept))
    return None if isinstance(node, Not) else node


@dataclass
class Dialect:
    """What one backend says differently. ``ph`` is the placeholder, ``prefix`` the tables' schema."""

    ph: str
    prefix: str

    def text_condition(self, node: Node) -> tuple[str, list[Any]]:
        """A boolean over ``d`` true when the document matches the full-text ``node``."""
        raise NotImplementedError

    def main_source(self, node: Node) -> tuple[str, list[Any], list[str], str, list[tuple[str, str]]]:
        """FROM clause driven by the full-text ``node``: (from, params, where, score expr, relevance order)."""
        raise NotImplementedError

    def ranked_page(self, node: Node, columns: Sequence[str] = ()) -> tuple[str, list[Any]] | None:
        """FROM clause holding only one page of ``node``'s matches, best first (placeholders for limit and
        offset last), when the backend can rank inside its index before joining: None if it cannot. Its
        ``page_total`` column is how many documents match ``node`` and ``page_facets`` the counts of the
        column facets ``columns`` (``[[index in columns, value, count], ...]``) when the page's own read
        counted them (NULL when the backend counts apart)."""
        return None

    def facet_source(self, node: Node) -> tuple[str, list[Any]] | None:
        """FROM clause over ``node``'s matches alone, unranked, whose ``d`` has at least the column facets'
        columns (source, kind, lang, published_at) read from narrow rows: None to count over the main source."""
        return None

    def facet_combinations(self, node: Node) -> tuple[str, list[Any]] | None:
        """A statement counting ``node``'s matches by their (source, kind, lang, day) combination, rows
        ``(source, kind, lang, day, count)`` with the day as ``YYYY-MM-DD``: None to group each facet."""
        return None

    def count_text_only(self, node: Node) -> tuple[str, list[Any]] | None:
        """A cheaper count of documents matching ``node`` alone, if the backend has one."""
        return None

    def stance_condition(self, label: str, entity: str | None) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def stance_join(self) -> tuple[str, str]:
        """(join clause expanding ``d``'s stance entries as ``j``, facet value expression)."""
        raise NotImplementedError


def _name_match(column: str, value: str, ph: str) -> tuple[str, list[Any]]:
    """``column`` equals ``value``, ignoring case for ASCII names (both backends lower ASCII alike)."""
    if value.isascii():
        return f"lower({column}) = {ph}", [value.lower()]
    return f"{column} = {ph}", [value]


@dataclass
class Compiler:
    """Turns tree nodes into SQL conditions for one dialect."""

    dialect: Dialect
    params: list[Any] = field(default_factory=list)

    def cond(self, node: Node) -> str:
        d = self.dialect
        if is_text_only(node) and expressible(node):
            sql, params = d.text_condition(node)
            self.params.extend(params)
            return sql
        if isinstance(node, Not):
            return f"NOT coalesce(({self.cond(node.child)}), FALSE)"
        if isinstance(node, And):
            text = [c for c in node.children if is_text_only(c)]
            rest = [c for c in node.children if not is_text_only(c)]
            parts = []
            if len(text) > 1 and expressible(And(tuple(text))):
                parts.append(self.cond(And(tuple(text))))
            else:
                rest = [*text, *rest]
            parts += [self.cond(c) for c in rest]
            return "(" + " AND ".join(parts) + ")"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.cond(c) for c in node.children) + ")"
        if isinstance(node, Field):
            return self.field(node)
        if isinstance(node, Stance):
            sql, params = d.stance_condition(node.label, node.entity)
            self.params.extend(params)
            return sql
        if isinstance(node, Published):
            return self.published(node)
        raise TypeError(f"cannot translate {node!r}")  # pragma: no cover - every node type is handled

    def _marks(self, values: Sequence[Any]) -> str:
        self.params.extend(values)
        return ", ".join([self.dialect.ph] * len(values))

    def field(self, node: Field) -> str:
        p, ph = self.dialect.prefix, self.dialect.ph
        if node.name in ("source", "kind", "lang"):
            return f"d.{node.name} IN ({self._marks(node.values)})"
        if node.name == "entity":
            alts = []
            for v in node.values:
                name_sql, name_params = _name_match("m.canonical", v, ph)
                alts.append(f"m.entity_id = {ph} OR {name_sql}")
                self.params.extend([v, *name_params])
            return f"d.id IN (SELECT m.doc_id FROM {p}mentions m WHERE {' OR '.join(alts)})"
        if node.name == "event":
            return f"d.id IN (SELECT e.doc_id FROM {p}events e WHERE e.type IN ({self._marks(node.values)}))"
        if node.name == "story":
            return (f"d.id IN (SELECT sm.doc_id FROM {p}story_members sm "
                    f"WHERE sm.story_id IN ({self._marks(node.values)}))")
        if node.name == "link":
            sql, params = link_docs_subquery(list(node.values), ph, p)
            self.params.extend(params)
            return f"d.id IN ({sql})"
        raise TypeError(f"unknown field {node.name}")  # pragma: no cover - the parser knows the fields

    def published(self, node: Published) -> str:
        ph = self.dialect.ph
        parts = ["d.published_at IS NOT NULL"]
        if node.lo is not None:
            parts.append(f"d.published_at {'>=' if node.lo_inclusive else '>'} {ph}")
            self.params.append(node.lo)
        if node.hi is not None:
            parts.append(f"d.published_at {'<=' if node.hi_inclusive else '<'} {ph}")
            self.params.append(node.hi)
        return "(" + " AND ".join(parts) + ")"


def filter_nodes(filters: dict[str, Any]) -> list[Node]:
    """The ``filters`` argument of ``Store.search`` (validated) as tree nodes."""

    def values(v: Any) -> tuple[str, ...]:
        return tuple(str(x) for x in (v if isinstance(v, list | tuple | set | frozenset) else [v]))

    nodes: list[Node] = []
    for key, name in (("source", "source"), ("kind", "kind"), ("lang", "lang"), ("entity_id", "entity"),
                      ("link", "link")):
        if key in filters:
            nodes.append(Field(name, values(filters[key])))
    if "since" in filters or "until" in filters:
        nodes.append(filter_bounds(filters.get("since"), filters.get("until")))
    return nodes


@dataclass
class Plan:
    """A query ready to run: FROM with its params, WHERE conditions with theirs, score and orders."""

    source: str
    source_params: list[Any]
    where: list[str]
    where_params: list[Any]
    score: str
    order: list[tuple[str, str]]
    text: Node | None
    only_text: bool

    @property
    def params(self) -> list[Any]:
        return [*self.source_params, *self.where_params]

    def where_sql(self, extra: Sequence[str] = ()) -> str:
        conds = [*self.where, *extra]
        return (" WHERE " + " AND ".join(conds)) if conds else ""


def plan(dialect: Dialect, query: Query, extra: list[Node], sort: str, documents: str) -> Plan:
    """Split ``query`` (ANDed with ``extra`` filter nodes) into full-text source and SQL conditions."""
    root = query.root
    conjuncts: list[Node] = [] if root is None else list(root.children) if isinstance(root, And) else [root]
    conjuncts += extra
    text_parts = [c for c in conjuncts if is_text_only(c) and expressible(c.child if isinstance(c, Not) else c)]
    if not any(not isinstance(c, Not) for c in text_parts):
        text_parts = []
    others = [c for c in conjuncts if not any(c is t for t in text_parts)]
    compiler = Compiler(dialect)
    where = [compiler.cond(c) for c in others]
    text: Node | None = None
    if text_parts:
        text = text_parts[0] if len(text_parts) == 1 else And(tuple(text_parts))
        source, sparams, swhere, score, relevance = dialect.main_source(text)
        where = [*swhere, *where]
    else:
        source, sparams, score, relevance = documents, [], "0.0", _DATE_ORDER
    order = {"relevance": relevance, "date": _DATE_ORDER, "oldest": _OLDEST_ORDER}[sort]
    return Plan(source, sparams, where, compiler.params, score, order, text, only_text=not others)


def _order_sql(order: list[tuple[str, str]]) -> str:
    return ", ".join(f"{expr} {direction}" for expr, direction in order)


_HIT_COLS = f"d.id, d.url, d.title, d.published_at, d.source, d.kind, substr(d.text, 1, {_SNIPPET_SOURCE_CHARS})"


def run(execute: Execute, dialect: Dialect, query: Query, extra: list[Node], facets: list[str], limit: int,
        offset: int, sort: str, collapse: bool, documents: str) -> SearchResult:
    """Run a parsed query: one page of hits with snippets, the total, and the facet counts."""
    pl = plan(dialect, query, extra, sort, documents)
    p, ph = dialect.prefix, dialect.ph
    where = pl.where_sql()
    params = pl.params
    params_for_hits = [*params, int(limit), int(offset)]
    page: tuple[str, list[Any]] | None = None
    columns = [f for f in facets if f in _COLUMN_FACETS]
    if collapse:
        group = "coalesce(sm.story_id, d.id)"
        keys = ", ".join(f"{expr} AS _k{i}" for i, (expr, _) in enumerate(pl.order))
        outer = ", ".join(f"x._k{i} {direction}" for i, (_, direction) in enumerate(pl.order))
        sql = (f"SELECT x.id, x.url, x.title, x.published_at, x.source, x.kind, x.body, x.score, x.story_id, "
               f"coalesce(st.size, 1), x.story_hits FROM (SELECT {_HIT_COLS} AS body, {pl.score} AS score, "
               f"sm.story_id AS story_id, {keys}, "
               f"row_number() OVER (PARTITION BY {group} ORDER BY {_order_sql(pl.order)}) AS rn, "
               f"count(*) OVER (PARTITION BY {group}) AS story_hits "
               f"FROM {pl.source} LEFT JOIN {p}story_members sm ON sm.doc_id = d.id{where}) x "
               f"LEFT JOIN {p}stories st ON st.story_id = x.story_id WHERE x.rn = 1 "
               f"ORDER BY {outer} LIMIT {ph} OFFSET {ph}")
        count_sql = (f"SELECT count(DISTINCT {group}) FROM {pl.source} "
                     f"LEFT JOIN {p}story_members sm ON sm.doc_id = d.id{where}")
        count_params = params
    else:
        sql = (f"SELECT {_HIT_COLS}, {pl.score} FROM {pl.source}{where} "
               f"ORDER BY {_order_sql(pl.order)} LIMIT {ph} OFFSET {ph}")
        page = dialect.ranked_page(pl.text, columns) if pl.only_text and pl.text is not None \
            and sort == "relevance" else None
        if page is not None:  # rank in the index, join only the page's rows to their documents
            source, page_params = page
            sql = (f"SELECT {_HIT_COLS}, {pl.score}, page_total, page_facets FROM {source} "
                   f"ORDER BY {_order_sql(pl.order)}")
            params_for_hits = [*page_params, int(limit), int(offset)]
        cheap = dialect.count_text_only(pl.text) if pl.only_text and pl.text is not None else None
        count_sql, count_params = cheap or (f"SELECT count(*) FROM {pl.source}{where}", params)
    rows = execute(sql, params_for_hits) if limit else []
    counted = page is not None and bool(rows) and rows[0][8] is not None  # the page's read counted every match
    matched: int | None
    if counted and (rows[0][9] is not None or not columns):
        grouped, matched = _page_facets(rows[0][9] or [], columns), int(rows[0][8])
    else:
        grouped, matched = column_counts(execute, dialect, pl, facets)
        if matched is None and counted:
            matched = int(rows[0][8])
    if matched is None or collapse:  # the narrow facet pass counted every match of a text-only query
        total_rows = execute(count_sql, count_params)
        matched = int(total_rows[0][0]) if total_rows else 0
    terms = query.positive_terms()
    hits = []
    for r in rows:
        raise_if_cancelled()  # a snippet is the costly part: stop between them once the caller has left
        snippet, highlights = make_snippet(str(r[6] or ""), terms or None)
        hit = SearchHit(id=str(r[0]), url=str(r[1]), title=r[2], published_at=r[3], source=str(r[4]),
                        kind=str(r[5]), score=float(r[7] or 0.0), snippet=snippet, highlights=highlights)
        if collapse:
            hit.story_id, hit.story_size, hit.story_hits = r[8], int(r[9]), int(r[10])
        hits.append(hit)
    counts = facet_counts(execute, dialect, pl, facets, grouped)
    return SearchResult(hits=hits, total=matched, facets=counts, sort=sort, collapsed=collapse)


def column_counts(execute: Execute, dialect: Dialect, pl: Plan,
                  facets: list[str]) -> tuple[dict[str, dict[str, int]], int | None]:
    """Value counts of every column facet asked for, from one read of the matches, and how many matched
    when that read covered every match of a text-only query (None otherwise).

    A dialect that keeps each document's combination of the four columns as one number
    (``facet_combinations``: SQLite) groups the matches once by it and the groups are summed per facet.
    Otherwise the matches' facet columns are read once (``MATERIALIZED``: from the narrow source when the
    dialect has one) and each facet is grouped on its own over them: one GROUP BY of all the columns
    together would return about one row per match, to be summed in Python.
    """
    columns = [f for f in facets if f in _COLUMN_FACETS]
    if not columns:
        return {}, None
    text = pl.text if pl.only_text else None
    combos = dialect.facet_combinations(text) if text is not None else None
    if combos is not None:
        return _sum_combinations(execute(*combos), columns)
    narrow = dialect.facet_source(text) if text is not None else None
    source, params, where = (*narrow, "") if narrow is not None else (pl.source, pl.params, pl.where_sql())
    picked = ", ".join(f"{_COLUMN_FACETS[f]} AS f{i}" for i, f in enumerate(columns))
    passes = " UNION ALL ".join(f"SELECT {i}, f{i}, count(*) FROM m GROUP BY f{i}" for i in range(len(columns)))
    rows = execute(f"WITH m AS MATERIALIZED (SELECT {picked} FROM {source}{where}) {passes}", params)
    out: dict[str, dict[str, int]] = {name: {} for name in columns}
    for i, value, n in rows:
        if value is not None:
            out[columns[int(i)]][str(value)] = int(n)
    matched = sum(int(n) for i, _, n in rows if int(i) == 0) if narrow is not None else None
    return out, matched


def _page_facets(rows: Sequence[Sequence[Any]], columns: list[str]) -> dict[str, dict[str, int]]:
    """The ``page_facets`` of a ranked page (``[index in columns, value, count]`` each) as facet counts."""
    out: dict[str, dict[str, int]] = {name: {} for name in columns}
    for i, value, n in rows:
        if value is not None:
            out[columns[int(i)]][str(value)] = int(n)
    return out


def _sum_combinations(rows: Rows, columns: list[str]) -> tuple[dict[str, dict[str, int]], int]:
    """Per-facet counts and the number of matches from ``(source, kind, lang, day, count)`` rows, one per
    combination of the four columns among the matches (:meth:`Dialect.facet_combinations`)."""
    out: dict[str, dict[str, int]] = {name: {} for name in columns}
    matched = 0
    for row in rows:
        n = int(row[4])
        matched += n
        for name in columns:
            value = row[_COMBO_COLUMNS[name]]
            if value is not None:
                counts = out[name]
                counts[str(value)] = counts.get(str(value), 0) + n
    return out, matched


def facet_counts(execute: Execute, dialect: Dialect, pl: Plan, facets: list[str],
                 grouped: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Value counts over every match (not only the page), most frequent first, ties by value; the column
    facets come counted in ``grouped`` (:func:`column_counts`)."""
    out = dict(grouped)
    p = dialect.prefix
    for name in facets:
        if name == "entity_id":
            sql = (f"SELECT m.entity_id, count(DISTINCT d.id) FROM {pl.source} JOIN {p}mentions m ON m.doc_id = d.id"
                   f"{pl.where_sql(['m.entity_id IS NOT NULL'])} GROUP BY m.entity_id")
        elif name == "event":
            sql = (f"SELECT e.type, count(DISTINCT d.id) FROM {pl.source} JOIN {p}events e ON e.doc_id = d.id"
                   f"{pl.where_sql()} GROUP BY e.type")
        elif name == "stance":
            join, value = dialect.stance_join()
            sql = (f"SELECT {value}, count(DISTINCT d.id) FROM {pl.source} {join}"
                   f"{pl.where_sql()} GROUP BY {value}")
        else:
            continue
        out[name] = {str(k): int(n) for k, n in execute(sql, pl.params) if k is not None}
    return {name: dict(sorted(out[name].items(), key=lambda kv: (-kv[1], kv[0]))) for name in facets}
