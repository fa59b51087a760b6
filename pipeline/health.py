"""Per-source health as the store counts it, for ``newswatch sources`` and the web UI alike."""

from __future__ import annotations

from typing import Any

from pipeline.config import Config
from storage.base import Store


def source_health(store: Store, config: Config) -> list[dict[str, Any]]:
    """Per-source health as the store keeps it (counted while crawling, see ``storage.crawl_state``).

    ``items_stored`` is the number of documents the store holds for the source (whichever way
    they arrived); ``errors`` counts quarantined pages by class.
    """
    held = store.search("", facets=["source"], limit=1).facets.get("source", {})
    rows = store.crawl.source_health(sorted({s.name for s in config.sources} | set(held)))
    for row in rows:
        row["items_stored"] = int(held.get(row["source"], 0))
    return rows
