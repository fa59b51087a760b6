"""Hostile crawl input (issue 16): script URLs, resource bombs, malformed entries, hijacked canonicals.

Each test feeds one spider callback a response built here, the way a hostile site would answer,
and checks what comes out. Texts, hosts and posts are invented for these tests.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from crawlers.items import Quarantined
from crawlers.spiders.newswatch import NewsWatchSpider, classify_failure
from storage.models import Document

SCRIPT_URLS = ["javascript:alert(document.domain)", "JavaScript:alert(1)//", "javascript://%0Aalert(1)",
               "data:text/html,<script>alert(1)</script>", "java\tscript:alert(1)", " javascript:alert(1)",
               "vbscript:msgbox(1)", "http://[::1/x"]
PARA = "The invented harbour council voted on Tuesday to extend the night ferry until the end of October."


def spider_for(*sources: dict[str, Any], settings: dict[str, Any] | None = None) -> NewsWatchSpider:
    crawler = get_crawler(NewsWatchSpider, settings or {})
    return NewsWatchSpider.from_crawler(crawler, sources=list(sources))


def answer(url: str, body: bytes, source: str, cb: str, cls: type = TextResponse, **meta: Any) -> Any:
    request = Request(url, meta={"nw_source": source, "nw_cb": cb, "nw_key": url, **meta})
    return cls(url, body=body, encoding="utf-8", request=request)


def docs(out: list[Any]) -> list[Document]:
    return [o for o in out if isinstance(o, Document)]


def quarantined(out: list[Any], reason: str) -> list[Quarantined]:
    return [o for o in out if isinstance(o, Quarantined) and o.reason == reason]


def requests(out: list[Any]) -> list[Request]:
    return [o for o in out if isinstance(o, Request)]


# ------------------------------------------------------------------ High 1: only http(s) document URLs


@pytest.mark.parametrize("bad", SCRIPT_URLS)
def test_mastodon_status_with_a_script_url_is_quarantined_not_stored(bad: str) -> None:
    spider = spider_for({"name": "m", "type": "mastodon", "url": "https://social.example/api/v1/timelines/public"})
    statuses = [{"id": "1", "url": bad, "content": f"<p>{PARA}</p>"},
                {"id": "2", "url": "https://social.example/@ana/2", "content": f"<p>{PARA}</p>",
                 "card": {"url": "javascript:alert(2)"}}]
    out = list(spider.parse_social(answer("https://social.example/api/v1/timelines/public",
                                          json.dumps(statuses).encode(), "m", "parse_social")))
    assert [d.url for d in docs(out)] == ["https://social.example/@ana/2"]
    assert docs(out)[0].provenance.source_meta.get("links", []) == []  # the card's script link is dropped too
    [q] = quarantined(out, "bad_url")
    assert q.url.startswith("https://social.example/")


@pytest.mark.parametrize("bad", SCRIPT_URLS)
def test_json_feed_item_with_a_script_id_and_no_url_is_quarantined(bad: str) -> None:
    spider = spider_for({"name": "f", "type": "feed", "url": "https://news.example/feed.json"})
    feed = {"version": "https://jsonfeed.org/version/1.1", "items": [
        {"id": bad, "title": "Bad", "content_text": PARA},
        {"id": "https://news.example/ok", "title": "Good", "content_text": PARA}]}
    out = list(spider.parse_feed(answer("https://news.example/feed.json", json.dumps(feed).encode(), "f",
                                        "parse_feed")))
    assert [d.url for d in docs(out)] == ["https://news.example/ok"]
    assert len(quarantined(out, "bad_url")) == 1


@pytest.mark.parametrize("bad", SCRIPT_URLS)
def test_rss_link_with_a_script_url_is_never_fetched_nor_kept_and_costs_only_its_entry(bad: str) -> None:
    spider = spider_for({"name": "f", "type": "feed", "url": "https://news.example/rss.xml"})
    link = bad.replace("<", "&lt;").replace("&", "&amp;") if "<" in bad else bad
    rss = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
           f"<item><title>Bad</title><link>{link}</link><description>{PARA}</description></item>"
           f"<item><title>Good</title><link>https://news.example/good.html</link><description>{PARA}</description>"
           f"</item></channel></rss>").encode()
    out = list(spider.parse_feed(answer("https://news.example/rss.xml", rss, "f", "parse_feed")))
    assert [r.url for r in requests(out)] == ["https://news.example/good.html"]
    assert docs(out) == []
    assert len(quarantined(out, "bad_url")) == 1


def test_failed_fetch_of_a_feed_link_falls_back_to_an_http_item_only() -> None:
    """The fallback to the feed entry (when its page fails) never stores a non-http URL either."""
    from twisted.python.failure import Failure

    spider = spider_for({"name": "f", "type": "feed", "url": "https://news.example/rss.xml"})
    entry = {"link": "javascript://%0Aalert(1)", "id": None, "title": "T", "summary": PARA}
    request = Request("https://news.example/p.html", meta={"nw_source": "f", "nw_entry": entry, "nw_key": "k"})
    failure = Failure(ValueError("boom"))
    failure.request = request  # type: ignore[attr-defined]
    out = list(spider.on_error(failure))
    assert docs(out) == [] and len(quarantined(out, "bad_url")) == 1


# ------------------------------------------------------------------ Medium: one bad entry costs itself only


def test_malformed_sitemap_loc_is_skipped_and_counted_the_others_are_followed() -> None:
    spider = spider_for({"name": "s", "type": "sitemap", "url": "https://news.example/sitemap.xml"})
    locs = ["https://news.example/a.html", "http://[::1/x", "https://news.example/b.html", "javascript:alert(1)",
            "https://news.example/c.html"]
    body = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<url><loc>{loc}</loc></url>" for loc in locs) + "</urlset>").encode()
    out = list(spider.parse_sitemap(answer("https://news.example/sitemap.xml", body, "s", "parse_sitemap")))
    assert [r.url for r in requests(out)] == [f"https://news.example/{p}.html" for p in "abc"]
    assert len(quarantined(out, "bad_url")) == 2


def test_feed_entry_with_an_unjoinable_link_costs_only_that_entry() -> None:
    spider = spider_for({"name": "f", "type": "feed", "url": "https://news.example/feed.json"})
    feed = {"version": "https://jsonfeed.org/version/1.1", "items": [
        {"id": "1", "url": "http://[::1/x", "content_text": PARA}, {"id": "2", "url": 42, "content_text": PARA},
        {"id": "3", "url": "https://news.example/three.html", "content_text": PARA}]}
    out = list(spider.parse_feed(answer("https://news.example/feed.json", json.dumps(feed).encode(), "f",
                                        "parse_feed")))
    assert [r.url for r in requests(out)] == ["https://news.example/three.html"]
    assert len(quarantined(out, "bad_url")) == 2


# ------------------------------------------------------------------ High 2 / Low: decompression bombs


def test_gzip_bomb_sitemap_is_quarantined_too_large_without_expanding_it() -> None:
    import resource

    spider = spider_for({"name": "s", "type": "sitemap", "url": "https://news.example/sitemap.xml.gz"},
                        settings={"DOWNLOAD_MAXSIZE": 1024 * 1024})
    head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    bomb = gzip.compress(head + b" " * (512 * 1024 * 1024), compresslevel=9)  # 512 MiB of spaces, ~500 KB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = list(spider.parse_sitemap(answer("https://news.example/sitemap.xml.gz", bomb, "s", "parse_sitemap",
                                           cls=HtmlResponse)))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    [q] = quarantined(out, "too_large")
    assert "1048576" in q.detail
    assert grown_mb < 200  # gzip.decompress would have needed 512 MiB at least


def test_small_gzip_sitemap_still_works() -> None:
    spider = spider_for({"name": "s", "type": "sitemap", "url": "https://news.example/sitemap.xml.gz"})
    body = gzip.compress(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                         b"<url><loc>https://news.example/a.html</loc></url></urlset>")
    out = list(spider.parse_sitemap(answer("https://news.example/sitemap.xml.gz", body, "s", "parse_sitemap",
                                           cls=HtmlResponse)))
    assert [r.url for r in requests(out)] == ["https://news.example/a.html"]


def test_content_encoding_bomb_is_classified_too_large_not_ignored() -> None:
    from scrapy.exceptions import IgnoreRequest
    from twisted.python.failure import Failure

    message = ("Ignored response <200 https://news.example/p.html> because its body (1000 B compressed, "
               "2000000 B decompressed so far) exceeded DOWNLOAD_MAXSIZE (1000000 B) during decompression.")
    assert classify_failure(Failure(IgnoreRequest(message)))[0] == "too_large"


# ------------------------------------------------------------------ High 3: rel=canonical takeover


def page_with_canonical(canonical: str) -> bytes:
    paras = "".join(f"<p>{PARA} Paragraph {i}.</p>" for i in range(4))
    return (f'<html lang="en"><head><title>Ferry news</title><link rel="canonical" href="{canonical}"></head>'
            f"<body><article><h1>Ferry news</h1>{paras}</article></body></html>").encode()


@pytest.mark.parametrize("claimed", ["https://victim-news.example/2026/ferry.html", "https://alice.github.io/post",
                                     "javascript:alert(1)"])
def test_canonical_on_another_registrable_domain_is_refused_and_recorded(claimed: str) -> None:
    spider = spider_for({"name": "b", "type": "sitemap", "url": "https://evil.github.io/sitemap.xml"})
    url = "https://evil.github.io/copy.html"
    out = list(spider.parse_page(answer(url, page_with_canonical(claimed), "b", "parse_page", cls=HtmlResponse)))
    [doc] = docs(out)
    assert doc.canonical_url == url and doc.url == url
    assert doc.provenance.source_meta["canonical_claim"] == claimed


@pytest.mark.parametrize(("page", "claimed"), [
    ("https://m.news.example.co.uk/a?amp=1", "https://www.news.example.co.uk/a"),
    ("https://news.example/print/a", "https://news.example/a"),
])
def test_canonical_on_the_same_registrable_domain_is_kept(page: str, claimed: str) -> None:
    spider = spider_for({"name": "n", "type": "sitemap", "url": "https://news.example/sitemap.xml"})
    out = list(spider.parse_page(answer(page, page_with_canonical(claimed), "n", "parse_page", cls=HtmlResponse)))
    [doc] = docs(out)
    assert doc.canonical_url == claimed and "canonical_claim" not in doc.provenance.source_meta


def test_canonical_on_a_domain_the_source_declares_is_kept() -> None:
    spider = spider_for({"name": "w", "type": "sitemap", "url": "https://partner.example/sitemap.xml",
                         "canonical_domains": ["wire.example"]})
    out = list(spider.parse_page(answer("https://partner.example/x", page_with_canonical("https://wire.example/x"),
                                        "w", "parse_page", cls=HtmlResponse)))
    assert docs(out)[0].canonical_url == "https://wire.example/x"


def test_registrable_domain_uses_the_bundled_list_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    import crawlers.urls as urls

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("registrable_domain tried the network")

    monkeypatch.setattr(urls, "_PSL", None)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    assert urls.registrable_domain("https://news.bbc.co.uk/x") == "bbc.co.uk"
    assert urls.registrable_domain("https://ana.github.io/x") == "ana.github.io"
    assert urls.registrable_domain("http://127.0.0.1:8080/x") == "127.0.0.1"
