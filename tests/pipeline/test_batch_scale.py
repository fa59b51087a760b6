"""Both batch commands stream: 10,000 lines answered in order, in bounded memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
LINES = 10_000
MAX_RSS_MB = 1500  # the models take ~400 MB; holding 10k answers as well would not stay near this


def _run(args: list[str]) -> tuple[int, int]:
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    count, expected = 0, 0
    assert proc.stdout is not None
    for line in proc.stdout:
        obj = json.loads(line)
        assert obj["id"] == f"d{expected}", f"answer {count} out of order"
        expected += 1
        count += 1
    # wait4 reports this child's own peak RSS; RUSAGE_CHILDREN would be the largest of every child
    # the test session has reaped so far.
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    return count, usage.ru_maxrss // 1024


def test_analyze_batch_10k_lines(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for i in range(LINES):
            f.write(json.dumps({"id": f"d{i}", "text": f"Veltrix Mobile opened store number {i} in Lyon."}) + "\n")
    count, rss_mb = _run(["analyze", "--batch", str(src)])
    assert count == LINES
    assert rss_mb < MAX_RSS_MB


def test_extract_batch_10k_lines(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    page = "<html><head><title>Store {i}</title></head><body><article><p>" + "Quiet harbour news. " * 40 + \
        "</p></article></body></html>"
    with src.open("w", encoding="utf-8") as f:
        for i in range(LINES):
            f.write(json.dumps({"id": f"d{i}", "html": page.replace("{i}", str(i))}) + "\n")
    count, rss_mb = _run(["extract", "--batch", str(src)])
    assert count == LINES
    assert rss_mb < MAX_RSS_MB
