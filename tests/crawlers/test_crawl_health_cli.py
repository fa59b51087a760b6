"""``newswatch crawl`` records source health in the store; ``newswatch sources --json`` prints it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO
from live_site import LiveSite, article, sitemap

pytestmark = pytest.mark.slow

TEXT = ["The invented ferry company added a night crossing on Fridays, the harbour office said on Monday.",
        "Tickets go on sale next week; bicycles travel free until the end of the summer season."]


def newswatch(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_sources_json_reports_stored_crawl_health(tmp_path: Path) -> None:
    site = LiveSite()
    for i in range(3):
        site.page(f"/news/{i}.html", article(f"Night ferry, part {i}", TEXT, date="2026-03-01T08:00:00Z"))
    site.page("/sitemap.xml", sitemap(["/news/0.html", "/news/1.html", "/news/2.html", "/news/gone.html"]),
              "application/xml")
    site.start()
    try:
        cfg = tmp_path / "newswatch.toml"
        cfg.write_text(f'data_dir = "data"\n[[sources]]\nname = "ferries"\ntype = "sitemap"\n'
                       f'url = "{site.base_url}/sitemap.xml"\n', encoding="utf-8")
        crawled = newswatch("crawl", "--config", str(cfg), cwd=tmp_path)
        assert crawled.returncode == 0, crawled.stderr[-2000:]
        out = newswatch("sources", "--json", "--config", str(cfg), cwd=tmp_path)
        assert out.returncode == 0, out.stderr[-2000:]
    finally:
        site.stop()
    [row] = [json.loads(line) for line in out.stdout.splitlines()]
    jsonschema.validate(row, json.loads((REPO / "pipeline/schemas/sources.schema.json").read_text()))
    assert row["source"] == "ferries" and row["items_stored"] == 3
    assert row["errors"] == {"http_4xx": 1}  # the missing page
    assert row["pages_fetched"] == 5 and row["empty_body_rate"] == 0.0  # sitemap, 3 articles, the 404
    assert row["last_success"] and row["median_delay_s"] > 0
