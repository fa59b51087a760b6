"""The search query language shared by the CLI, the HTTP API and the web UI.

One grammar (see :mod:`storage.query.parser` and docs/search.md), one typed tree
(:mod:`storage.query.tree`), one translation per backend (:mod:`storage.query.fts5` for SQLite,
:mod:`storage.query.tsquery` for PostgreSQL, both through :mod:`storage.query.sql`). Callers never
write FTS or SQL: they hand the query text to ``store.search``.

How callers use it (CLI, API and UI code alike)::

    from storage.query import QuerySyntaxError

    try:
        result = store.search(q, filters={"source": "reuters"}, facets=["source", "day"],
                              limit=20, offset=0, sort="date", collapse=True)
    except QuerySyntaxError as exc:   # a StoreError: show exc.to_dict() (message, 0-based position)
        ...
    for hit in result.hits:           # plain text; marked_html() escapes it and adds <mark>
        html = marked_html(hit.snippet, hit.highlights)

``parse(q)`` alone validates a query (for a form, a saved search or an alert rule) without a store.
"""

from storage.query.errors import QuerySyntaxError
from storage.query.highlight import marked_html
from storage.query.parser import HELP, parse
from storage.query.tree import Query

__all__ = ["HELP", "Query", "QuerySyntaxError", "marked_html", "parse"]
