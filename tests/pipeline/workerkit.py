"""Helpers of the analysis-worker tests: real brokers and databases, a worker in a subprocess, waiting.

The worker subprocess (``worker_subprocess.py``) runs the real Celery worker of ``pipeline.workers``
with a small recording analyzer in place of the NLP models (the tests are about delivery, not
analysis; ``test_workers_real_models`` runs the real ones): every analysis it finishes is a line
in ``done.log``, so a test counts how often a document was analysed. Texts are invented.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import configkit
import psutil
import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
REDIS_URL = "redis://127.0.0.1:6379/5"
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"
WAIT_S = 300  # a bound so that a broken test fails instead of hanging; nothing asserts how long it took


def need(service: str, check: Callable[[], object]) -> None:
    """The real service, or a skip (a failure under CI=true: CI runs every service)."""
    try:
        check()
    except Exception as exc:  # noqa: BLE001 - whatever the client raises, the service is not there
        message = f"{service} not reachable: {type(exc).__name__}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def need_broker(url: str) -> None:
    if url.startswith("redis"):
        import redis

        need("Redis", lambda: redis.Redis.from_url(url, socket_timeout=5).ping())
    else:
        import kombu

        def connect() -> None:
            with kombu.Connection(url, connect_timeout=5) as conn:
                conn.ensure_connection(max_retries=1)

        need("RabbitMQ", connect)


def write_config(tmp_path: Path, broker: str, storage_url: str = "", db_url: str = "",
                 max_retries: int = 2) -> Path:
    """A config with workers on ``broker``, a queue of its own, and short retries."""
    cfg = tmp_path / "newswatch.toml"
    storage = f'[storage]\nurl = "{storage_url}"\n' if storage_url else ""
    scheduler = f'[scheduler]\ndb_url = "{db_url}"\n' if db_url else ""
    cfg.write_text(f"""data_dir = "data"
{storage}{scheduler}
[workers]
enabled = true
broker_url = "{broker}"
queue = "nw-test-{uuid.uuid4().hex[:10]}"
max_retries = {max_retries}
retry_backoff_s = 0.2
retry_backoff_max_s = 1
visibility_timeout_s = 2

{configkit.WATCH_ANA_REIS}
{configkit.alert("ana-news", channel=None)}""", encoding="utf-8")
    return cfg


class Worker:
    """``newswatch worker`` with the recording analyzer, in a subprocess of its own."""

    def __init__(self, cfg: Path, log_dir: Path, block: bool = False, concurrency: int = 1) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO), "NEWSWATCH_TEST_LOG": str(log_dir),
               "NEWSWATCH_TEST_BLOCK": "1" if block else "", "NEWSWATCH_TEST_CONCURRENCY": str(concurrency)}
        log_dir.mkdir(parents=True, exist_ok=True)
        self.out = (log_dir / f"worker-{uuid.uuid4().hex[:6]}.err").open("w")
        self.proc = subprocess.Popen([sys.executable, str(HERE / "worker_subprocess.py"), str(cfg)], cwd=cfg.parent,
                                     env=env, stdout=self.out, stderr=subprocess.STDOUT)

    def connections(self, port: int) -> list[int]:
        """Local ports of this worker's TCP connections to ``port`` on 127.0.0.1."""
        return [c.laddr.port for c in psutil.Process(self.proc.pid).net_connections(kind="tcp")
                if c.raddr and c.raddr.port == port and c.status == psutil.CONN_ESTABLISHED]

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=60)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.out.close()

    def log(self) -> str:
        self.out.flush()
        return Path(self.out.name).read_text(encoding="utf-8", errors="replace")[-4000:]


def wait_for(what: str, done: Callable[[], bool], *workers: Worker) -> None:
    """Poll ``done`` until it holds; fail (with the workers' logs) if it never does."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(0.2)
    logs = "\n".join(w.log() for w in workers)
    pytest.fail(f"never happened: {what}\n{logs}")


def done_lines(log_dir: Path) -> list[str]:
    path = log_dir / "done.log"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def started(log_dir: Path) -> list[Path]:
    return sorted(log_dir.glob("started-*"))


class Hook:
    """A local webhook receiver: the alerts delivered, in order of arrival."""

    def __init__(self) -> None:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        received: list[dict[str, object]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                received.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def rules(self) -> list[str]:
        return sorted(str(p["alert"]["rule"]) for p in self.received)  # type: ignore[index]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
