"""Every fetched page ends as stored, unchanged or quarantined with a reason: a page a sitemap names
that turns out to be a list of links is quarantined as ``listing``, visible in ``newswatch sources``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import HERE, run_crawl_subprocess, serve

pytestmark = pytest.mark.slow

SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{{BASE_URL}}/news/byline.html</loc></url>
<url><loc>{{BASE_URL}}/news/index.html</loc></url>
</urlset>"""


def test_sitemap_page_that_is_a_listing_is_quarantined_not_skipped(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "news").mkdir(parents=True)
    shutil.copy(HERE / "pages" / "article_byline.html", root / "news" / "byline.html")
    shutil.copy(HERE / "pages" / "listing.html", root / "news" / "index.html")
    (root / "sitemap.xml").write_text(SITEMAP, encoding="utf-8")
    site, httpd = serve(root)
    try:
        result = run_crawl_subprocess([{"name": "gazette", "type": "sitemap", "url": f"{site.base_url}/sitemap.xml"}],
                                      tmp_path)
    finally:
        httpd.shutdown()
        httpd.server_close()
    base = site.base_url
    fetched = {f"{base}{p}" for p in site.requests if p.startswith("/news/")}
    stored = {i["url"] for i in result["items"] if i["item_type"] == "Document"}
    quarantined = {i["url"]: i for i in result["items"] if i["item_type"] == "Quarantined"}
    assert fetched == stored | set(quarantined), result["stats"]  # nothing fetched is left without an outcome
    assert quarantined[f"{base}/news/index.html"]["reason"] == "listing"
    assert "page of links" in quarantined[f"{base}/news/index.html"]["detail"]
