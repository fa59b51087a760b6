"""Run one crawl in a fresh process (Twisted's reactor cannot restart) and write its items as JSON lines.

Usage: python crawl_subprocess.py SOURCES.json SETTINGS.json ITEMS.jsonl STATS.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    from crawlers.runner import run_crawl

    sources = json.loads(Path(sys.argv[1]).read_text())
    settings = json.loads(Path(sys.argv[2]).read_text())
    with open(sys.argv[3], "w", encoding="utf-8") as out:

        def on_item(item: object) -> None:
            record = {"item_type": type(item).__name__, **item.to_dict()}  # type: ignore[attr-defined]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()

        stats = run_crawl(sources, on_item, settings=settings, progress=False)
    Path(sys.argv[4]).write_text(json.dumps(stats.to_dict()))


if __name__ == "__main__":
    main()
