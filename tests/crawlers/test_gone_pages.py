"""Gone pages are remembered: a 410 and a repeated 404 are not fetched again on every crawl."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from live_site import LiveSite, article, sitemap
from test_incremental_crawl import crawl, paragraphs

from storage.sqlite_store import SQLiteStore

pytestmark = pytest.mark.slow


def gone_site() -> LiveSite:
    s = LiveSite()
    s.page("/news/here.html", article("A page that stays", paragraphs(1)))
    s.routes["/news/withdrawn.html"] = lambda site, headers: (410, {"Content-Type": "text/html"}, b"<p>Gone</p>")
    s.page("/sitemap.xml", sitemap(["/news/here.html", "/news/missing.html", "/news/withdrawn.html"]),
           "application/xml")
    return s.start()


def test_410_and_repeated_404_back_off_and_show_in_source_health(tmp_path: Path) -> None:
    site = gone_site()
    try:
        sources = [{"name": "gazette", "type": "sitemap", "url": f"{site.base_url}/sitemap.xml"}]
        crawl(sources, tmp_path)
        assert site.paths(404).count("/news/missing.html") == 1 and site.paths(410) == ["/news/withdrawn.html"]
        site.hits.clear()
        crawl(sources, tmp_path)  # one 404 may be a slip: asked again; the 410 is not
        assert [p for p in site.paths(404) if p.startswith("/news/")] == ["/news/missing.html"]
        assert site.paths(410) == []
        site.hits.clear()
        crawl(sources, tmp_path)  # two 404s in a row: left alone now
        assert "/news/missing.html" not in site.paths() and "/news/withdrawn.html" not in site.paths()
        with SQLiteStore(tmp_path / "store.db") as store:
            gone = {Path(g["url"]).name: g for g in store.crawl.gone_pages("gazette")}
            assert gone["missing.html"]["status"] == 404 and gone["missing.html"]["misses"] == 2
            assert gone["withdrawn.html"]["status"] == 410
            [health] = store.crawl.source_health()
            assert health["gone_pages"] == 2

        # the page comes back and its wait is over: fetched, stored, no longer gone
        site.page("/news/missing.html", article("A page that came back", paragraphs(2)))
        with sqlite3.connect(tmp_path / "store.db") as db:
            db.execute("UPDATE crawl_gone SET retry_at = '2000-01-01T00:00:00Z' WHERE url LIKE '%missing%'")
        site.hits.clear()
        crawl(sources, tmp_path)
        assert site.paths(200).count("/news/missing.html") == 1
        with SQLiteStore(tmp_path / "store.db") as store:
            assert [Path(g["url"]).name for g in store.crawl.gone_pages()] == ["withdrawn.html"]
            assert store.get_by_url(f"{site.base_url}/news/missing.html") is not None
    finally:
        site.stop()
