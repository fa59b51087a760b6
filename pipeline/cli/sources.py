"""``newswatch sources``: the health of each source."""

from __future__ import annotations

import argparse
import sys

from pipeline.config import Config
from pipeline.health import source_health
from pipeline.ingest.jsonl import JsonlWriter
from pipeline.wiring import make_store


def sources(config: Config, args: argparse.Namespace) -> int:
    store = make_store(config)
    try:
        rows = source_health(store, config)
    finally:
        store.close()
    if args.json:
        out = JsonlWriter(sys.stdout)
        for row in rows:
            out.write(row)
        return 0
    print(f"{'source':<20} {'stored':>7} {'pages':>6} {'errors':>6}  last success")
    for r in rows:
        print(f"{r['source']:<20} {r['items_stored']:>7} {r['pages_fetched']:>6} {sum(r['errors'].values()):>6}  "
              f"{r['last_success'] or '-'}")
        for reason, n in sorted(r["errors"].items()):
            print(f"{'':<20}   quarantined {n} x {reason}")
        if r.get("gone_pages"):
            print(f"{'':<20}   gone {r['gone_pages']} page(s): answered 404/410, not fetched again for a while "
                  "(a repeated 404 backs off from a day, a 410 waits 30 days)")
    return 0
