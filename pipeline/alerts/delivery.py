"""Wiring of alert delivery: the engine's alerts go to the outbox, a worker thread delivers them.

Kept apart from :mod:`pipeline.alerts.rules` (rules) and :mod:`pipeline.alerts.channels` (how each channel
talks) so that every command that ingests (crawl, ingest, the API, ``newswatch run``) attaches
delivery the same way.
"""

from __future__ import annotations

from pipeline.alerts.channels import make_senders
from pipeline.alerts.outbox import Outbox, OutboxWorker
from pipeline.alerts.rules import AlertEngine, outbox_notifier
from pipeline.config import Config


def recipients_by_watchlist(config: Config) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in config.digest.recipients:
        for wl in r.watchlists:
            out.setdefault(wl, []).append(r.email)
    return out


SERVICE_CHILD_ENV = "NEWSWATCH_SERVICE_CHILD"  # set by the service on its crawl subprocesses


def stdout_mode(in_service: bool = False) -> str:
    """How this process treats ``stdout`` channels: only the service prints them (see
    :data:`pipeline.alerts.channels.STDOUT_MODES`)."""
    return "stdout" if in_service else "defer"


def start_worker(config: Config, poll_s: float = 1.0, in_service: bool = False) -> OutboxWorker:
    outbox = Outbox(config.scheduler.db_url)
    mode = stdout_mode(in_service)
    if mode == "defer":
        outbox.deferred = {c.name for c in config.channels if c.type == "stdout"}
    return OutboxWorker(outbox, make_senders(config, mode), poll_s=poll_s).start()


def attach_outbox(engine: AlertEngine, config: Config, flush_on_close: bool = True) -> OutboxWorker:
    """Queue the engine's alerts in the outbox and deliver them in the background until ``engine.close()``."""
    worker = start_worker(config)
    engine.notifiers.append(outbox_notifier(worker.outbox, engine.rules, recipients_by_watchlist(config),
                                            wake=worker.wake))
    engine.on_close(lambda: worker.stop(flush=flush_on_close))
    return worker
