"""``newswatch worker``: an analysis worker (Celery) on the broker of ``[workers]``; see docs/deployment.md."""

from __future__ import annotations

import argparse
import sys

from kombu.utils.url import maybe_sanitize_url

from pipeline.config import Config
from pipeline.ingest.pending import PendingAnalysis
from pipeline.wiring import worker_analysis
from pipeline.workers.app import broker_owner
from pipeline.workers.dead_letter import DeadLetters
from pipeline.workers.dispatch import send_tasks
from pipeline.workers.runner import run_worker


def worker(config: Config, args: argparse.Namespace) -> int:
    if args.retry_dead:
        return retry_dead(config)
    if args.resend:
        return resend(config)
    workers = config.workers
    n = args.concurrency or workers.concurrency
    print(f"newswatch worker: broker {maybe_sanitize_url(workers.broker_url)}, queue {workers.queue}, "
          f"{n} process(es); store {maybe_sanitize_url(config.storage_url)}", file=sys.stderr)
    if not workers.enabled:
        print("newswatch worker: note: [workers] enabled = false in this config, so crawl and ingest analyse "
              "in their own process and send no tasks here", file=sys.stderr)
    run_worker(workers, worker_analysis(config), concurrency=n, loglevel=args.loglevel)
    return 0


def retry_dead(config: Config) -> int:
    """Put the dead letters back on the pending list and queue their tasks again (after fixing the cause)."""
    docs = DeadLetters(config.scheduler.db_url).revive()
    send_tasks(config.workers, PendingAnalysis(config.scheduler.db_url), docs)
    print(f"{len(docs)} dead-lettered document(s) queued again")
    return 0


def resend(config: Config) -> int:
    """Queue again every document whose task should wait in the broker (a broker that lost its queue: a Redis
    without persistence restarted). A document queued twice is stored and announced once."""
    pending = PendingAnalysis(config.scheduler.db_url)
    docs = pending.held_by(broker_owner(config.workers))
    send_tasks(config.workers, pending, docs)
    print(f"{len(docs)} waiting document(s) queued again")
    return 0
