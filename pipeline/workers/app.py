"""The Celery application of the analysis workers: its settings, shared by the senders and the workers.

Delivery is at least once, and the task is idempotent (:mod:`pipeline.workers.analysis`), so
what matters is that no task is ever dropped:

- ``task_acks_late``: a task is acknowledged once its document is stored, not when it is taken; a
  worker killed mid-task leaves it unacknowledged and the broker gives it to another worker
  (RabbitMQ when the connection drops, Redis after ``visibility_timeout_s``);
  ``task_reject_on_worker_lost`` does the same when a pool process dies under a live worker.
- ``worker_prefetch_multiplier = 1``: a worker holds one task beyond the one it runs, so a slow
  worker does not sit on a queue others could drain, and a killed one takes few tasks with it.
- the broker connection is retried for ever, at start-up too: a broker restart or a dropped
  connection is waited out, the consumer reconnects and goes on.
- a failing task is retried ``max_retries`` times, ``retry_backoff_s`` doubled each time up to
  ``retry_backoff_max_s``; then its document moves to the dead letters (``newswatch jobs``).
  Results are not kept (``task_ignore_result``): the store is the result.

The task itself and the worker's start are in :mod:`pipeline.workers.runner` (they load the
analysis; a sender does not).
"""

from __future__ import annotations

from celery import Celery

from pipeline.config.model import WorkersConfig

TASK = "newswatch.analyse"


def broker_owner(workers: WorkersConfig) -> str:
    """The owner name of pending rows whose task waits in the broker (never taken as an orphan)."""
    return f"celery:{workers.queue}"


def backoff_s(workers: WorkersConfig, retries: int) -> float:
    """Seconds before retry ``retries + 1``: ``retry_backoff_s`` doubled per retry, capped."""
    return float(min(workers.retry_backoff_max_s, workers.retry_backoff_s * (2 ** retries)))


def make_app(workers: WorkersConfig) -> Celery:
    """A Celery app on the configured broker (sending tasks needs nothing more)."""
    app = Celery("newswatch", broker=workers.broker_url, set_as_current=False)
    app.conf.update(
        task_default_queue=workers.queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_cancel_long_running_tasks_on_connection_loss=True,  # Celery 6 default; the broker redelivers them
        broker_connection_retry=True,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        broker_transport_options={"visibility_timeout": workers.visibility_timeout_s},
        task_publish_retry=True,
        task_publish_retry_policy={"max_retries": 5, "interval_start": 0.2, "interval_step": 0.5,
                                   "interval_max": 3},
    )
    return app
