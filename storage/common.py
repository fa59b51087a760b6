"""What the SQLite and PostgreSQL stores share: row layout, filter and facet checks.

Kept apart from the backends so that both read filters, build rows and rebuild documents the
same way; the contract suite then only has to catch behaviour, not drift.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from storage.base import StoreError
from storage.events_store import link_docs_subquery
from storage.models import Annotations, Document, Product, Provenance

FILTER_KEYS: tuple[str, ...] = ("source", "kind", "lang", "entity_id", "since", "until", "link")
FACET_FIELDS: tuple[str, ...] = ("source", "kind", "lang", "entity_id", "day", "event", "stance")

# Columns of ``documents`` holding a Document, in the order rows are written and read.
DOC_COLUMNS: tuple[str, ...] = (
    "id",
    "url",
    "canonical_url",
    "source",
    "kind",
    "title",
    "text",
    "author",
    "published_at",
    "fetched_at",
    "lang",
    "content_hash",
    "version",
    "product",
    "annotations",
    "provenance",
)


def batches(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    """``docs`` in lists of ``size`` (the last may be shorter), read lazily: a bulk load holds one batch."""
    it = iter(docs)
    while batch := list(islice(it, size)):
        yield batch


def doc_row(doc: Document, version: int) -> tuple[Any, ...]:
    """The ``DOC_COLUMNS`` values of ``doc`` stored as ``version``."""
    return (
        doc.id,
        doc.url,
        doc.canonical_url,
        doc.source,
        doc.kind,
        doc.title,
        doc.text,
        doc.author,
        doc.published_at,
        doc.fetched_at,
        doc.lang,
        doc.content_hash,
        version,
        json.dumps(doc.product.to_dict(), ensure_ascii=False) if doc.product else None,
        json.dumps(doc.annotations.to_dict(), ensure_ascii=False),
        json.dumps(doc.provenance.to_dict(), ensure_ascii=False),
    )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def row_doc(row: Sequence[Any]) -> Document:
    """Rebuild a Document from a row laid out as ``DOC_COLUMNS``."""
    r = dict(zip(DOC_COLUMNS, row, strict=False))
    product = _json(r["product"])
    return Document(
        url=r["url"],
        text=r["text"],
        kind=r["kind"],
        source=r["source"],
        title=r["title"],
        author=r["author"],
        published_at=r["published_at"],
        fetched_at=r["fetched_at"],
        lang=r["lang"],
        canonical_url=r["canonical_url"],
        product=Product.from_dict(product) if product else None,
        annotations=Annotations.from_dict(_json(r["annotations"]) or {}),
        provenance=Provenance.from_dict(_json(r["provenance"]) or {}),
        id=r["id"],
        content_hash=r["content_hash"],
        version=int(r["version"]),
    )


def mention_rows(doc: Document) -> list[tuple[str, str | None, str, str]]:
    """Distinct ``(doc_id, entity_id, canonical, label)`` rows for the entity table."""
    seen: dict[tuple[str | None, str, str], None] = {}
    for e in doc.annotations.entities:
        seen[(e.entity_id, e.canonical or e.text, e.label)] = None
    return [(doc.id, eid, canonical, label) for eid, canonical, label in seen]


def index_fields(doc: Document) -> tuple[str, str, str]:
    """The three searchable fields: title, body text, and product name/brand/seller."""
    extra = ""
    if doc.product:
        p = doc.product
        extra = " ".join(x for x in (p.name, p.brand, p.seller) if x)
    return doc.title or "", doc.text, extra


# Bounds every backend enforces the same way (PostgreSQL's BIGINT would overflow past 2**63).
MAX_SEARCH_LIMIT = 10_000
MAX_SEARCH_OFFSET = 1_000_000_000


def check_filters(filters: dict[str, Any] | None) -> dict[str, Any]:
    """Validate filter keys once, so a typo is an error rather than a silently ignored filter.

    Text values holding a NUL character are refused: PostgreSQL cannot take them, and no stored
    value holds one, so both backends answer the same clear error.
    """
    filters = dict(filters or {})
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    if unknown:
        raise StoreError(f"unknown search filter {', '.join(unknown)}; accepted: {', '.join(FILTER_KEYS)}")
    for key, value in filters.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, str) and "\x00" in item:
                raise StoreError(f"search filter {key!r} contains a NUL character")
    return {k: v for k, v in filters.items() if v is not None}


def check_page(limit: int, offset: int) -> tuple[int, int]:
    """``limit`` and ``offset`` as ints within the bounds both backends can run."""
    try:
        limit, offset = int(limit), int(offset)
    except (TypeError, ValueError):
        raise StoreError(f"limit and offset must be integers, got {limit!r} and {offset!r}") from None
    if not 0 <= limit <= MAX_SEARCH_LIMIT:
        raise StoreError(f"limit must be between 0 and {MAX_SEARCH_LIMIT}, got {limit}")
    if not 0 <= offset <= MAX_SEARCH_OFFSET:
        raise StoreError(f"offset must be between 0 and {MAX_SEARCH_OFFSET}, got {offset}")
    return limit, offset


def check_facets(facets: list[str] | None) -> list[str]:
    """Validate facet names (they become column names in SQL, so only known ones pass)."""
    facets = list(facets or [])
    unknown = sorted(set(facets) - set(FACET_FIELDS))
    if unknown:
        raise StoreError(f"unknown facet {', '.join(unknown)}; accepted: {', '.join(FACET_FIELDS)}")
    return facets


def filter_sql(filters: dict[str, Any], ph: str, mentions: str) -> tuple[list[str], list[Any]]:
    """SQL conditions on ``documents d`` for validated filters; ``ph`` is the placeholder.

    ``source``/``kind``/``lang``/``entity_id`` accept one value or a list (any of them);
    ``since``/``until`` compare ISO strings against ``published_at`` (``until`` inclusive of the
    whole day when given as a date).
    """
    where: list[str] = []
    params: list[Any] = []
    for key in ("source", "kind", "lang"):
        if key in filters:
            values = _as_list(filters[key])
            where.append(f"d.{key} IN ({', '.join([ph] * len(values))})")
            params.extend(values)
    if "entity_id" in filters:
        values = _as_list(filters["entity_id"])
        marks = ", ".join([ph] * len(values))
        where.append(f"d.id IN (SELECT m.doc_id FROM {mentions} m WHERE m.entity_id IN ({marks}))")
        params.extend(values)
    if "link" in filters:  # documents that are evidence of a stored link (id, rule, entity id, event type, any)
        sql, link_params = link_docs_subquery([str(v) for v in _as_list(filters["link"])], ph,
                                              mentions[: -len("mentions")])
        where.append(f"d.id IN ({sql})")
        params.extend(link_params)
    if "since" in filters:
        where.append(f"d.published_at >= {ph}")
        params.append(str(filters["since"]))
    if "until" in filters:
        until = str(filters["until"])
        if len(until) == 10:  # a bare date: include every timestamp of that day
            until += "T99"
        where.append(f"d.published_at <= {ph}")
        params.append(until)
    return where, params


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple | set | frozenset):
        values = list(value)
        if not values:
            raise StoreError("search filter given an empty list; give at least one value or leave it out")
        return values
    return [value]
