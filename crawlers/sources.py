"""Source specs: plain dicts from config, checked once at the edge.

Keys: ``name`` (unique), ``type`` (sitemap|feed|site|listing|mastodon|bluesky|reddit), ``url`` (for a sitemap: a
sitemap, a sitemap index or a robots.txt), optional ``allow``/``deny`` (regexes on URLs),
``max_pages`` (sitemap/feed/site: pages fetched; listing: category pages; mastodon/bluesky/reddit: API pages),
``max_depth`` (site), ``max_items`` (listing: product pages), ``kind`` (article|product|post: what the
pages of a sitemap/feed/site source are), ``queries`` (search sources: the ``url`` holds ``{query}``,
crawled once per query, e.g. a shop's search for each watched person's name), ``canonical_domains`` (registrable
domains besides the page's own whose URLs a page's ``rel=canonical`` may name, e.g. a syndication partner).
A key set to ``None`` takes its default.
"""

from __future__ import annotations

import re
from typing import Any

SOURCE_TYPES: tuple[str, ...] = ("sitemap", "feed", "site", "listing", "mastodon", "bluesky", "reddit")

# key -> (types it applies to, expected python type(s))
_KEYS: dict[str, tuple[tuple[str, ...], type | tuple[type, ...]]] = {
    "name": (SOURCE_TYPES, str),
    "type": (SOURCE_TYPES, str),
    "url": (SOURCE_TYPES, str),
    "allow": (SOURCE_TYPES, (str, list)),
    "deny": (SOURCE_TYPES, (str, list)),
    "max_pages": (SOURCE_TYPES, int),
    "max_depth": (("site",), int),
    "max_items": (SOURCE_TYPES, int),
    "kind": (SOURCE_TYPES, str),
    "queries": (SOURCE_TYPES, list),
    "canonical_domains": (SOURCE_TYPES, list),
}
PAGE_KINDS: tuple[str, ...] = ("article", "product", "post")
# Inclusive bounds of the numeric keys (the config loader checks them too, naming file and line).
LIMITS: dict[str, tuple[int, int]] = {"max_pages": (1, 10_000_000), "max_items": (1, 10_000_000), "max_depth": (0, 100)}
DEFAULTS: dict[str, dict[str, Any]] = {
    "sitemap": {"max_pages": 1000},
    "feed": {"max_pages": 200},
    "site": {"max_pages": 200, "max_depth": 2},
    "listing": {"max_pages": 5, "max_items": 500},
    "mastodon": {"max_pages": 1},
    "bluesky": {"max_pages": 1},
    "reddit": {"max_pages": 1},
}


class SourceError(ValueError):
    """A source spec that cannot be crawled; the message names the key path."""


def _patterns(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def normalize_sources(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validated copies of ``sources`` with defaults filled in; raises ``SourceError``."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, spec in enumerate(sources):
        where = f"sources[{i}]"
        if not isinstance(spec, dict):
            raise SourceError(f"{where}: expected a table/dict, got {type(spec).__name__}")
        for key in ("name", "type", "url"):
            if not spec.get(key):
                raise SourceError(f"{where}.{key}: required")
        kind = spec["type"]
        if kind not in SOURCE_TYPES:
            raise SourceError(f"{where}.type: expected one of {', '.join(SOURCE_TYPES)}, got {kind!r}")
        if not re.match(r"^https?://", str(spec["url"])):
            raise SourceError(f"{where}.url: expected an http(s) URL, got {spec['url']!r}")
        spec = {k: v for k, v in spec.items() if v is not None}  # None means "the default"
        if spec["name"] in seen:
            raise SourceError(f"{where}.name: duplicate source name {spec['name']!r}")
        seen.add(spec["name"])
        for key, value in spec.items():
            if key in _KEYS:
                types, expected = _KEYS[key]
                if not isinstance(value, expected) or isinstance(value, bool):
                    raise SourceError(f"{where}.{key}: expected {getattr(expected, '__name__', expected)}, "
                                      f"got {value!r}")
        queries = spec.get("queries")
        if queries is not None and (not queries or not all(isinstance(q, str) and q.strip() for q in queries)):
            raise SourceError(f"{where}.queries: expected a non-empty list of non-empty strings")
        if ("{query}" in spec["url"]) != bool(queries):
            raise SourceError(f"{where}.queries: a search source needs both a url with {{query}} and queries")
        if spec.get("kind") is not None and spec["kind"] not in PAGE_KINDS:
            raise SourceError(f"{where}.kind: expected one of {', '.join(PAGE_KINDS)}, got {spec['kind']!r}")
        for key, (low, high) in LIMITS.items():
            if key in spec and not low <= spec[key] <= high:
                raise SourceError(f"{where}.{key}: expected {low} to {high}, got {spec[key]}")
        domains = spec.get("canonical_domains")
        if domains is not None and not all(isinstance(d, str) and d.strip() for d in domains):
            raise SourceError(f"{where}.canonical_domains: expected a list of domain names")
        norm = {**DEFAULTS[kind], **spec}
        for key in ("allow", "deny"):
            pats = _patterns(norm.get(key))
            for j, pat in enumerate(pats):
                try:
                    re.compile(pat)
                except re.error as exc:
                    raise SourceError(f"{where}.{key}[{j}]: not a regular expression ({exc})") from None
            norm[key] = pats
        out.append(norm)
    return out
