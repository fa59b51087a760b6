"""The demo end to end, twice: the second run stores nothing new and repeats no alert."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from mailkit import free_port

pytestmark = pytest.mark.slow



def _demo(data_dir: Path, port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "demo", "--data-dir", str(data_dir),
                           "--port", str(port)], capture_output=True, text=True, timeout=600)


def test_demo_runs_end_to_end_and_is_rerunnable(tmp_path: Path) -> None:
    port = free_port()
    first = _demo(tmp_path / "demo", port)
    assert first.returncode == 0, first.stderr[-2000:]
    out = first.stdout
    assert "Traceback" not in first.stderr
    for section in ("Documents per source", "Top entities", "Search:", "Alerts", "Digest"):
        assert section in out
    stored = int(re.search(r"(\d+) new documents this run", out).group(1))  # type: ignore[union-attr]
    assert stored >= 50
    assert "FIRED" in out and "Helena Duarte" in out
    digest = Path(out.split("== Digest")[1].split()[0])
    assert digest.exists() and "<svg" in digest.read_text(encoding="utf-8")

    second = _demo(tmp_path / "demo", port)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "0 new documents this run" in second.stdout
    assert "FIRED" not in second.stdout and "already sent" in second.stdout
    in_store = re.search(r"; (\d+) in the store", second.stdout)
    assert in_store and int(in_store.group(1)) == stored
