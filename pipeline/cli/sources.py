"""``newswatch sources``: the health of each source."""

from __future__ import annotations

import argparse
import sys

from pipeline.config import Config
from pipeline.health import source_health
from pipeline.ingest.jsonl import JsonlWriter
from pipeline.wiring import make_store
from pipeline.workers.dead_letter import dead_by_source


def sources(config: Config, args: argparse.Namespace) -> int:
    store = make_store(config)
    try:
        rows = source_health(store, config)
    finally:
        store.close()
    dead = dead_by_source(config.scheduler.db_url)
    if args.json:
        out = JsonlWriter(sys.stdout)
        for row in rows:  # analysis_dead: documents whose analysis failed every retry (workers' dead letters)
            out.write({**row, "analysis_dead": dead.get(row["source"], (0, ""))[0]})
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
        if r["source"] in dead:
            n, error = dead[r["source"]]
            print(f"{'':<20}   analysis failed for {n} document(s) (dead letters, see newswatch jobs): {error[:120]}")
    for source in sorted(set(dead) - {r["source"] for r in rows}):
        n, error = dead[source]
        print(f"{source:<20}   analysis failed for {n} document(s) (dead letters, see newswatch jobs): {error[:120]}")
    return 0
