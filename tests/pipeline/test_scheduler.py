"""The service scheduler with short intervals and a restart in the middle, on SQLite and PostgreSQL.

Crawls are replaced by a recording runner in the fast tests (the job store, triggers, listener and
restart logic are what is under test); one slow test runs ``newswatch run`` for real, with its
crawl subprocess against a local feed, and stops it with SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline.config import Config, ConfigError, Recipient, SchedulerConfig, SourceConfig, load_config
from pipeline.service.scheduler import JobFailed, Service, list_jobs

ROOT = Path(__file__).resolve().parents[2]


class Recorder:
    def __init__(self, fail: set[str] | None = None) -> None:
        self.calls: list[tuple[str, float]] = []
        self.fail = fail or set()

    def __call__(self, config: Config, source: SourceConfig) -> str:
        self.calls.append((source.name, time.monotonic()))
        if source.name in self.fail:
            raise JobFailed(f"crawl of {source.name} exited with 1: feed unreachable")
        return f"{source.name}: 1 new"

    def count(self, name: str) -> int:
        return sum(1 for n, _ in self.calls if n == name)


def make_config(tmp_path: Path, db_url: str, schedule: str = "every 1s") -> Config:
    return Config(data_dir=tmp_path / "data", scheduler=SchedulerConfig(db_url=db_url, outbox_every_s=3600),
                  sources=[SourceConfig(name="ledger", type="feed", url="https://news.example/rss", schedule=schedule),
                           SourceConfig(name="manual", type="feed", url="https://other.example/rss")],
                  digest=Config().digest)


def wait_for(pred, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def test_one_job_per_scheduled_source_and_results_listed(tmp_path, db_url) -> None:
    runner = Recorder()
    service = Service(make_config(tmp_path, db_url), crawl_runner=runner)
    actions = service.start()
    try:
        assert actions == {"crawl:ledger": "added", "outbox": "added"}  # 'manual' has no schedule
        assert wait_for(lambda: runner.count("ledger") >= 2)
    finally:
        service.stop()
    rows = {r["id"]: r for r in list_jobs(service.config)}
    assert rows["crawl:ledger"]["last_status"] == "ok" and rows["crawl:ledger"]["runs"] >= 2
    assert rows["crawl:ledger"]["last_detail"] == "ledger: 1 new" and rows["crawl:ledger"]["next_run"]


def move_next_run(config: Config, job_id: str, when: datetime) -> None:
    """Set a stored job's next run time as a service that was down since then would find it."""
    scheduler = Service(config, crawl_runner=Recorder()).make_scheduler()
    scheduler.start(paused=True)
    try:
        scheduler.modify_job(job_id, next_run_time=when)
        # Detached before shutdown: a stopping scheduler makes one last pass over its jobs.
        scheduler.remove_jobstore("default")
    finally:
        scheduler.shutdown(wait=False)


def test_restart_keeps_schedule_and_catches_up_once(tmp_path, db_url) -> None:
    # An hourly schedule: a run soon after the restart can only be the catch-up run, and a second
    # one would be an hour away, so the test needs no clock readings.
    config = make_config(tmp_path, db_url, schedule="every 1h")
    first = Recorder()
    service = Service(config, crawl_runner=first)
    service.start()
    assert wait_for(lambda: first.count("ledger") >= 1, 5)  # a new source is crawled at once
    service.stop()
    move_next_run(config, "crawl:ledger", datetime.now(UTC) - timedelta(hours=2, minutes=30))  # down across 3 due times
    second = Recorder()
    restarted = Service(config, crawl_runner=second)
    actions = restarted.start()
    try:
        assert actions["crawl:ledger"] == "kept"
        assert wait_for(lambda: second.count("ledger") >= 1, 10)  # the missed run happens at once
        time.sleep(1.0)
        assert second.count("ledger") == 1  # coalesced: three missed runs make one catch-up run
    finally:
        restarted.stop()
    next_run = {r["id"]: r["next_run"] for r in list_jobs(config)}["crawl:ledger"]
    assert next_run and datetime.fromisoformat(str(next_run)) > datetime.now(UTC)  # back on its hourly schedule


def test_changed_schedule_reschedules_and_removed_source_is_dropped(tmp_path, db_url) -> None:
    config = make_config(tmp_path, db_url, schedule="every 1h")
    service = Service(config, crawl_runner=Recorder())
    service.start()
    service.stop()
    config.sources[0].schedule = "*/5 * * * *"
    config.sources.append(SourceConfig(name="shop", type="listing", url="https://shop.example/", schedule="every 2h"))
    again = Service(config, crawl_runner=Recorder())
    actions = again.start()
    again.stop()
    assert actions["crawl:ledger"] == "rescheduled" and actions["crawl:shop"] == "added"
    config.sources = config.sources[2:]
    third = Service(config, crawl_runner=Recorder())
    actions = third.start()
    third.stop()
    assert actions["crawl:ledger"] == "removed"
    assert {r["id"] for r in list_jobs(config)} == {"crawl:shop", "outbox"}


def test_job_error_is_recorded_for_jobs_and_source_health(tmp_path, db_url) -> None:
    from pipeline.health import source_health
    from pipeline.wiring import make_store

    config = make_config(tmp_path, db_url)
    runner = Recorder(fail={"ledger"})
    service = Service(config, crawl_runner=runner)
    service.start()
    try:
        assert wait_for(lambda: runner.count("ledger") >= 1)
        assert wait_for(lambda: any(r["last_status"] == "error" for r in list_jobs(config)))
    finally:
        service.stop()
    row = next(r for r in list_jobs(config) if r["id"] == "crawl:ledger")
    assert row["errors"] >= 1 and "feed unreachable" in row["last_detail"]
    store = make_store(config)
    try:
        health = {r["source"]: r for r in source_health(store, config)}
    finally:
        store.close()
    assert health["ledger"]["errors"].get("job_error", 0) >= 1


def test_digest_job_per_recipient_in_their_timezone(tmp_path, db_url) -> None:
    config = make_config(tmp_path, db_url)
    config.digest.recipients = [Recipient(email="a@example.org", watchlists=[], timezone="Asia/Shanghai",
                                          send_at="07:30")]
    service = Service(config, crawl_runner=Recorder())
    service.start()
    try:
        job = service.scheduler.get_job("digest:a@example.org")
        assert str(job.next_run_time.tzinfo) == "Asia/Shanghai"
        assert (job.next_run_time.hour, job.next_run_time.minute) == (7, 30)
    finally:
        service.stop()


def test_bad_cron_and_timezone_are_config_errors_with_line(tmp_path) -> None:
    path = tmp_path / "nw.toml"
    path.write_text('[[sources]]\nname = "a"\ntype = "feed"\nurl = "https://x.example/f"\n'
                    'schedule = "61 * * * *"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"nw.toml:5: sources\[0\].schedule: cron expression"):
        load_config(path)
    path.write_text('[watchlists.w]\nentries = []\n[[digest.recipients]]\nemail = "a@example.org"\n'
                    'watchlists = ["w"]\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"nw.toml:6: digest.recipients\[0\].timezone: unknown time zone"):
        load_config(path)


# ---------------------------------------------------------------- the real service


FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Ledger</title><link>{base}/</link>
<item><title>Port reopens</title><link>{base}/a1.html</link><pubDate>Tue, 10 Mar 2026 09:00:00 GMT</pubDate>
<description>The harbour reopened on Tuesday after repairs.</description></item></channel></rss>"""
PAGE = ("<html><head><title>Port reopens</title></head><body><article><h1>Port reopens</h1>"
        "<p>The harbour reopened on Tuesday after three weeks of repairs to the northern quay, the port "
        "authority said. Ships waiting offshore began to unload cargo in the afternoon.</p></article></body></html>")


@pytest.mark.slow
def test_newswatch_run_crawls_in_subprocess_and_stops_on_sigterm(tmp_path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: SimpleHTTPRequestHandler(*a, directory=str(site)))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    (site / "rss.xml").write_text(FEED.format(base=base), encoding="utf-8")
    (site / "a1.html").write_text(PAGE, encoding="utf-8")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    cfg = tmp_path / "nw.toml"
    cfg.write_text(f'data_dir = "data"\n[[sources]]\nname = "ledger"\ntype = "feed"\nurl = "{base}/rss.xml"\n'
                   'schedule = "every 1h"\n', encoding="utf-8")  # a new source is crawled at once
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    argv = [sys.executable, "-m", "pipeline.cli", "run", "--config", str(cfg)]
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        config = load_config(cfg)
        # the crawl job's own result: the outbox job reports long before a crawl has loaded spaCy
        assert wait_for(lambda: any(r["id"] == "crawl:ledger" and r["last_status"] for r in _jobs(config)),
                        180), proc.stderr
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0 and b"stopped cleanly" in err
    row = next(r for r in _jobs(config) if r["id"] == "crawl:ledger")
    assert row["last_status"] == "ok" and "alerts fired" in row["last_detail"]  # the crawl summary
    out = subprocess.run([sys.executable, "-m", "pipeline.cli", "jobs", "--config", str(cfg)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "crawl:ledger" in out.stdout and "ok at" in out.stdout


def _jobs(config: Config) -> list[dict]:
    try:
        return list_jobs(config)
    except Exception:  # noqa: BLE001 - the service may not have created its tables yet
        return []
