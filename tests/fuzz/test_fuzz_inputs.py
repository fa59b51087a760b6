"""Fuzzed hostile input never crashes a reader (issue 16): extractors, feeds, sitemaps, config, batch lines.

Each target gets bytes or text a hostile site or input file could send, built from fragments that
break naive parsers (markup, entities, encodings, surrogates, deep nesting, script URLs), and must
answer the documented way: an answer with warnings, a quarantine, a ``ConfigError``, an error line.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

from fuzzkit import FUZZ
from hypothesis import given
from hypothesis import strategies as st
from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler

from crawlers.extract import PAGE_TYPES, extract_bytes, extract_page
from crawlers.feeds import read_feed
from crawlers.spiders.newswatch import NewsWatchSpider
from pipeline.config import ConfigError, load_config
from pipeline.ingest.jsonl import JsonlWriter, read_lines
from storage.models import Document
from storage.url_safety import safe_http_url

MARKUP = ["<html>", "</html>", "<head>", "<body>", "<article>", "</article>", "<p>", "</p>", "<div class=post>",
          "</div>", "<script>alert(1)</script>", "<style>p{}</style>", "<!--", "-->", "<![CDATA[", "]]>",
          '<meta charset="shift_jis">', '<meta charset="x-unknown">', '<link rel="canonical" href="javascript:x">',
          '<a href="http://[::1/x">', "<title>", "</title>", "&amp;", "&#0;", "&#xD800;", "&nbsp;", "\x00", "\ufeff",
          '<script type="application/ld+json">{"@type":"Product","offers":{"price":"1e309"}}</script>',
          '<time datetime="2026-02-30T25:61:00Z">', "维创移动", "Élysée", "\u202e", "The harbour reopened.",
          "<" * 50, "<div>" * 200]
URLS = ["https://news.example/a", "http://[::1/x", "javascript:alert(1)", "//evil.example/x", "", " ", "x" * 3000,
        "https://news.example/%zz", "data:text/html,x", "https://news.example/\u202e", "\ud800"]
html_text = st.lists(st.one_of(st.sampled_from(MARKUP), st.text(max_size=30)), max_size=60).map("".join)


def _answer_holds(answer: dict[str, Any]) -> None:
    assert answer["page_type"] in PAGE_TYPES
    assert isinstance(answer["text"], str) and isinstance(answer["warnings"], list)
    json.dumps(answer)  # the answer can be written as a JSON line


@FUZZ
@given(html=html_text, url=st.one_of(st.none(), st.sampled_from(URLS[:4])))
def test_extract_page_answers_any_markup(html: str, url: str | None) -> None:
    _answer_holds(extract_page(html, url))


@FUZZ
@given(body=st.one_of(st.binary(max_size=2000), html_text.map(lambda s: s.encode("utf-8", "surrogatepass"))),
       ctype=st.sampled_from([None, "text/html", "text/html; charset=utf-16", "application/pdf", "text/plain"]))
def test_extract_bytes_answers_any_bytes(body: bytes, ctype: str | None) -> None:
    _answer_holds(extract_bytes(body, ctype, "https://news.example/a"))


FEED_PARTS = ["<rss version='2.0'><channel>", "</channel></rss>", "<item>", "</item>", "<title>T</title>",
              "<link>", "</link>", "<guid>", "</guid>", "<pubDate>Mon, 32 Foo 2026</pubDate>",
              '<feed xmlns="http://www.w3.org/2005/Atom">', "</feed>", "<entry>", "</entry>", '<link href="',
              '"/>', '<!DOCTYPE x [<!ENTITY a "aaaa">]>', "&a;", *URLS]


@FUZZ
@given(parts=st.lists(st.sampled_from(FEED_PARTS), max_size=40),
       items=st.lists(st.fixed_dictionaries({}, optional={"url": st.sampled_from(URLS), "id": st.sampled_from(URLS),
                                                          "title": st.text(max_size=20),
                                                          "content_html": html_text}), max_size=5),
       as_json=st.booleans())
def test_feed_reader_answers_any_feed(parts: list[str], items: list[dict[str, Any]], as_json: bool) -> None:
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items}) if as_json else "".join(parts)
    read_feed(body.encode("utf-8", "surrogatepass"), "https://news.example/feed")  # never raises
    url = "https://news.example/feed"
    request = Request(url, meta={"nw_source": "f", "nw_cb": "parse_feed", "nw_key": url})
    response = TextResponse(url, body=body.encode("utf-8", "surrogatepass"), encoding="utf-8", request=request)
    for out in _spider({"name": "f", "type": "feed", "url": url}).parse_feed(response):
        if isinstance(out, Request | Document):  # what the crawl fetches or stores is http(s), whatever the feed said
            assert safe_http_url(out.url) is not None, out.url


def _spider(source: dict[str, Any] | None = None) -> NewsWatchSpider:
    crawler = get_crawler(NewsWatchSpider, {"NEWSWATCH_EXTRACT_WORKERS": 0})
    spec = source or {"name": "s", "type": "sitemap", "url": "https://news.example/sitemap.xml"}
    return NewsWatchSpider.from_crawler(crawler, sources=[spec])


@FUZZ
@given(locs=st.lists(st.one_of(st.sampled_from(URLS), st.text(max_size=40)), max_size=8),
       index=st.booleans(), junk=st.sampled_from(["", "<x>", "<!--", "&bogus;", "\x00", "<urlset>"]))
def test_sitemap_reader_answers_any_sitemap(locs: list[str], index: bool, junk: str) -> None:
    root, entry = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    body = (f'<?xml version="1.0"?><{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{junk}'
            + "".join(f"<{entry}><loc>{loc}</loc></{entry}>" for loc in locs) + f"</{root}>")
    url = "https://news.example/sitemap.xml"
    request = Request(url, meta={"nw_source": "s", "nw_cb": "parse_sitemap", "nw_key": url})
    response = TextResponse(url, body=body.encode("utf-8", "surrogatepass"), encoding="utf-8", request=request)
    for out in _spider().parse_sitemap(response):
        if isinstance(out, Request):
            assert safe_http_url(out.url) is not None, out.url


TOML_PARTS = ['data_dir = "d"\n', "[storage]\n", 'url = "sqlite:///x.db"\n', "[[sources]]\n", 'name = "n"\n',
              'type = "sitemap"\n', 'url = "javascript:x"\n', "max_pages = -5\n", "[smtp]\n", "port = 99999999\n",
              "[digest]\n", 'title = "a\\r\\nBcc: x"\n', "max_items = -3\n", "[api]\n", "allowed_hosts = [1]\n",
              "[watchlists.w]\n", "entries = [{}]\n", "x = [" * 30, "]" * 30, "= =\n", '"\\ud800"\n', "\x00",
              "[nlp]\n", 'model = ""\n', "batch_size = 0\n", "a.b.c = 1\n", "[sources]\n"]


@FUZZ
@given(parts=st.lists(st.one_of(st.sampled_from(TOML_PARTS), st.text(max_size=20)), max_size=25))
def test_config_loader_answers_any_toml_with_a_config_or_a_config_error(parts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "newswatch.toml"
        path.write_bytes("".join(parts).encode("utf-8", "surrogatepass"))
        try:
            load_config(path)
        except ConfigError as exc:
            assert "newswatch.toml" in str(exc)


JSON_PARTS = ['{"id": "a", "text": "harbour"}', '{"id": 1}', '{"id": "\\ud800", "text": "x"}', '{"text": "\\udfff"}',
              "[" * 2000 + "]" * 2000, '{"a":' * 500 + "1" + "}" * 500, "not json", "{", '{"id": null}', "\xff\xfe",
              '{"id": "b", "html_path": "/dev/zero"}', '{"id": "c", "targets": [[[]]]}', "", "   ", "\x00", "1e99999"]


@FUZZ
@given(lines=st.lists(st.one_of(st.sampled_from(JSON_PARTS), st.text(max_size=30)), max_size=12),
       require_id=st.booleans())
def test_batch_reader_answers_every_line_and_its_error_lines_can_be_written(lines: list[str],
                                                                            require_id: bool) -> None:
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    out = io.StringIO()
    writer = JsonlWriter(out)
    for line in read_lines(io.BytesIO(data), require_id=require_id):
        assert line.obj is not None or line.error
        if line.error:
            writer.write(line.error_answer())
    out.getvalue().encode("utf-8")  # every error line is valid UTF-8, whatever the input held
