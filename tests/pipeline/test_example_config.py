"""The shipped ``newswatch.example.toml`` works as copied: it crawls the bundled demo site.

The example expects the site on 127.0.0.1:8765 (``python -m pipeline.demo.site_server``); the
test serves it on a free port and points a copy of the file there, with its own data folder.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.demo.site_server import EXAMPLE_PORT, SiteServer

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "newswatch.example.toml"


def test_example_config_sources_point_at_the_demo_site() -> None:
    config = load_config(EXAMPLE)
    assert config.sources
    assert all(s.url.startswith(f"http://127.0.0.1:{EXAMPLE_PORT}/") for s in config.sources)


@pytest.mark.slow
def test_example_config_crawls_the_demo_site_served_locally(tmp_path: Path) -> None:
    with SiteServer() as site:
        text = EXAMPLE.read_text(encoding="utf-8").replace(f"http://127.0.0.1:{EXAMPLE_PORT}", site.base_url)
        text = re.sub(r'(?m)^data_dir = .*$', f'data_dir = "{tmp_path / "data"}"', text, count=1)
        cfg = tmp_path / "newswatch.toml"
        cfg.write_text(text, encoding="utf-8")
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
        crawl = subprocess.run([sys.executable, "-m", "pipeline.cli", "crawl", "--config", str(cfg)], cwd=tmp_path,
                               env=env, capture_output=True, text=True, timeout=900)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    summary = {line.split(":", 1)[0]: line for line in crawl.stdout.splitlines() if " new, " in line}
    names = [s.name for s in load_config(cfg).sources if s.enabled]
    assert sorted(summary) == sorted(names), crawl.stdout
    for name in names:
        assert not summary[name].startswith(f"{name}: 0 new"), summary[name]
    sources = subprocess.run([sys.executable, "-m", "pipeline.cli", "sources", "--json", "--config", str(cfg)],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    health = {json.loads(line)["source"]: json.loads(line) for line in sources.stdout.splitlines()}
    assert all(health[n]["items_stored"] > 0 for n in names), health
