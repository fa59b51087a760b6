"""Incremental and resumable crawling: state lives in the store, committed page by page."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FAST_SETTINGS, HERE, REPO
from live_site import LiveSite, article, sitemap

from storage.sqlite_store import SQLiteStore

pytestmark = pytest.mark.slow


def _cmd(sources: list[dict[str, Any]], workdir: Path, settings: dict[str, Any] | None = None) -> list[str]:
    (workdir / "sources.json").write_text(json.dumps(sources))
    (workdir / "settings.json").write_text(json.dumps({**FAST_SETTINGS, **(settings or {})}))
    return [sys.executable, str(HERE / "crawl_store_subprocess.py"), str(workdir / "sources.json"),
            str(workdir / "settings.json"), str(workdir / "store.db")]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}


def crawl(sources: list[dict[str, Any]], workdir: Path, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    proc = subprocess.run(_cmd(sources, workdir, settings), cwd=REPO, env=_env(), capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def paragraphs(i: int) -> list[str]:
    return [f"Story {i} of the invented harbour town: the ferry timetable changed for the {i}th time this "
            f"season, and the council met to discuss moorings, lanterns and the old pier number {i}.",
            f"Residents of quarter {i} said the new schedule suits early fishers but not the market traders, "
            "who asked for a later boat on Saturdays and a covered waiting room by the slipway."]


@pytest.fixture
def site() -> Iterator[LiveSite]:
    s = LiveSite()
    for i in range(8):
        s.page(f"/news/story-{i}.html", article(f"Harbour story number {i}", paragraphs(i)))
    s.page("/sitemap.xml", sitemap([f"/news/story-{i}.html" for i in range(8)]), "application/xml")
    s.start()
    yield s
    s.stop()


def test_second_crawl_fetches_only_changed_pages(site: LiveSite, tmp_path: Path) -> None:
    sources = [{"name": "gazette", "type": "sitemap", "url": f"{site.base_url}/sitemap.xml"}]
    crawl(sources, tmp_path)
    assert sorted(site.paths(200)) == sorted(["/sitemap.xml", *(f"/news/story-{i}.html" for i in range(8))])
    site.hits.clear()
    site.page("/news/story-3.html", article("Harbour story number 3, updated", paragraphs(33)))
    crawl(sources, tmp_path)
    assert sorted(site.paths(200)) == ["/news/story-3.html", "/sitemap.xml"]
    assert len(site.paths(304)) == 7
    assert all(h.conditional for h in site.hits if h.path.startswith("/news/"))
    with SQLiteStore(tmp_path / "store.db") as store:
        doc = store.get_by_url(f"{site.base_url}/news/story-3.html")
        assert doc is not None and doc.version == 2 and "updated" in (doc.title or "")
        [health] = store.crawl.source_health()
        assert health["items_stored"] == 9 and health["not_modified"] == 7 and health["pages_fetched"] == 18


def test_same_bytes_without_validators_are_not_extracted_again(site: LiveSite, tmp_path: Path) -> None:
    sources = [{"name": "gazette", "type": "sitemap", "url": f"{site.base_url}/sitemap.xml"}]
    crawl(sources, tmp_path)
    with SQLiteStore(tmp_path / "store.db") as store:  # a server that forgot its ETags
        store._db.execute("UPDATE crawl_fetches SET etag = NULL")  # noqa: SLF001
    stats = crawl(sources, tmp_path)
    assert stats["sources"]["gazette"]["items_yielded"] == 0


def test_killed_crawl_resumes_without_refetching_stored_pages(tmp_path: Path) -> None:
    # After 12 page answers (the sitemap among them) the site holds every answer until
    # the test releases it: the crawl is certainly mid-way when it is killed, however fast it runs.
    site = LiveSite(delay_s=0.1, hold_after=12)
    n = 24
    for i in range(n):
        site.page(f"/news/story-{i}.html", article(f"Harbour story number {i}", paragraphs(i)))
    site.page("/sitemap.xml", sitemap([f"/news/story-{i}.html" for i in range(n)]), "application/xml")
    site.start()
    try:
        sources = [{"name": "gazette", "type": "sitemap", "url": f"{site.base_url}/sitemap.xml"}]
        settings = {"CONCURRENT_REQUESTS_PER_DOMAIN": 1, "AUTOTHROTTLE_ENABLED": False}
        proc = subprocess.Popen(_cmd(sources, tmp_path, settings), cwd=REPO, env=_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        stored_before: set[str] = set()
        while time.monotonic() < deadline:
            time.sleep(0.2)
            if (tmp_path / "store.db").exists():
                with SQLiteStore(tmp_path / "store.db") as store:
                    stored_before = {d.url for d in store.iter_since(None)}
                if len(stored_before) >= 6:
                    break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        with SQLiteStore(tmp_path / "store.db") as store:
            stored_before = {d.url for d in store.iter_since(None)}
        assert 6 <= len(stored_before) < n, "the crawl was not killed mid-way"
        site.release.set()
        first_run = len(site.hits)
        crawl(sources, tmp_path, settings)
        second = [h.path for h in site.hits[first_run:]]
        assert "/sitemap.xml" not in second
        refetched = {f"{site.base_url}{p}" for p in second} & stored_before
        assert refetched == set()  # pages are marked done in the store right after their document
        with SQLiteStore(tmp_path / "store.db") as store:
            assert store.count() == n
            assert store.crawl.crawl_begin("gazette") == []  # the resumed run finished: nothing pending
    finally:
        site.stop()
