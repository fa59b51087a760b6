"""A SIGKILL between the two ingest stages loses nothing: the next run analyses what arrived.

``newswatch ingest`` runs in a subprocess that kills itself (SIGKILL) the moment its analysis
stage is handed the first batch and both documents have arrived (noted as pending): the mention
alert is out, but no document is stored. A second run (of an empty file: nothing is fetched or read again) finds the
arrived documents noted, analyses and stores them, and fires the alert that needs the analysis
(an ``event`` rule) once; the mention alert is not repeated. Texts and names are invented.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import configkit
import pytest
from webhook_kit import Webhook

REPO = Path(__file__).resolve().parents[2]

KILLER = """
import os, signal, sys, time
from pipeline.ingest.analysis_process import ProcessAnalyzer
from pipeline.ingest.pending import PendingAnalysis

def die(self, items):
    # The analysis thread may be handed the first document before the second has arrived: wait
    # until both are noted as pending (the arrival stage runs on meanwhile), then die.
    pending = PendingAnalysis(os.environ["KILL_TEST_SERVICE_DB"])
    end = time.monotonic() + 120
    while pending.count() < 2 and time.monotonic() < end:
        time.sleep(0.05)
    os.kill(os.getpid(), signal.SIGKILL)

ProcessAnalyzer.annotate_many = die
from pipeline.cli.main import main

sys.exit(main(sys.argv[1:]))
"""

DOCS = [
    {"url": "https://ledger.example/reis-in-lisbon", "title": "Ana Reis abroad",
     "text": "Trade Minister Ana Reis visited Lisbon on Tuesday for talks with port officials. "
             "She returned home on Friday."},
    {"url": "https://ledger.example/market-day", "title": "Market day",
     "text": "The harbour market opened early on Saturday and stalls sold out of bread by noon."},
]


def write_config(tmp_path: Path, hook_url: str) -> Path:
    return configkit.write_config(tmp_path, *configkit.mention_and_visit_alerts(hook_url))


def run(cfg: Path, data: Path, kill: bool = False, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO),
           "KILL_TEST_SERVICE_DB": f"sqlite:///{cfg.parent / 'data' / 'service.db'}"}
    head = ["-c", KILLER] if kill else ["-m", "pipeline.cli"]
    return subprocess.run([sys.executable, *head, "ingest", str(data), "--config", str(cfg), *extra],
                          cwd=cfg.parent, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_sigkill_between_arrival_and_analysis_resumes_the_analysis(tmp_path: Path, webhook: Webhook) -> None:
    cfg = write_config(tmp_path, webhook.url)
    data = tmp_path / "docs.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in DOCS), encoding="utf-8")
    killed = run(cfg, data, kill=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    statuses = [json.loads(line)["status"] for line in killed.stdout.splitlines()]
    assert statuses and set(statuses) == {"new"}  # a line not yet written out when the kill came is not lost work
    assert "ana-visits" not in webhook.rules_once()  # the analysis never ran

    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    again = run(cfg, empty)
    assert again.returncode == 0, again.stderr[-3000:]
    assert webhook.rules_once() == ["ana-news", "ana-visits"], again.stderr[-2000:]

    # both documents are stored, once, and found by search
    third = run(cfg, data)
    assert third.returncode == 0, third.stderr[-3000:]
    assert [json.loads(line)["status"] for line in third.stdout.splitlines()] == ["unchanged", "unchanged"]
    search = subprocess.run([sys.executable, "-m", "pipeline.cli", "search", "Lisbon", "--json", "--config", str(cfg)],
                            cwd=cfg.parent, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                            text=True, timeout=120)
    assert [json.loads(line)["url"] for line in search.stdout.splitlines()] == [DOCS[0]["url"]], search.stderr
    assert webhook.rules_once() == ["ana-news", "ana-visits"]
