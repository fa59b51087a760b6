"""``newswatch crawl`` against a hostile local site (issue 16): bombs and a full disk are said, not hidden.

Each test serves invented pages from a local server and runs the real command in a subprocess.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from live_site import LiveSite, article, sitemap

pytestmark = pytest.mark.slow

TEXT = ["The invented tram company ordered twelve new cars for the harbour line, its board said on Monday.",
        "Deliveries begin next spring; the old cars will be kept for the summer heritage service."]
FULL_DISK = """
import sys
import storage.sqlite_store as s

_init = s.SQLiteStore.__init__


def init(self, *args, **kwargs):  # the store's file may grow by a few pages only: SQLITE_FULL after that
    _init(self, *args, **kwargs)
    pages = self._db.execute("PRAGMA page_count").fetchone()[0]
    self._db.execute(f"PRAGMA max_page_count = {pages + 4}")


s.SQLiteStore.__init__ = init
from pipeline.cli import main

sys.exit(main(sys.argv[1:]))
"""


def newswatch(*args: str, cwd: Path, script: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    head = ["-c", script] if script else ["-m", "pipeline.cli"]
    return subprocess.run([sys.executable, *head, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def config(tmp_path: Path, url: str, kind: str = "sitemap") -> Path:
    cfg = tmp_path / "newswatch.toml"
    cfg.write_text(f'data_dir = "data"\n[[sources]]\nname = "trams"\ntype = "{kind}"\n'
                   f'url = "{url}"\n', encoding="utf-8")
    return cfg


def health(cfg: Path, tmp_path: Path) -> dict[str, object]:
    out = newswatch("sources", "--json", "--config", str(cfg), cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    return dict(json.loads(out.stdout.splitlines()[0]))


def test_gzip_bomb_sitemap_is_quarantined_and_the_crawl_says_so(tmp_path: Path) -> None:
    site = LiveSite()
    head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    # 64 MiB once expanded, over the 20 MB page cap; about 64 KB on the wire
    site.page("/sitemap.xml.gz", gzip.compress(head + b" " * (64 * 1024 * 1024), 9), "application/gzip")
    site.start()
    try:
        cfg = config(tmp_path, f"{site.base_url}/sitemap.xml.gz")
        crawled = newswatch("crawl", "--config", str(cfg), "--source", "trams", cwd=tmp_path)
        row = health(cfg, tmp_path)
    finally:
        site.stop()
    assert crawled.returncode == 1, crawled.stderr[-2000:]
    assert "trams: 0 new" in crawled.stdout and "too_large 1" in crawled.stdout
    assert "no document from source(s) trams" in crawled.stderr
    assert row["errors"] == {"too_large": 1}


def test_content_encoding_bomb_page_is_quarantined_too_large(tmp_path: Path) -> None:
    site = LiveSite()
    bomb = gzip.compress(b"<html><body>" + b"a" * (40 * 1024 * 1024), 9)
    site.routes["/bomb.html"] = lambda s, h: (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb)
    site.page("/ok.html", article("Tram order", TEXT))
    site.page("/sitemap.xml", sitemap(["/ok.html", "/bomb.html"]), "application/xml")
    site.start()
    try:
        cfg = config(tmp_path, f"{site.base_url}/sitemap.xml")
        crawled = newswatch("crawl", "--config", str(cfg), cwd=tmp_path)
        row = health(cfg, tmp_path)
    finally:
        site.stop()
    assert crawled.returncode == 0, crawled.stderr[-2000:]
    assert "trams: 1 new" in crawled.stdout and "too_large 1" in crawled.stdout
    assert row["errors"] == {"too_large": 1}


def test_crawl_into_a_full_disk_exits_non_zero_and_says_so(tmp_path: Path) -> None:
    site = LiveSite()
    paths = [f"/news/{i}.html" for i in range(12)]
    for i, path in enumerate(paths):
        site.page(path, article(f"Tram order, part {i}", [*TEXT, "x " * 2000 + str(i)]))
    site.page("/sitemap.xml", sitemap(paths), "application/xml")
    site.start()
    try:
        cfg = config(tmp_path, f"{site.base_url}/sitemap.xml")
        crawled = newswatch("crawl", "--config", str(cfg), cwd=tmp_path, script=FULL_DISK)
    finally:
        site.stop()
    assert crawled.returncode == 1, crawled.stderr[-3000:]
    assert "could not be stored" in crawled.stderr and "full" in crawled.stderr
