"""``newswatch bench scale``: how the set-up grows with processes (docs/deployment.md).

Analysis workers (this module's ``analysis_*`` functions): documents per second analysed and stored
by two ``newswatch worker`` processes, next to one (the baseline), on this machine, on the broker of
``[workers]`` (Redis at 127.0.0.1:6379, database 0, a queue of its own). Each round has a fresh store
and queue; the workers start first and are asked (Celery's ping) until they answer, so model loading
is not timed; then the documents (Reuters-21578 bodies, read from the shared data, never copied)
are ingested in this process and the clock runs until the last one is stored. Each worker process
runs one torch thread, so that two workers on two cores do not fight over them. The goal: 2 workers
>= 1.7x of 1 on two cores, where analysis dominates.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil

from pipeline.benches.common import Row, print_table
from pipeline.benches.nlp import reuters_texts, reuters_watchlist
from pipeline.benches.scale_crawl import crawl_rows
from pipeline.config import Config, load_config
from pipeline.correlator import make_event_stages
from pipeline.ingest.pending import PendingAnalysis
from pipeline.wiring import TwoStage, make_alert_engine, make_store
from pipeline.workers.app import make_app
from storage.models import Document

ANALYSIS_DOCS = 240
BROKER = os.environ.get("NEWSWATCH_BENCH_BROKER", "redis://127.0.0.1:6379/0")
ROUND_TIMEOUT_S = 3600


def analysis_config(folder: Path, entries: list[tuple[str, str, str]]) -> Path:
    """A config in ``folder``: SQLite store and service database, workers on the bench broker, a watchlist."""
    cfg = folder / "newswatch.toml"
    lines = ['data_dir = "data"', "[workers]", "enabled = true", f"broker_url = {json.dumps(BROKER)}",
             f'queue = "nw-bench-{uuid.uuid4().hex[:8]}"', "max_retries = 2"]
    for eid, name, kind in entries:
        lines += ["[[watchlists.bench.entries]]", f"id = {json.dumps(eid)}", f"name = {json.dumps(name)}",
                  f"type = {json.dumps(kind)}"]
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cfg


def _start_workers(cfg: Path, n: int, folder: Path) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false",
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    procs = []
    for i in range(n):
        log = (folder / f"worker-{i}.log").open("wb")
        procs.append(subprocess.Popen([sys.executable, "-m", "pipeline.cli", "worker", "--config", str(cfg),
                                       "--concurrency", "1", "--loglevel", "WARNING"],
                                      cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT))
    return procs


def _wait_ready(config: Config, procs: list[subprocess.Popen[bytes]]) -> None:
    """Until every worker answers a ping (its models are loaded: it loads them before consuming)."""
    app = make_app(config.workers)
    names = [f"newswatch-{p.pid}@{socket.gethostname()}" for p in procs]
    try:
        deadline = time.monotonic() + ROUND_TIMEOUT_S
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in procs):
                raise RuntimeError("a worker exited before it was ready (see worker-*.log)")
            replies = app.control.ping(destination=names, timeout=2.0) or []
            if len(replies) == len(names):
                return
        raise RuntimeError("the workers never answered")
    finally:
        app.close()


def _ingest(config: Config, texts: list[str]) -> None:
    store = make_store(config)
    try:
        engine = make_alert_engine(config, store, echo=False)
        correlator, stories = make_event_stages(config, store, [engine])
        two = TwoStage(config, store, [engine, *([correlator] if correlator else [])], stories=stories)
        docs = [Document(url=f"https://bench.example/news/{i}", text=t, title=None, source="bench",
                         canonical_url=f"https://bench.example/news/{i}") for i, t in enumerate(texts)]
        for i in range(0, len(docs), 32):
            two.stage.take(docs[i:i + 32])
        two.close()
        engine.close()
    finally:
        store.close()


def analysis_round(texts: list[str], entries: list[tuple[str, str, str]], workers: int) -> float:
    """Documents per second analysed and stored by ``workers`` worker processes (a fresh store and queue)."""
    with tempfile.TemporaryDirectory(prefix="nw-bench-scale-") as tmp:
        folder = Path(tmp)
        cfg = analysis_config(folder, entries)
        config = load_config(cfg)
        procs = _start_workers(cfg, workers, folder)
        try:
            _wait_ready(config, procs)
            pending = PendingAnalysis(config.scheduler.db_url)
            start = time.perf_counter()
            _ingest(config, texts)
            deadline = time.monotonic() + ROUND_TIMEOUT_S
            while pending.count() and time.monotonic() < deadline:
                if any(p.poll() is not None for p in procs):
                    raise RuntimeError("a worker died during the round")
                time.sleep(0.05)
            elapsed = time.perf_counter() - start
            if pending.count():
                raise RuntimeError("the workers did not finish")
            rss = [psutil.Process(p.pid).memory_info().rss / 2**20 for p in procs]
            print(f"  {workers} worker(s): {len(texts) / elapsed:.1f} documents/s; memory per worker "
                  f"{', '.join(f'{r:.0f}' for r in rss)} MB", file=sys.stderr)
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
    return len(texts) / elapsed


def _spin(units: int) -> None:
    for _ in range(units):
        sum(i * i for i in range(200_000))


def cpu_rate(processes: int, units: int = 40) -> float:
    """Units of a CPU-bound loop per second done by ``processes`` processes at once."""
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_spin, args=(units,)) for _ in range(processes)]
    start = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return processes * units / (time.perf_counter() - start)


def analysis_rows(docs: int | None) -> list[Row]:
    """Two workers next to one; beside it, what two bare CPU-bound processes get next to one on this machine
    right now (a machine shared with other work cannot give the workers more than that)."""
    n = docs or ANALYSIS_DOCS
    texts = list(reuters_texts(n))
    entries = [(e.id, e.name, e.type) for e in reuters_watchlist(30)]
    print(f"bench scale: analysis workers, {len(texts)} documents per round, broker {BROKER}", file=sys.stderr)
    cpu_one, cpu_two = cpu_rate(1), cpu_rate(2)
    one = analysis_round(texts, entries, 1)
    two = analysis_round(texts, entries, 2)
    return [Row("documents/s analysed by 2 workers (baseline: 1 worker)", two, one, "docs/s"),
            Row("CPU-bound loop, 2 processes (baseline: 1): the parallelism available", cpu_two, cpu_one, "units/s")]


def run(docs: int | None, as_json: bool) -> int:
    rows = [*analysis_rows(docs), *crawl_rows(None)]  # --docs sizes the analysis rounds; the crawl site is fixed
    print_table("newswatch bench scale", rows, "1 worker", as_json)
    return 0
