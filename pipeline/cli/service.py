"""``newswatch run`` (the long-running service) and ``newswatch jobs`` (what it has scheduled)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pipeline.config import Config
from pipeline.ingest.pending import PENDING
from pipeline.service.scheduler import Service, describe_db, list_jobs
from pipeline.servicedb.schema import OUTBOX, reading_engine
from pipeline.workers.dead_letter import DEAD, DEAD_ROWS, DeadLetter


def run(config: Config, args: argparse.Namespace) -> int:
    """``newswatch run``: start the service and block until SIGTERM/SIGINT."""
    service = Service(config)
    actions = service.start()
    print(f"newswatch run: job store {describe_db(config.scheduler.db_url)}", file=sys.stderr)
    for job in service.scheduler.get_jobs():
        print(f"  {job.id:<32} {actions.get(job.id, ''):<11} next {job.next_run_time}", file=sys.stderr)
    unscheduled = [s.name for s in config.sources if s.enabled and not s.schedule]
    if unscheduled:
        print(f"  not scheduled (no schedule in config): {', '.join(unscheduled)}", file=sys.stderr)
    service.serve_forever()
    print("newswatch run: stopped cleanly", file=sys.stderr)
    return 0


def jobs(config: Config, args: argparse.Namespace) -> int:
    """``newswatch jobs``: what is scheduled, when it runs next, how it went last time."""
    rows = list_jobs(config)
    if getattr(args, "json", False):
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    if not rows:
        print("no scheduled jobs yet: start the service with `newswatch run`")
    for r in rows:
        last = f"{r['last_status']} at {r['last_run']}" if r["last_status"] else "never ran"
        print(f"{r['id']:<32} next {r['next_run'] or 'paused':<21} last {last}  "
              f"({r['runs']} runs, {r['errors']} errors)")
        if r["last_detail"]:
            print(f"{'':<32} {r['last_detail'][:160]}")
    engine = reading_engine(config.scheduler.db_url)
    if engine is not None:
        counts = _read_rows(engine, OUTBOX, sa.select(OUTBOX.c.status, sa.func.count()).group_by(OUTBOX.c.status))
        if counts:
            print("outbox: " + ", ".join(f"{n} {s}" for s, n in sorted(counts)))
        print_analysis_queue(engine)
    return 0


def _read_rows(engine: Engine, table: sa.Table, query: sa.Select[Any]) -> list[tuple[Any, ...]]:
    """``query``'s rows, or none when ``table`` was never made (``jobs`` reads; it creates nothing)."""
    if not sa.inspect(engine).has_table(table.name):
        return []
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query).all()]


def print_analysis_queue(engine: Engine, shown: int = 5) -> None:
    """The analysis workers' side: documents waiting for a worker, and the dead letters with their errors."""
    waiting = _read_rows(engine, PENDING, sa.select(sa.func.count()).select_from(PENDING))
    n_waiting = int(waiting[0][0]) if waiting else 0
    dead = [DeadLetter(*r) for r in _read_rows(engine, DEAD, DEAD_ROWS)]
    if not n_waiting and not dead:
        return
    print(f"analysis: {n_waiting} document(s) waiting, {len(dead)} dead-lettered"
          + (" (after fixing the cause: newswatch worker --retry-dead)" if dead else ""))
    for row in dead[:shown]:
        print(f"  dead {row.source:<18} {row.attempts} attempt(s)  {row.url[:80]}\n"
              f"  {'':<23} {row.error[:160]}")
    if len(dead) > shown:
        print(f"  ... and {len(dead) - shown} more")
