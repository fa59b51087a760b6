"""Small crawler components alone: URL keys, source specs, the item sink, error classes."""

from __future__ import annotations

import copy

import pytest
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Request
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawlers.item_sink import SINK_SETTING, ItemSink, SinkRef
from crawlers.items import Quarantined
from crawlers.sources import SourceError, normalize_sources
from crawlers.spiders.newswatch import NewsWatchSpider, classify_failure
from crawlers.urls import canonicalize_url
from storage.models import Document


@pytest.mark.parametrize(("url", "expected"), [
    ("HTTPS://News.Example:443/a?utm_source=x&id=3&fbclid=1#top", "https://news.example/a?id=3"),
    ("http://news.example", "http://news.example/"),
    ("http://news.example:8080/b?gclid=9", "http://news.example:8080/b"),
])
def test_canonicalize_url_strips_tracking_and_fragment(url, expected):
    assert canonicalize_url(url) == expected


def test_relative_canonical_is_resolved_against_the_page():
    assert canonicalize_url("/n/1?utm_medium=rss", base="https://x.example/feed") == "https://x.example/n/1"


@pytest.mark.parametrize(("spec", "message"), [
    ({"name": "a", "type": "ftp", "url": "http://x.example/"}, "sources[0].type"),
    ({"name": "a", "type": "feed"}, "sources[0].url: required"),
    ({"name": "a", "type": "site", "url": "http://x.example/", "max_depth": "2"}, "sources[0].max_depth"),
    ({"name": "a", "type": "site", "url": "http://x.example/", "allow": ["("]}, "sources[0].allow[0]"),
    ({"name": "a", "type": "listing", "url": "http://x.example/s?q={query}"}, "sources[0].queries"),
    ({"name": "a", "type": "listing", "url": "http://x.example/s", "queries": ["Ann Lee"]}, "sources[0].queries"),
    ({"name": "a", "type": "bluesky", "url": "http://x.example/?q={query}", "queries": [""]}, "sources[0].queries"),
])
def test_bad_source_specs_name_the_key(spec, message):
    with pytest.raises(SourceError, match=message.replace("[", r"\[").replace("]", r"\]")):
        normalize_sources([spec])


def test_none_values_take_defaults():
    [spec] = normalize_sources([{"name": "a", "type": "site", "url": "http://x.example/", "max_pages": None,
                                 "kind": None, "allow": []}])
    assert spec["max_pages"] == 200 and spec["max_depth"] == 2


def test_item_sink_declines_without_a_sink():
    with pytest.raises(NotConfigured):
        ItemSink.from_crawler(get_crawler(NewsWatchSpider))


def test_item_sink_hands_items_to_the_callable_by_reference():
    got: list[object] = []
    crawler = get_crawler(NewsWatchSpider, {SINK_SETTING: SinkRef(got.append)})
    sink = ItemSink.from_crawler(crawler)
    doc = Document(url="https://x.example/a", text="Hello.", source="x")
    q = Quarantined(url="https://x.example/b", source="x", reason="extract_empty")
    assert sink.process_item(doc) is doc
    sink.process_item(q)
    assert got == [doc, q]
    ref = SinkRef(got.append)
    assert copy.deepcopy(ref) is ref


def _failure(exc: Exception) -> Failure:
    failure = Failure(exc)
    failure.request = Request("https://x.example/a")  # type: ignore[attr-defined]
    return failure


@pytest.mark.parametrize(("status", "reason"), [(404, "http_4xx"), (503, "http_5xx")])
def test_http_errors_are_classified(status, reason):
    response = HtmlResponse("https://x.example/a", status=status, body=b"")
    assert classify_failure(_failure(HttpError(response, "bad")))[0] == reason


def test_robots_refusal_is_classified():
    assert classify_failure(_failure(IgnoreRequest("Forbidden by robots.txt")))[0] == "robots"


def test_unknown_quarantine_reason_is_refused():
    with pytest.raises(ValueError, match="reason"):
        Quarantined(url="u", source="s", reason="oops")
