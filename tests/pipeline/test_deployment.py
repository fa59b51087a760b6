"""The deployment files (docs/deploy/): one process set in compose, systemd and a Procfile, and that set
started for real on this machine.

The compose file cannot run here (no Docker daemon, no image registry), so it is checked for the
same processes and config as the others (and by ``docker-compose config`` where that is installed).
The Procfile is started with honcho against the real PostgreSQL, Redis (the shared crawl frontier)
and RabbitMQ (the analysis broker): the scheduler, two crawler processes, two analysis workers and
the API, with the shipped config file; a local site is crawled and its pages must come out analysed
and searchable through the API. Under CI=true a missing service fails (tests/conftest.py).
Nothing here asserts how long anything took; waits are bounds that turn a hang into a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from mailkit import free_port

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "docs" / "deploy"
ROLES = {"scheduler": "newswatch run", "crawler": "newswatch crawl", "worker": "newswatch worker",
         "api": "newswatch serve"}
PAGES = 24
HOLD_S = 20  # below the crawlers' 30 s download timeout: a held answer that outlasts it is asked for again
BOUND_S = 1500  # model loading on a loaded two-core machine is slow; a hang still fails


def _procfile() -> dict[str, str]:
    lines = [ln for ln in (DEPLOY / "Procfile").read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    return dict(ln.split(": ", 1) for ln in lines)


def test_compose_systemd_and_procfile_run_the_same_processes_with_one_config() -> None:
    procs = _procfile()
    assert set(procs) == set(ROLES) and all(ROLES[r] in procs[r] for r in ROLES)
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "rabbitmq", *ROLES} <= set(services)
    for role, command in ROLES.items():
        assert command in " ".join(services[role]["command"])
        assert "./newswatch.toml:/etc/newswatch/newswatch.toml:ro" in services[role]["volumes"]
    assert services["crawler"]["deploy"]["replicas"] == 2 and services["worker"]["deploy"]["replicas"] == 2
    units = {p.name: p.read_text() for p in (DEPLOY / "systemd").glob("*.service")}
    assert set(units) == {"newswatch-scheduler.service", "newswatch-crawler@.service", "newswatch-worker@.service",
                          "newswatch-api.service"}
    for role, command in ROLES.items():
        unit = next(text for name, text in units.items() if role in name)
        assert re.search(rf"^ExecStart=\S*/newswatch {command.split()[1]}\b", unit, re.M)
        assert "EnvironmentFile=/etc/newswatch/newswatch.env" in unit
    env = dict(ln.split("=", 1) for ln in (DEPLOY / "newswatch.env.example").read_text().splitlines()
               if ln and not ln.startswith("#"))
    compose_env = set(services["scheduler"]["environment"])
    used = set(re.findall(r'"env:([A-Z_]+)"', (DEPLOY / "newswatch.toml").read_text()))
    assert used and used <= set(env) and used <= compose_env  # every address the config reads is given
    from pipeline.config import load_config

    os.environ.update({k: v for k, v in env.items() if k != "NEWSWATCH_CONFIG"})
    try:
        config = load_config(DEPLOY / "newswatch.toml")
    finally:
        for k in env:
            os.environ.pop(k, None)
    assert config.workers.enabled and config.crawl.redis_url.startswith("redis://")
    if shutil.which("docker-compose"):  # Debian's docker-compose validates offline; no daemon is needed
        check = subprocess.run(["docker-compose", "-f", str(DEPLOY / "compose.yaml"), "config", "-q"],
                               env={**os.environ, "POSTGRES_PASSWORD": "p", "RABBITMQ_PASSWORD": "r",
                                    "NEWSWATCH_API_TOKEN": "t" * 40}, capture_output=True, text=True, timeout=120)
        assert check.returncode == 0, check.stderr


# --------------------------------------------------------------------------- the set-up, started


def _page(i: int) -> bytes:
    return (f"<!doctype html><html lang='en'><head><title>Orrin Tools plant {i}</title></head><body><article>"
            f"<h1>Orrin Tools opens plant {i} in Tarvo</h1><p>Orrin Tools opened plant number {i} in the port town "
            f"of Tarvo on Monday, the company said. The plant {i} will make hand tools for the northern market "
            f"and employ {40 + i} people, according to the company.</p><p>Local officials welcomed the plant, "
            f"the {i}th of its kind in the region, and said the harbour would be widened.</p></article>"
            "</body></html>").encode()


class _Site:
    """A local news site: a sitemap of PAGES articles naming the watched company; counts every fetch.

    Articles are answered once both crawler processes are up (each fetches robots.txt once), or
    HOLD_S after the first was asked for (the shared per-host limit may keep the second from asking for
    robots.txt while the first holds both slots), so that neither finishes the crawl before the other
    joins it: a late one would start a fresh run.
    """

    def __init__(self) -> None:
        self.fetches: Counter[str] = Counter()
        self.both_up = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                site.fetches[self.path] += 1
                if site.fetches["/robots.txt"] >= 2:
                    site.both_up.set()
                if self.path == "/robots.txt":
                    body, ctype = b"User-agent: *\nAllow: /\n", "text/plain"
                elif self.path == "/sitemap.xml":
                    locs = "".join(f"<url><loc>{site.base}/news/{i}.html</loc></url>" for i in range(PAGES))
                    body = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                            f'sitemap/0.9">{locs}</urlset>').encode()
                    ctype = "application/xml"
                elif m := re.fullmatch(r"/news/(\d+)\.html", self.path):
                    if not site.both_up.wait(timeout=HOLD_S):
                        site.both_up.set()  # held long enough: the others are not held again
                    body, ctype = _page(int(m.group(1))), "text/html; charset=utf-8"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _reachable(host: str, port: int, what: str) -> None:
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        pytest.skip(f"{what} not reachable at {host}:{port}: {exc}")  # a failure under CI=true


def _config(tmp: Path, site: _Site, api_port: int, queue: str, crawl_name: str) -> Path:
    """The shipped config, as a user would adapt it: data_dir, the API on loopback, a queue and crawl
    name of this test's own, and the local site as the source, with a watchlist."""
    text = (DEPLOY / "newswatch.toml").read_text()
    text = text.split("# Your sources")[0]
    text = text.replace('data_dir = "/var/lib/newswatch"', f'data_dir = "{tmp / "data"}"')
    text = text.replace('host = "0.0.0.0"', 'host = "127.0.0.1"').replace("port = 8080", f"port = {api_port}")
    text = text.replace('queue = "newswatch-analysis"', f'queue = "{queue}"')
    text = text.replace('name = "newswatch"', f'name = "{crawl_name}"')
    # No schedule: the two crawler processes do the crawling (a scheduled crawl of `newswatch run` would
    # join theirs, or start a fresh run once theirs had ended, which makes "each page once" a race).
    text += (f'[[sources]]\nname = "tarvo-news"\ntype = "sitemap"\nurl = "{site.base}/sitemap.xml"\n'
             f'max_pages = {PAGES}\n\n'
             '[watchlists.test]\n[[watchlists.test.entries]]\nid = "orrin"\nname = "Orrin Tools"\ntype = "org"\n')
    tomllib.loads(text)
    path = tmp / "newswatch.toml"
    path.write_text(text)
    return path


@pytest.fixture
def services(pg_dsn: str) -> Iterator[dict[str, str]]:
    """Fresh PostgreSQL schemas (store, service database) and the broker and frontier addresses."""
    _reachable("127.0.0.1", 6379, "Redis")
    _reachable("127.0.0.1", 5672, "RabbitMQ")
    import psycopg

    store_schema, svc_schema = (f"nw_dep_{uuid.uuid4().hex[:10]}" for _ in range(2))
    try:
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{svc_schema}"')
    except psycopg.Error as e:
        pytest.skip(f"PostgreSQL not reachable at {pg_dsn}: {e}")
    yield {"NEWSWATCH_STORE_URL": f"{pg_dsn}?schema={store_schema}",
           "NEWSWATCH_SERVICE_DB_URL": f"{pg_dsn}?options=-csearch_path%3D{svc_schema}",
           "NEWSWATCH_BROKER": "amqp://guest:guest@127.0.0.1:5672//",
           "NEWSWATCH_CRAWL_REDIS": "redis://127.0.0.1:6379/7"}
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        for schema in (store_schema, svc_schema):
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310 - a local test server
        return json.loads(r.read())


def _wait(what: str, check: Any, honcho: subprocess.Popen[str], deadline: float) -> Any:
    while time.monotonic() < deadline:
        if honcho.poll() is not None:
            raise AssertionError(f"the set-up stopped while waiting for {what}")
        try:
            got = check()
        except Exception:  # noqa: BLE001 - not up yet: ask again
            got = None
        if got:
            return got
        time.sleep(2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
@pytest.mark.postgres
def test_the_procfile_starts_the_whole_set_up_and_pages_come_out_analysed_and_searchable(
        tmp_path: Path, services: dict[str, str]) -> None:
    site = _Site()
    api_port = free_port()
    queue = f"nw-deploy-{uuid.uuid4().hex[:8]}"
    cfg = _config(tmp_path, site, api_port, queue, f"deploy-{uuid.uuid4().hex[:8]}")
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, **services, "NEWSWATCH_CONFIG": str(cfg), "NEWSWATCH_CRAWL_PAUSE_S": "3600",
           "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO), "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}",
           "PYTHONUNBUFFERED": "1"}
    log = (tmp_path / "honcho.log").open("w+")
    honcho = subprocess.Popen([sys.executable, "-m", "honcho", "start", "-f", str(DEPLOY / "Procfile"), "-d",
                               str(REPO), "--no-colour", "-c", "crawler=2,worker=2"], cwd=REPO, env=env,
                              stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.monotonic() + BOUND_S
    try:
        api = f"http://127.0.0.1:{api_port}"
        found = _wait("every page analysed and searchable through the API",
                      lambda: (r := _get(f"{api}/api/search?q=Tarvo&entity=orrin&limit=50"))["total"] == PAGES and r,
                      honcho, deadline)
        assert {h["source"] for h in found["hits"]} == {"tarvo-news"}
        doc = _get(f"{api}/api/documents/{found['hits'][0]['id']}")
        assert any(e.get("entity_id") == "orrin" for e in doc["annotations"]["entities"])  # a worker analysed it
        from pipeline.ingest.pending import PendingAnalysis

        _wait("no document left waiting for a worker", lambda: PendingAnalysis(
            services["NEWSWATCH_SERVICE_DB_URL"]).count() == 0, honcho, deadline)
        text = _wait("both crawler processes to finish their crawl", lambda: (t := Path(log.name).read_text())
                     .count("alerts fired:") >= 2 and t, honcho, deadline)
        pages = [p for p in site.fetches if p.startswith("/news/")]
        assert len(pages) == PAGES and max(site.fetches[p] for p in pages) == 1  # one shared crawl, once each
        new = [int(n) for n in re.findall(r"crawler\.[12]\s+\| tarvo-news: (\d+) new", text)]
        assert len(new) == 2 and sum(new) == PAGES  # both processes took part in the one crawl
        for name in ("scheduler.1", "crawler.1", "crawler.2", "worker.1", "worker.2", "api.1"):
            assert re.search(rf"^\S* ?{re.escape(name)}\s+\| ", text, re.M), f"{name} never started:\n{text[-3000:]}"
        assert "Traceback" not in text, text[-5000:]
    finally:
        if honcho.poll() is None:
            os.killpg(honcho.pid, signal.SIGTERM)  # honcho passes it on: every process stops as under systemd
            try:
                honcho.wait(timeout=300)
            except subprocess.TimeoutExpired:
                os.killpg(honcho.pid, signal.SIGKILL)
                honcho.wait()
        site.close()
        _drop_queue(queue)
    assert honcho.returncode is not None


def _drop_queue(queue: str) -> None:
    """The test's queue goes with it (RabbitMQ keeps durable queues)."""
    from kombu import Connection

    try:
        with Connection("amqp://guest:guest@127.0.0.1:5672//", connect_timeout=5) as conn:
            conn.default_channel.queue_delete(queue)
    except Exception:  # noqa: BLE001, S110 - cleaning up only
        pass
