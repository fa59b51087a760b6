"""What held in the attack pass (issue 16), pinned: XML entities in feeds and sitemaps are never expanded.

Billion laughs (nested entities) must not grow into gigabytes; an external entity (XXE) must not
read a local file into a document or a URL. The feeds and sitemaps are invented for these tests.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler

from crawlers.feeds import read_feed
from crawlers.spiders.newswatch import NewsWatchSpider

LAUGHS = ('<!DOCTYPE r [<!ENTITY a "hahahahahahahahahaha">'
          + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi", strict=True))
          + "]>")


def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("SECRET-VALUE-1234", encoding="utf-8")
    return path


def test_feed_entities_are_not_expanded(tmp_path: Path) -> None:
    xxe = f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret(tmp_path)}">]>'
    for doctype, ref in ((LAUGHS, "&i;"), (xxe, "&x;")):
        body = (f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>T</title><item>'
                f"<title>{ref}</title><link>https://news.example/a</link><description>{ref}</description>"
                "</item></channel></rss>").encode()
        entries, _ = read_feed(body, "https://news.example/feed")
        text = repr(entries)
        assert "SECRET-VALUE" not in text and "haha" * 100 not in text


def test_sitemap_entities_are_not_expanded(tmp_path: Path) -> None:
    xxe = f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret(tmp_path)}">]>'
    spider = NewsWatchSpider.from_crawler(get_crawler(NewsWatchSpider, {"NEWSWATCH_EXTRACT_WORKERS": 0}),
                                          sources=[{"name": "s", "type": "sitemap",
                                                    "url": "https://news.example/sitemap.xml"}])
    for doctype, ref in ((LAUGHS, "&i;"), (xxe, "&x;")):
        body = (f'<?xml version="1.0"?>{doctype}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>https://news.example/{ref}</loc></url></urlset>").encode()
        url = "https://news.example/sitemap.xml"
        request = Request(url, meta={"nw_source": "s", "nw_cb": "parse_sitemap", "nw_key": url})
        out = list(spider.parse_sitemap(TextResponse(url, body=body, encoding="utf-8", request=request)))
        urls = [o.url for o in out if isinstance(o, Request)]
        assert not any("SECRET" in u or "haha" * 100 in u for u in urls)
