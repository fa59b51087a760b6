"""``newswatch run``: the long-running service (APScheduler 3 with a persistent job store).

Jobs: one crawl per source that has a ``schedule`` (``every 30m`` or cron), one digest per
recipient (cron at ``send_at`` in the recipient's time zone), and the outbox retry pass. Jobs live
in the service database (``[scheduler] db_url``: SQLite in ``data_dir`` by default, PostgreSQL
works the same), so a restart keeps each job's next run time: a run that fell due while the
service was down runs once on start (coalesced, within ``misfire_grace_s``), nothing is missed
and nothing runs twice.

Each crawl runs in its own subprocess (``python -m pipeline.cli crawl --source NAME``): Scrapy's
Twisted reactor cannot be restarted in one process, and a crashing crawl cannot take the service
down. A listener records every job's result (``newswatch jobs``) and files job errors in source
health (``store.quarantine(url, source, "job_error", ...)``, counted by ``newswatch sources``).
SIGTERM/SIGINT stop the scheduler cleanly: running crawl subprocesses are terminated, the job
store keeps the schedule.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from pipeline.alerts.channels import DIGEST_CHANNEL, make_senders
from pipeline.alerts.delivery import SERVICE_CHILD_ENV, start_worker
from pipeline.alerts.outbox import Outbox
from pipeline.config import Config, Recipient, SourceConfig
from pipeline.config.schedules import parse_schedule, parse_send_at, parse_timezone
from pipeline.digest.build import recipient_email
from pipeline.servicedb.schema import JOB_RUNS, make_engine, reading_engine, sqlalchemy_url
from pipeline.wiring import make_store

log = logging.getLogger("newswatch.scheduler")

JOBS_TABLE = "newswatch_jobs"
OUTBOX_JOB = "outbox"

CrawlRunner = Callable[[Config, SourceConfig], str]
DigestRunner = Callable[[Config, Recipient, str], str]


class JobFailed(RuntimeError):
    """A job ran and failed; the message is what ``newswatch jobs`` and source health show."""


class JobInterrupted(RuntimeError):
    """The service stopped while the job ran (SIGTERM): not the source's fault, not filed in its health."""


# The job functions stored in the job store must be importable by reference; they find the live
# service here (one per process).
_ACTIVE: Service | None = None


def run_job(job_id: str) -> str:
    """Entry point of every stored job: dispatch to the running service."""
    if _ACTIVE is None:  # pragma: no cover - only when a job store is opened outside ``newswatch run``
        raise JobFailed("no newswatch service is running in this process")
    return _ACTIVE.run_job(job_id)


# --------------------------------------------------------------------------- default runners


class _Children:
    """Crawl subprocesses in flight, so that shutdown can terminate them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.procs: set[subprocess.Popen[bytes]] = set()
        self.stopping = False

    def terminate_all(self, grace_s: float = 10.0) -> None:
        with self.lock:
            self.stopping = True
            procs = list(self.procs)
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(grace_s)
            except subprocess.TimeoutExpired:
                p.kill()


CHILDREN = _Children()


def crawl_argv(config: Config, source: SourceConfig) -> list[str]:
    argv = [sys.executable, "-m", "pipeline.cli", "crawl", "--source", source.name]
    if config.path is not None:
        argv[4:4] = ["--config", str(config.path)]
    return argv


def subprocess_crawl(config: Config, source: SourceConfig) -> str:
    """Crawl one source in a fresh Python process; its stdout summary is the job's result."""
    env = {**os.environ, SERVICE_CHILD_ENV: "1"}
    proc = subprocess.Popen(crawl_argv(config, source), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    with CHILDREN.lock:
        CHILDREN.procs.add(proc)
    try:
        out, err = proc.communicate(timeout=config.scheduler.crawl_timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise JobFailed(f"crawl of {source.name} exceeded {config.scheduler.crawl_timeout_s}s and was killed") from None
    finally:
        with CHILDREN.lock:
            CHILDREN.procs.discard(proc)
    if proc.returncode != 0 and CHILDREN.stopping:
        raise JobInterrupted(f"crawl of {source.name} stopped with the service (exit {proc.returncode})")
    if proc.returncode != 0:
        tail = " | ".join(err.decode("utf-8", "replace").strip().splitlines()[-3:])
        raise JobFailed(f"crawl of {source.name} exited with {proc.returncode}: {tail or 'no message'}")
    return " ".join(out.decode("utf-8", "replace").split())[:500]


def send_recipient_digest(config: Config, recipient: Recipient, day: str) -> str:
    """Queue the recipient's digest for ``day`` in the outbox and deliver it now (retried later if down)."""
    store = make_store(config)
    try:
        payload = recipient_email(config, store, recipient, day)
    finally:
        store.close()
    outbox = Outbox(config.scheduler.db_url)
    outbox.put(f"digest|{recipient.email}|{day}", DIGEST_CHANNEL, payload)
    sent, failed = outbox.deliver_due(make_senders(config))
    return f"digest {day} for {recipient.email}: queued ({sent} sent, {failed} waiting)"


# --------------------------------------------------------------------------- the service


@dataclass
class DesiredJob:
    id: str
    name: str
    trigger: Any


class Service:
    """The scheduler of one ``newswatch run`` process."""

    def __init__(self, config: Config, crawl_runner: CrawlRunner = subprocess_crawl,
                 digest_runner: DigestRunner = send_recipient_digest) -> None:
        self.config = config
        self.crawl_runner = crawl_runner
        self.digest_runner = digest_runner
        self.engine = make_engine(config.scheduler.db_url)
        self.stopped = threading.Event()
        self.scheduler: Any = None
        self.worker: Any = None

    # -- jobs wanted by the config

    def desired_jobs(self) -> list[DesiredJob]:
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        jobs = [DesiredJob(f"crawl:{s.name}", f"crawl {s.name} ({s.schedule})", parse_schedule(s.schedule))
                for s in self.config.sources if s.enabled and s.schedule]
        for r in self.config.digest.recipients:
            hour, minute = parse_send_at(r.send_at)
            jobs.append(DesiredJob(f"digest:{r.email}", f"digest to {r.email} at {r.send_at} {r.timezone}",
                                   CronTrigger(hour=hour, minute=minute, timezone=parse_timezone(r.timezone))))
        jobs.append(DesiredJob(OUTBOX_JOB, f"outbox retries every {self.config.scheduler.outbox_every_s}s",
                               IntervalTrigger(seconds=self.config.scheduler.outbox_every_s, timezone=UTC)))
        return jobs

    def make_scheduler(self) -> Any:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        cfg = self.config.scheduler
        return BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine, tablename=JOBS_TABLE)},
            executors={"default": ThreadPoolExecutor(max_workers=4)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": cfg.misfire_grace_s},
            timezone=UTC,
        )

    def sync_jobs(self) -> dict[str, str]:
        """Make the stored jobs match the config, keeping the next run time of unchanged jobs."""
        sched = self.scheduler
        actions: dict[str, str] = {}
        wanted = {j.id: j for j in self.desired_jobs()}
        for job in sched.get_jobs():
            if job.id not in wanted:
                job.remove()
                actions[job.id] = "removed"
        for jid, want in wanted.items():
            job = sched.get_job(jid)
            if job is None:
                # A source new to the schedule is crawled at once, then on its schedule.
                first = {"next_run_time": datetime.now(UTC)} if jid.startswith("crawl:") else {}
                sched.add_job(run_job, want.trigger, args=[jid], id=jid, name=want.name, **first)
                actions[jid] = "added"
            elif _trigger_key(job.trigger) != _trigger_key(want.trigger):
                sched.modify_job(jid, name=want.name)
                sched.reschedule_job(jid, trigger=want.trigger)
                actions[jid] = "rescheduled"
            else:
                actions[jid] = "kept"
        return actions

    # -- lifecycle

    def start(self) -> dict[str, str]:
        from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED

        global _ACTIVE
        _ACTIVE = self
        CHILDREN.stopping = False
        self.scheduler = self.make_scheduler()
        self.scheduler.add_listener(self._on_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
        self.scheduler.start(paused=True)
        actions = self.sync_jobs()
        # Delivers what crawl subprocesses left for the service (stdout channels) and retries.
        self.worker = start_worker(self.config, poll_s=1.0, in_service=True)
        self.scheduler.resume()
        return actions

    def stop(self) -> None:
        """Stop taking jobs, terminate running crawls, wait for job threads; the schedule stays stored."""
        global _ACTIVE
        self.stopped.set()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.pause()
            CHILDREN.terminate_all()
            self.scheduler.shutdown(wait=True)
        if self.worker is not None:
            self.worker.stop(flush=False)
            self.worker = None
        if _ACTIVE is self:
            _ACTIVE = None

    def serve_forever(self) -> None:
        """Run until SIGTERM or SIGINT (the main thread only waits)."""

        def on_signal(signum: int, _frame: Any) -> None:
            print(f"newswatch run: {signal.Signals(signum).name} received, stopping", file=sys.stderr)
            self.stopped.set()

        old = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.stopped.wait()
        finally:
            self.stop()
            for s, h in old.items():
                signal.signal(s, h)

    # -- running jobs

    def run_job(self, job_id: str) -> str:
        kind, _, name = job_id.partition(":")
        if kind == "crawl":
            source = next((s for s in self.config.sources if s.name == name), None)
            if source is None:
                raise JobFailed(f"source {name!r} is no longer configured")
            return self.crawl_runner(self.config, source)
        if kind == "digest":
            rcpt = next((r for r in self.config.digest.recipients if r.email == name), None)
            if rcpt is None:
                raise JobFailed(f"recipient {name!r} is no longer configured")
            tz = parse_timezone(rcpt.timezone)
            day = (datetime.now(tz) - timedelta(days=1)).strftime("%Y-%m-%d")
            return self.digest_runner(self.config, rcpt, day)
        if job_id == OUTBOX_JOB:
            return self._retry_outbox()
        raise JobFailed(f"unknown job {job_id!r}")

    def _retry_outbox(self) -> str:
        if self.worker is not None:
            sent, failed = self.worker.outbox.deliver_due(self.worker.senders)
        else:
            sent, failed = Outbox(self.config.scheduler.db_url).deliver_due(make_senders(self.config))
        return f"{sent} delivered, {failed} failed"

    def _on_event(self, event: Any) -> None:
        from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED

        if event.code == EVENT_JOB_ERROR and isinstance(event.exception, JobInterrupted):
            status, detail = "interrupted", str(event.exception)
        elif event.code == EVENT_JOB_ERROR:
            status, detail = "error", f"{type(event.exception).__name__}: {event.exception}"
        elif event.code == EVENT_JOB_MISSED:
            status, detail = "missed", f"run due at {event.scheduled_run_time} was missed"
        else:
            status, detail = "ok", str(event.retval or "")
        try:
            record_run(self.engine, event.job_id, status, detail)
            if status in ("error", "missed") and event.job_id.startswith("crawl:"):
                self._record_source_error(event.job_id.split(":", 1)[1], detail)
        except Exception as exc:  # noqa: BLE001 - a listener must never stop the scheduler
            log.warning("could not record result of %s: %s", event.job_id, exc)
        if status != "ok":
            print(f"newswatch run: job {event.job_id} {status}: {detail}", file=sys.stderr)

    def _record_source_error(self, source_name: str, detail: str) -> None:
        source = next((s for s in self.config.sources if s.name == source_name), None)
        store = make_store(self.config)
        try:
            store.quarantine(source.url if source else "", source_name, "job_error", detail[:2000])
        finally:
            store.close()


def _trigger_key(trigger: Any) -> tuple[str, str]:
    return str(trigger), str(getattr(trigger, "timezone", ""))


def record_run(engine: sa.engine.Engine, job_id: str, status: str, detail: str) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with engine.begin() as conn:
        row = conn.execute(sa.select(JOB_RUNS).where(JOB_RUNS.c.job_id == job_id)).mappings().first()
        values = {"last_run_at": now, "last_status": status, "last_detail": detail[:2000]}
        if row is None:
            conn.execute(JOB_RUNS.insert().values(job_id=job_id, runs=1, errors=int(status == "error"), **values))
        else:
            conn.execute(JOB_RUNS.update().where(JOB_RUNS.c.job_id == job_id).values(
                runs=row["runs"] + 1, errors=row["errors"] + int(status == "error"), **values))


def list_jobs(config: Config) -> list[dict[str, Any]]:
    """Stored jobs with their next run time and last result (for ``newswatch jobs``), read without
    writing: a service database this user may only read is listed too, and none yet means no jobs."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    engine = reading_engine(config.scheduler.db_url)
    if engine is None or not sa.inspect(engine).has_table(JOBS_TABLE):
        return []
    store = SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)
    store._logger = log  # normally set by the scheduler when it starts the store
    store.start(None, "default")  # type: ignore[arg-type]  # the table exists: nothing is created
    jobs = store.get_all_jobs()
    runs: dict[str, dict[str, Any]] = {}
    if sa.inspect(engine).has_table(JOB_RUNS.name):
        with engine.connect() as conn:
            runs = {r["job_id"]: dict(r) for r in conn.execute(sa.select(JOB_RUNS)).mappings()}
    out = []
    for job in jobs:
        run = runs.get(job.id, {})
        out.append({
            "id": job.id, "name": job.name, "trigger": str(job.trigger),
            "next_run": job.next_run_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if job.next_run_time else None,
            "last_run": run.get("last_run_at"), "last_status": run.get("last_status"),
            "last_detail": run.get("last_detail"), "runs": run.get("runs", 0), "errors": run.get("errors", 0),
        })
    return out


def describe_db(url: str) -> str:
    """The service DB URL without a password, for messages."""
    return sa.engine.make_url(sqlalchemy_url(url)).render_as_string(hide_password=True)
