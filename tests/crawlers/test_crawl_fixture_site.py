"""One crawl of the fixture site (every source type) against a local server; one idea per test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import SiteServer, run_crawl_subprocess

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crawl(site_server: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = site_server.base_url
    sources = [
        {"name": "courier", "type": "sitemap", "url": f"{base}/robots.txt"},
        {"name": "harbour-notes", "type": "feed", "url": f"{base}/blog/rss.xml"},
        {"name": "quay-shop", "type": "listing", "url": f"{base}/shop/category.html", "max_pages": 5},
        {"name": "harbourwatch", "type": "mastodon", "url": f"{base}/social/timeline.json"},
        {"name": "guides", "type": "site", "url": f"{base}/guides/index.html", "allow": [r"/guides/", r"/private/"],
         "max_depth": 1},
    ]
    result = run_crawl_subprocess(sources, Path(tmp_path_factory.mktemp("crawl")))
    result["base"] = base
    result["requests"] = list(site_server.requests)
    return result


def docs(crawl: dict[str, Any], source: str, kind: str | None = None) -> list[dict[str, Any]]:
    return [i for i in crawl["items"] if i["item_type"] == "Document" and i["source"] == source
            and (kind is None or i["kind"] == kind)]


def quarantined(crawl: dict[str, Any], reason: str) -> list[dict[str, Any]]:
    return [i for i in crawl["items"] if i["item_type"] == "Quarantined" and i["reason"] == reason]


def test_sitemap_from_robots_finds_all_articles_with_canonical_urls(crawl):
    base = crawl["base"]
    got = {d["canonical_url"]: d for d in docs(crawl, "courier", "article")}
    assert set(got) == {f"{base}/news/tide-gauge.html", f"{base}/news/lantern-festival.html",
                        f"{base}/news/rail-spur.html"}
    tide = got[f"{base}/news/tide-gauge.html"]
    assert tide["title"] == "New tide gauge installed at the old pier"
    assert tide["author"] == "Ansel Morrow"
    assert tide["published_at"] == "2026-02-10T06:15:00Z"
    assert tide["provenance"]["extractor"] == "newswatch.extract"
    assert tide["provenance"]["extractor_version"]
    assert tide["fetched_at"]


def test_disallowed_path_is_never_requested(crawl):
    assert not [p for p in crawl["requests"] if p.startswith("/private/")]
    robots = {q["url"] for q in quarantined(crawl, "robots")}
    assert f"{crawl['base']}/private/draft.html" in robots


def test_js_only_page_is_quarantined_as_such_not_dropped(crawl):
    empty = quarantined(crawl, "js_only")
    assert f"{crawl['base']}/news/empty.html" in {q["url"] for q in empty}
    assert all(q["source"] for q in empty)


def test_feed_items_followed_and_failed_link_kept_as_feed_item(crawl):
    base = crawl["base"]
    articles = {d["canonical_url"] for d in docs(crawl, "harbour-notes", "article")}
    assert articles == {f"{base}/blog/ferry-timetable.html", f"{base}/blog/gulls.html"}
    [gone] = docs(crawl, "harbour-notes", "feed_item")
    assert gone["url"] == f"{base}/blog/gone.html"
    assert "summary survives" in gone["text"]
    assert gone["published_at"] == "2026-03-04T12:00:00Z"
    assert f"{base}/blog/gone.html" in {q["url"] for q in quarantined(crawl, "http_4xx")}


def test_listing_follows_pagination_to_every_product(crawl):
    base = crawl["base"]
    products = {d["canonical_url"]: d for d in docs(crawl, "quay-shop", "product")}
    assert set(products) == {f"{base}/shop/p/{n}.html" for n in ("rope-basket", "tide-clock", "enamel-mug",
                                                                  "brass-bell")}
    bell = products[f"{base}/shop/p/brass-bell.html"]["product"]
    assert (bell["name"], bell["price"], bell["currency"], bell["availability"]) == (
        "Brass Bell", "1299.00", "CNY", "InStock")
    assert "/shop/category-2.html" in crawl["requests"]


def test_mastodon_statuses_become_posts(crawl):
    base = crawl["base"]
    posts = {d["url"]: d for d in docs(crawl, "harbourwatch", "post")}
    assert set(posts) == {f"{base}/@harbourwatch/1001", f"{base}/@marie/1002"}
    first = posts[f"{base}/@harbourwatch/1001"]
    assert first["text"] == "Fog horn test at noon today, #kelvport.\nNo need to worry!"
    assert first["author"] == "Harbour Watch"
    assert first["published_at"] == "2026-03-05T08:12:30Z"
    assert posts[f"{base}/@marie/1002"]["author"] == "marie@quay.example"
    assert posts[f"{base}/@marie/1002"]["lang"] == "fr"
    media_only = quarantined(crawl, "extract_empty")
    assert f"{base}/@photos/1003" in {q["url"] for q in media_only}


def test_site_crawl_stays_on_site_within_patterns(crawl):
    base = crawl["base"]
    got = {d["canonical_url"] for d in docs(crawl, "guides", "article")}
    assert {f"{base}/guides/walks.html", f"{base}/guides/food.html"} <= got
    assert all(u.startswith(base) for u in got)


def test_stats_count_pages_items_and_errors_per_source(crawl):
    stats = crawl["stats"]["sources"]
    assert stats["courier"]["items_yielded"] == 3
    assert stats["courier"]["errors"] == {"robots": 1, "js_only": 1}
    assert stats["quay-shop"]["pages_fetched"] == 6  # two category pages, four products
    assert stats["harbour-notes"]["errors"] == {"http_4xx": 1}
    assert crawl["stats"]["finish_reason"] == "finished"


def test_nothing_written_to_stdout(crawl):
    assert crawl["stdout"] == ""
