"""``newswatch worker`` with the real models: the mention alert fires in the ingest, the event alert in the worker.

The ingest (in this process, ``[workers] enabled``) answers every line and delivers the mention alert
before any worker runs; a real ``newswatch worker`` (a subprocess, the config's Redis) then analyses
and stores both documents and fires the rule that needs the analysis (an ``event`` rule), once; the
mention alert is not repeated. Texts and names are invented.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import configkit
import pytest
from workerkit import REDIS_URL, REPO, Hook, need_broker, wait_for

from pipeline.cli.main import main
from pipeline.config import load_config
from pipeline.ingest.pending import PendingAnalysis
from pipeline.servicedb.schema import dispose_all
from storage.open import open_store

pytestmark = pytest.mark.slow

DOCS = [
    {"url": "https://ledger.example/reis-in-lisbon", "title": "Ana Reis abroad",
     "text": "Trade Minister Ana Reis visited Lisbon on Tuesday for talks with port officials. "
             "She returned home on Friday."},
    {"url": "https://ledger.example/market-day", "title": "Market day",
     "text": "The harbour market opened early on Saturday and stalls sold out of bread by noon."},
]


@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook()
    yield h
    h.close()


def test_real_worker_analyses_what_ingest_queued(tmp_path: Path, hook: Hook) -> None:
    need_broker(REDIS_URL)
    cfg = configkit.write_config(
        tmp_path, f'[workers]\nenabled = true\nbroker_url = "{REDIS_URL}"\nqueue = "nw-test-{uuid.uuid4().hex[:10]}"\n',
        *configkit.mention_and_visit_alerts(hook.url))
    data = tmp_path / "docs.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in DOCS), encoding="utf-8")
    assert main(["ingest", str(data), "--config", str(cfg)]) == 0
    assert hook.rules() == ["ana-news"]  # the fast path: out before any worker ran
    config = load_config(cfg)
    assert PendingAnalysis(config.scheduler.db_url).count() == 2

    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "worker", "--config", str(cfg)], cwd=tmp_path,
                              env={**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        wait_for("both documents analysed and the event alert delivered",
                 lambda: PendingAnalysis(config.scheduler.db_url).count() == 0 and "ana-visits" in hook.rules())
    finally:
        worker.terminate()
        code = worker.wait(timeout=120)
        log.close()
        dispose_all()
    assert code == 0, (tmp_path / "worker.log").read_text()[-3000:]
    assert hook.rules() == ["ana-news", "ana-visits"]  # each once
    store = open_store(config.storage_url)
    try:
        docs = {d.url: d for d in store.iter_since()}
    finally:
        store.close()
    visit = docs[DOCS[0]["url"]]
    assert visit.version == 1 and visit.provenance.models
    assert any(e.entity_id == "ana-reis" for e in visit.annotations.entities)
    assert any(ev.get("type") == "official_visit" for ev in visit.annotations.events)
    assert docs[DOCS[1]["url"]].version == 1
