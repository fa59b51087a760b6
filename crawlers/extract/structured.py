"""Embedded structured data (JSON-LD, microdata, RDFa via extruct) as flat schema.org items, and readers of them."""

from __future__ import annotations

import re
from typing import Any

from crawlers.extract.text import _clean

_RDFA_HINT = re.compile(r"\s(?:typeof|vocab)\s*=", re.IGNORECASE)


def _structured_data(text: str, base: str | None, warnings: list[str]) -> list[dict[str, Any]]:
    """Top-level schema.org items from JSON-LD, microdata and RDFa (``@graph`` flattened)."""
    try:
        import extruct

        # RDFa is by far the slowest syntax (about half of all extraction time on real pages) and
        # rare on news and shop pages: only read it when the page has RDFa typing attributes.
        syntaxes = ["json-ld", "microdata"]
        if _RDFA_HINT.search(text):
            syntaxes.append("rdfa")
        if "application/ld+json" not in text and "itemscope" not in text and len(syntaxes) == 2:
            return []
        data = extruct.extract(text, base_url=base, syntaxes=syntaxes, uniform=True, errors="ignore")
    except Exception as exc:
        warnings.append(f"parse: structured data unreadable ({type(exc).__name__})")
        return []
    items: list[dict[str, Any]] = []
    for syntax in ("json-ld", "microdata", "rdfa"):
        for item in data.get(syntax) or []:
            if not isinstance(item, dict):
                continue
            graph = item.get("@graph")
            if isinstance(graph, list):
                items.extend(g for g in graph if isinstance(g, dict))
            if item.get("@type"):
                items.append(item)
    return items


def _types(item: Any) -> list[str]:
    if not isinstance(item, dict):
        return []
    return [str(t).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] for t in _as_list(item.get("@type"))]


def _first_of_type(items: list[dict[str, Any]], wanted: set[str]) -> dict[str, Any] | None:
    for item in items:
        if set(_types(item)) & wanted:
            return item
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _name_of(value: Any) -> str | None:
    if isinstance(value, dict):
        return _clean(value.get("name") or value.get("@value") or value.get("legalName"))
    if isinstance(value, list):
        return _name_of(value[0]) if value else None
    return _clean(value) if isinstance(value, str | int | float) else None


def _ld_str(item: dict[str, Any] | None, key: str) -> str | None:
    if not item:
        return None
    value = item.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _name_of(value)
    return str(value) if value is not None else None
