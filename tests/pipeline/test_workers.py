"""Analysis workers (Celery) on the real brokers and databases: idempotent, redelivered, reconnecting, retried.

Each test runs ``newswatch ingest`` in this process (arrival and mention alerts here, one task per
fresh document) and real Celery workers in subprocesses (``worker_subprocess.py``: the recording
analyzer instead of the models). Nothing asserts how long anything took: a test waits for its
outcome (with a bound so that it never hangs) and then checks counts. Texts are invented.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from workerkit import AMQP_URL, REDIS_URL, Worker, done_lines, need, need_broker, started, wait_for, write_config

from pipeline.cli.main import main
from pipeline.config import load_config
from pipeline.ingest.pending import PendingAnalysis
from pipeline.servicedb.schema import dispose_all
from pipeline.wiring import worker_analysis
from pipeline.workers.dead_letter import DeadLetters
from storage.models import Annotations, Document
from storage.open import open_store

pytestmark = pytest.mark.slow

BROKERS = [pytest.param(REDIS_URL, id="redis"), pytest.param(AMQP_URL, id="rabbitmq")]


def doc_line(word: str, n: int = 0) -> str:
    return json.dumps({"url": f"https://wharf.example/{word.lower()}-{n}", "source": "wharf",
                       "text": f"{word} Ana Reis opened the new ferry terminal at the wharf, item {n}."}) + "\n"


def ingest(tmp_path: Path, cfg: Path, *lines: str) -> list[dict[str, object]]:
    data = tmp_path / f"in-{uuid.uuid4().hex[:6]}.jsonl"
    data.write_text("".join(lines), encoding="utf-8")
    assert main(["ingest", str(data), "--config", str(cfg)]) == 0
    return []


def stored(cfg: Path) -> dict[str, Document]:
    config = load_config(cfg)
    store = open_store(config.storage_url)
    try:
        return {d.url: d for d in store.iter_since()}
    finally:
        store.close()


def pending_count(cfg: Path) -> int:
    return PendingAnalysis(load_config(cfg).scheduler.db_url).count()


def settled(cfg: Path, n: int) -> bool:
    """Every document analysed and stored, nothing waiting."""
    return len(stored(cfg)) == n and pending_count(cfg) == 0


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    started_workers: list[Worker] = []
    yield started_workers
    for w in started_workers:
        w.stop()
    dispose_all()


class Recording:
    """The in-process twin of the subprocess's recording analyzer (for the tests without a broker)."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def model_versions(self) -> dict[str, str]:
        return {"recording-analyzer": "1"}

    def analyze_document(self, text: str, **_: object) -> tuple[Annotations, str]:
        self.texts.append(text)
        return Annotations(tone=0.5), "en"


def test_a_task_run_twice_changes_nothing(tmp_path: Path) -> None:
    """The task body alone: a re-delivered task, and one whose document landed before its row went, do nothing."""
    cfg = write_config(tmp_path, REDIS_URL)
    config = load_config(cfg)
    analyzer = Recording()
    work = worker_analysis(config, lambda: analyzer)
    pending = PendingAnalysis(config.scheduler.db_url)
    doc = Document.from_dict({"url": "https://wharf.example/a", "text": "Ana Reis spoke at the quay.",
                              "source": "wharf", "canonical_url": "https://wharf.example/a"})
    pending.put_many([doc])
    key = f"{doc.id}|{doc.content_hash}"
    assert work.analyse(key) == "new"
    assert work.analyse(key) == "done-before"  # redelivered after its ack was lost
    pending.put_many([doc])  # killed after storing, before its row was deleted
    assert work.analyse(key) == "stored-before"
    work.close()
    assert len(analyzer.texts) == 1
    docs = stored(cfg)
    assert [d.version for d in docs.values()] == [1]
    assert docs["https://wharf.example/a"].provenance.models == {"recording-analyzer": "1"}
    assert pending.count() == 0


@pytest.mark.parametrize("broker", BROKERS)
def test_worker_killed_mid_task_its_document_is_analysed_once(tmp_path: Path, broker: str,
                                                              workers: list[Worker]) -> None:
    need_broker(broker)
    cfg = write_config(tmp_path, broker)
    logs = tmp_path / "logs"
    first = Worker(cfg, logs, block=True)
    workers.append(first)
    ingest(tmp_path, cfg, doc_line("BLOCK"))
    wait_for("the first worker takes the task", lambda: bool(started(logs)), first)
    first.kill()  # SIGKILL mid-task: never acknowledged
    assert done_lines(logs) == [] and stored(cfg) == {}
    second = Worker(cfg, logs)
    workers.append(second)
    wait_for("the task is redelivered and its document stored", lambda: settled(cfg, 1), second)
    assert done_lines(logs) == ["BLOCK"]  # analysed to the end once
    (doc,) = stored(cfg).values()
    assert doc.version == 1 and doc.provenance.models == {"recording-analyzer": "1"}
    assert DeadLetters(load_config(cfg).scheduler.db_url).count() == 0


def test_pool_process_killed_mid_task_its_document_is_analysed_once(tmp_path: Path, workers: list[Worker]) -> None:
    """``newswatch worker --concurrency 2``: a pool process SIGKILLed mid-task; the worker lives on, the task
    goes back to the queue (reject on worker lost) and another pool process analyses it."""
    import os
    import signal

    need_broker(REDIS_URL)
    cfg = write_config(tmp_path, REDIS_URL)
    logs = tmp_path / "logs"
    worker = Worker(cfg, logs, block=True, concurrency=2)
    workers.append(worker)
    ingest(tmp_path, cfg, doc_line("BLOCK"))
    wait_for("a pool process takes the task", lambda: bool(started(logs)), worker)
    child = int(started(logs)[0].name.split("-")[1])
    assert child != worker.proc.pid
    os.kill(child, signal.SIGKILL)
    wait_for("the task is analysed again and its document stored", lambda: settled(cfg, 1), worker)
    assert done_lines(logs) == ["BLOCK"]
    assert worker.proc.poll() is None
    (doc,) = stored(cfg).values()
    assert doc.version == 1


def test_worker_reconnects_after_its_redis_connections_are_killed(tmp_path: Path, workers: list[Worker]) -> None:
    import redis

    need_broker(REDIS_URL)
    cfg = write_config(tmp_path, REDIS_URL)
    logs = tmp_path / "logs"
    worker = Worker(cfg, logs)
    workers.append(worker)
    ingest(tmp_path, cfg, doc_line("ONE"))
    wait_for("the first document is stored", lambda: settled(cfg, 1), worker)
    client = redis.Redis.from_url(REDIS_URL)
    ports = worker.connections(6379)
    assert ports, "the worker holds connections to Redis"
    killed = 0
    for port in ports:  # only this worker's connections: other users of the server are left alone
        try:
            client.client_kill(f"127.0.0.1:{port}")
            killed += 1
        except redis.ResponseError:  # "No such client": the worker dropped it on seeing an earlier one killed
            pass
    assert killed
    ingest(tmp_path, cfg, doc_line("TWO"))
    wait_for("the second document is stored after the reconnect", lambda: settled(cfg, 2), worker)
    assert worker.proc.poll() is None  # the same worker, reconnected
    assert sorted(done_lines(logs)) == ["ONE", "TWO"]


def test_dropped_postgresql_connections_are_retried(tmp_path: Path, pg_dsn: str, workers: list[Worker]) -> None:
    psycopg = pytest.importorskip("psycopg")
    need_broker(REDIS_URL)
    need("PostgreSQL", lambda: psycopg.connect(pg_dsn, connect_timeout=5).close())
    schema = "nw_wk_" + uuid.uuid4().hex[:10]
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}_svc"')
    try:
        cfg = write_config(tmp_path, REDIS_URL, storage_url=f"{pg_dsn}?schema={schema}",
                           db_url=f"{pg_dsn}?options=-csearch_path%3D{schema}_svc", max_retries=5)
        logs = tmp_path / "logs"
        worker = Worker(cfg, logs)
        workers.append(worker)
        ingest(tmp_path, cfg, doc_line("ONE"))
        wait_for("the first document is stored", lambda: settled(cfg, 1), worker)
        ports = worker.connections(5432)
        assert ports, "the worker holds connections to PostgreSQL"
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            killed = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE client_port = ANY(%s)",
                                  (ports,)).fetchall()
        assert any(ok for (ok,) in killed)
        ingest(tmp_path, cfg, doc_line("TWO"), doc_line("THREE"))
        wait_for("every document is stored after the reconnect", lambda: settled(cfg, 3), worker)
        assert sorted(done_lines(logs)) == ["ONE", "THREE", "TWO"]
        assert {d.version for d in stored(cfg).values()} == {1}
        assert DeadLetters(load_config(cfg).scheduler.db_url).count() == 0
    finally:
        dispose_all()
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}_svc" CASCADE')


def test_a_failing_document_is_retried_then_dead_lettered_and_shown(tmp_path: Path, workers: list[Worker],
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    need_broker(REDIS_URL)
    cfg = write_config(tmp_path, REDIS_URL, max_retries=2)
    logs = tmp_path / "logs"
    worker = Worker(cfg, logs)
    workers.append(worker)
    ingest(tmp_path, cfg, doc_line("FAIL"), doc_line("FINE"))
    dead = DeadLetters(load_config(cfg).scheduler.db_url)
    wait_for("the failing document reaches the dead letters", lambda: dead.count() == 1 and pending_count(cfg) == 0,
             worker)
    assert len(started(logs)) == 1 + 3  # FINE once; FAIL on its first attempt and 2 retries
    (row,) = dead.rows()
    assert row.attempts == 3 and "this text always fails" in row.error and row.source == "wharf"
    assert list(stored(cfg)) == ["https://wharf.example/fine-0"]
    capsys.readouterr()
    assert main(["jobs", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "0 document(s) waiting, 1 dead-lettered" in out and "this text always fails" in out
    assert main(["sources", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "analysis failed for 1 document(s)" in out and "wharf" in out
    assert main(["sources", "--json", "--config", str(cfg)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["source"]: r["analysis_dead"] for r in rows}.get("wharf") == 1
    assert main(["worker", "--retry-dead", "--config", str(cfg)]) == 0  # queued again: it fails again
    assert "1 dead-lettered document(s) queued again" in capsys.readouterr().out
    wait_for("the revived document fails again", lambda: len(started(logs)) == 1 + 6 and dead.count() == 1, worker)
    assert dead.rows()[0].attempts == 3  # counted again from its revival


def test_a_lost_queue_is_resent_and_duplicates_are_analysed_once(tmp_path: Path, workers: list[Worker],
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The broker loses its queue (a Redis without persistence restarted): ``--resend`` queues the waiting
    documents again; sent twice over, each is still analysed and stored once."""
    import redis

    need_broker(REDIS_URL)
    cfg = write_config(tmp_path, REDIS_URL)
    ingest(tmp_path, cfg, doc_line("ONE"), doc_line("TWO"))
    queue = load_config(cfg).workers.queue
    client = redis.Redis.from_url(REDIS_URL)
    assert client.llen(queue) == 2
    client.delete(queue)  # the tasks are gone; their documents wait in the pending list
    capsys.readouterr()
    for _ in range(2):  # twice: every document has two tasks now
        assert main(["worker", "--resend", "--config", str(cfg)]) == 0
        assert "2 waiting document(s) queued again" in capsys.readouterr().out
    assert client.llen(queue) == 4
    logs = tmp_path / "logs"
    worker = Worker(cfg, logs)
    workers.append(worker)
    wait_for("both documents stored", lambda: settled(cfg, 2) and client.llen(queue) == 0, worker)
    assert sorted(done_lines(logs)) == ["ONE", "TWO"]
    assert {d.version for d in stored(cfg).values()} == {1}
