"""Both batch commands stream: 10,000 lines answered in order, in bounded memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
LINES = 10_000
MAX_RSS_MB = 1500  # the models take ~400 MB; holding 10k answers as well would not stay near this


def _peak_rss_mb(pid: int) -> int:
    """The process's own peak RSS since its exec (VmHWM), 0 once it has exited.

    getrusage and wait4 can't tell it: Linux counts the parent's memory at fork in a child's
    ru_maxrss, and the test session holds the models of earlier tests.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


def _run(args: list[str]) -> tuple[int, int]:
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    count, expected, rss_mb = 0, 0, 0
    assert proc.stdout is not None
    for line in proc.stdout:
        obj = json.loads(line)
        assert obj["id"] == f"d{expected}", f"answer {count} out of order"
        expected += 1
        count += 1
        if count % 200 == 0:
            rss_mb = max(rss_mb, _peak_rss_mb(proc.pid))
    rss_mb = max(rss_mb, _peak_rss_mb(proc.pid))
    assert proc.wait(timeout=900) == 0
    return count, rss_mb


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
