"""``Store.search`` for any backend: check the arguments, parse, plan, run.

Each store's ``search`` method is one call to :func:`search` with its way of running SQL and its
:class:`~storage.query.sql.Dialect`; the method can move (to ``store.documents``) without this
changing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.base import SearchResult, StoreError
from storage.common import check_facets, check_filters, check_page
from storage.query.parser import parse
from storage.query.sql import SORTS, Dialect, Execute, filter_nodes, run
from storage.query.tree import Query


def search(execute: Execute, dialect: Dialect, documents: str, query: str | Query,
           filters: dict[str, Any] | None = None, facets: list[str] | None = None, limit: int = 20,
           offset: int = 0, sort: str = "relevance", collapse: bool = False,
           now: datetime | None = None) -> SearchResult:
    """Search ``documents`` (the documents table, aliased ``d``) with the query language.

    Raises :class:`storage.query.QuerySyntaxError` for a query that cannot be read and
    :class:`StoreError` for bad filters, facets, sort or page bounds; ``execute`` errors are the
    caller's to translate.
    """
    flt = check_filters(filters)
    facet_names = check_facets(facets)
    limit, offset = check_page(limit, offset)
    if sort not in SORTS:
        raise StoreError(f"unknown sort {sort!r}; accepted: {', '.join(SORTS)}")
    parsed = query if isinstance(query, Query) else parse(query, now)
    return run(execute, dialect, parsed, filter_nodes(flt), facet_names, limit, offset, sort, bool(collapse),
               documents)
