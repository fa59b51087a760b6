"""The analysis task and ``run_worker``: a Celery worker consuming the queue of ``[workers]``.

The settings that make delivery safe (late acks, prefetch of one, retried connections) are those
of :func:`pipeline.workers.app.make_app`; the task is idempotent (:mod:`pipeline.workers.analysis`).
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

from celery import Celery
from celery.signals import worker_process_init

from pipeline.config.model import WorkersConfig
from pipeline.workers.analysis import WorkerAnalysis
from pipeline.workers.app import TASK, backoff_s, make_app

log = logging.getLogger(__name__)


def register_task(app: Celery, workers: WorkersConfig, analysis: WorkerAnalysis) -> Any:
    """The analysis task, bound to this process's :class:`WorkerAnalysis` (no global state)."""

    @app.task(name=TASK, bind=True, max_retries=None, acks_late=True)
    def analyse(self: Any, key: str) -> str:
        try:
            return analysis.analyse(key)
        except Exception as exc:  # noqa: BLE001 - retried with backoff, then dead-lettered
            analysis.reset()  # a dropped connection: the next attempt opens fresh ones
            retries = int(self.request.retries)
            error = f"{type(exc).__name__}: {exc}"
            if retries >= workers.max_retries:
                try:
                    analysis.bury(key, error, retries + 1)
                    log.error("analysis of %s failed %d time(s), moved to the dead letters: %s", key, retries + 1,
                              error)
                    return "dead"
                except Exception:  # noqa: BLE001 - cannot even note it (database down): keep retrying
                    log.exception("could not move %s to the dead letters; retrying", key)
                    raise self.retry(exc=exc, countdown=workers.retry_backoff_max_s) from None
            log.warning("analysis of %s failed (%s); retry %d of %d", key, error, retries + 1, workers.max_retries)
            raise self.retry(exc=exc, countdown=backoff_s(workers, retries)) from None

    return analyse


def worker_name() -> str:
    return f"newswatch-{os.getpid()}@{socket.gethostname()}"


def run_worker(workers: WorkersConfig, analysis: WorkerAnalysis, concurrency: int | None = None,
               loglevel: str = "INFO") -> None:
    """Consume the analysis queue until SIGTERM/SIGINT (Celery's warm shutdown: the running task finishes).

    One process (``concurrency`` 1) loads the models before it takes a task; with more, each pool
    process loads its own as it starts (the parent never does: torch does not survive a fork well).
    """
    n = concurrency or workers.concurrency
    app = make_app(workers)
    register_task(app, workers, analysis)
    if n == 1:
        analysis.load()
        pool = "solo"
    else:
        pool = "prefork"

        def _load(**_: Any) -> None:
            analysis.load()

        worker_process_init.connect(_load, weak=False)
    argv = ["worker", f"--pool={pool}", f"--concurrency={n}", f"--queues={workers.queue}", f"--loglevel={loglevel}",
            "--without-gossip", "--without-mingle", "--without-heartbeat", f"--hostname={worker_name()}"]
    try:
        app.worker_main(argv=argv)
    finally:
        analysis.close()
