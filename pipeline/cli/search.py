"""``newswatch search QUERY``: the query language of :mod:`storage.query` (docs/search.md); the flags are filters."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.errors import UsageError
from pipeline.ingest.jsonl import JsonlWriter
from pipeline.when import WhenError, parse_when
from pipeline.wiring import make_store
from storage.base import StoreError
from storage.query import QuerySyntaxError, parse


def sqlite_store_path(config: Config) -> Path | None:
    """The file of a SQLite store (None for PostgreSQL or an in-memory store)."""
    url = config.storage_url
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return None
    return Path(url[len("sqlite:///"):])


def _search_filters(args: argparse.Namespace) -> dict[str, Any]:
    """The filters of ``search``; an unreadable ``--since``/``--until`` is a usage error, not an empty result."""
    filters: dict[str, Any] = {}
    for key in ("source", "kind", "lang"):
        if getattr(args, key):
            filters[key] = getattr(args, key)
    for key in ("since", "until"):
        value = getattr(args, key)
        if value:
            try:
                moment = parse_when(value, f"--{key}")
            except WhenError as exc:
                raise UsageError(str(exc)) from None
            whole_day = value.strip().lower() in ("today", "yesterday") or len(value.strip()) == 10
            filters[key] = moment.date().isoformat() if whole_day else moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if args.entity:
        filters["entity_id"] = args.entity
    return filters


def search(config: Config, args: argparse.Namespace) -> int:
    filters = _search_filters(args)  # ANDed with the query, as if written in it
    if not 0 <= args.limit <= 10_000 or not 0 <= args.offset <= 1_000_000_000:
        raise UsageError(f"--limit must be 0 to 10000 and --offset 0 to 1000000000 (got {args.limit}, {args.offset})")
    try:
        parse(args.query)  # a bad query is a usage error before any store is opened
    except QuerySyntaxError as exc:
        raise UsageError(str(exc)) from None
    path = sqlite_store_path(config)
    if path is not None and not path.exists():
        # never create a store (and ./newswatch-data) just to find nothing in it
        where = f"config {config.path}" if config.path else "no config found: the built-in defaults"
        print(f"newswatch: no store at {path} ({where}); nothing has been crawled or ingested there yet. "
              "Run `newswatch crawl` or `newswatch ingest FILE` first, or pass --config", file=sys.stderr)
        return 1
    store = make_store(config)
    try:
        held = store.count()
        result = store.search(args.query, filters=filters, limit=args.limit, offset=args.offset, sort=args.sort,
                              collapse=args.collapse)
    except StoreError as exc:  # a query with no words, too many words, a bad filter: the caller's to fix
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    if held == 0:
        print(f"newswatch: the store at {path or config.storage_url} holds no documents yet; "
              "run `newswatch crawl` or `newswatch ingest FILE` first", file=sys.stderr)
    if args.json:
        out = JsonlWriter(sys.stdout)
        for hit in result.hits:
            out.write(hit.to_dict())
        return 0
    what = ("story" if result.total == 1 else "stories") if result.collapsed else \
        ("match" if result.total == 1 else "matches")
    print(f"{result.total} {what} for {args.query!r}")
    for i, hit in enumerate(result.hits, args.offset + 1):
        size = f" · story of {hit.story_size}" if hit.story_size and hit.story_size > 1 else ""
        print(f"{i:>3}. {hit.title or hit.url}  [{hit.source} · {hit.kind} · {hit.published_at or '-'}{size}]")
        print(f"     {hit.snippet}")
        print(f"     {hit.url}")
    return 0
