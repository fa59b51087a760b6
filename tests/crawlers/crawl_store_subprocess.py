"""Run one incremental crawl into a SQLite store, in a fresh process (so a test can kill -9 it).

Usage: python crawl_store_subprocess.py SOURCES.json SETTINGS.json STORE.db
Documents are upserted and quarantined pages recorded as they arrive, as ``newswatch crawl`` does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    from crawlers.items import Quarantined
    from crawlers.runner import run_crawl
    from storage.sqlite_store import SQLiteStore

    sources = json.loads(Path(sys.argv[1]).read_text())
    settings = json.loads(Path(sys.argv[2]).read_text())
    store = SQLiteStore(sys.argv[3])

    def on_item(item: object) -> None:
        if isinstance(item, Quarantined):
            store.quarantine(item.url, item.source, item.reason, item.detail)
            return
        result = store.upsert(item)  # type: ignore[arg-type]
        if result.status != "unchanged":
            store.crawl.source_event(item.source, items_stored=1)

    stats = run_crawl(sources, on_item, settings=settings, progress=False, state=store.crawl)
    print(json.dumps(stats.to_dict()))
    store.close()


if __name__ == "__main__":
    main()
