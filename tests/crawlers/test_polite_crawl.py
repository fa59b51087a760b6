"""Politeness and bad input against a local server: waits, retries, errors by class, size limit."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_crawl_subprocess
from live_site import Answer, LiveSite, article, sitemap

from crawlers.middlewares import retry_after_seconds
from crawlers.traps import TrapGuard

TEXT = ["The invented lighthouse keeper logged forty ships on Tuesday and a seal on the breakwater.",
        "Visitors may climb the tower on weekends; the stairs were repainted in a pale green."]


def once_then_ok(status: int, headers: dict[str, str]) -> Any:
    calls = {"n": 0}

    def route(site: LiveSite, _headers: dict[str, str]) -> Answer:
        calls["n"] += 1
        if calls["n"] == 1:
            return status, {"Content-Type": "text/html", **headers}, b"<html><body>busy</body></html>"
        return 200, {"Content-Type": "text/html; charset=utf-8"}, article("Lighthouse log", TEXT).encode()

    return route


def fixed(status: int, body: bytes = b"<html><body>no</body></html>", **headers: str) -> Any:
    return lambda site, _h: (status, {"Content-Type": "text/html", **headers}, body)


PATHS = ["/busy.html", "/flaky.html", "/gone.html", "/missing.html", "/broken.html", "/moved.html", "/huge.html",
         "/binary.html", "/ok.html", "/ok.html?utm_source=newsletter&utm_medium=email"]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    site = LiveSite()
    site.routes.update({
        "/busy.html": once_then_ok(429, {"Retry-After": "1"}),
        "/flaky.html": once_then_ok(503, {}),
        "/gone.html": fixed(410),
        "/broken.html": fixed(500),
        "/moved.html": fixed(301, Location="/ok-moved.html"),
        "/huge.html": fixed(200, b"<html><body>" + b"x" * (50 * 1024 * 1024) + b"</body></html>"),
        "/binary.html": fixed(200, os.urandom(4096)),
    })
    site.page("/ok.html", article("Harbour lights", TEXT, extra_head='<link rel="canonical" href="/ok.html">'))
    site.page("/ok-moved.html", article("Moved story about the quay", TEXT))
    site.page("/sitemap.xml", sitemap(PATHS), "application/xml")
    site.start()
    sources = [{"name": "lights", "type": "sitemap", "url": f"{site.base_url}/sitemap.xml"}]
    settings = {"RETRY_TIMES": 2, "RETRY_BACKOFF_BASE": 0.05, "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024}
    result = run_crawl_subprocess(sources, Path(tmp_path_factory.mktemp("polite")), settings)
    result["site"] = site
    yield result
    site.stop()


def errors(crawl: dict[str, Any]) -> dict[str, str]:
    base = crawl["site"].base_url
    return {i["url"].removeprefix(base): i["reason"] for i in crawl["items"] if i["item_type"] == "Quarantined"}


def stored(crawl: dict[str, Any]) -> set[str]:
    base = crawl["site"].base_url
    return {i["canonical_url"].removeprefix(base) for i in crawl["items"] if i["item_type"] == "Document"}


@pytest.mark.slow
def test_retry_after_is_honoured_before_the_retry(crawl: dict[str, Any]) -> None:
    hits = [h for h in crawl["site"].hits if h.path == "/busy.html"]
    assert [h.status for h in hits] == [429, 200]
    assert hits[1].at - hits[0].at >= 0.95


@pytest.mark.slow
def test_server_errors_are_retried_then_classified(crawl: dict[str, Any]) -> None:
    assert [h.status for h in crawl["site"].hits if h.path == "/flaky.html"] == [503, 200]
    assert [h.status for h in crawl["site"].hits if h.path == "/broken.html"] == [500, 500, 500]
    got = errors(crawl)
    assert (got["/gone.html"], got["/missing.html"], got["/broken.html"]) == ("http_4xx", "http_4xx", "http_5xx")


@pytest.mark.slow
def test_oversized_page_is_quarantined_too_large(crawl: dict[str, Any]) -> None:
    assert errors(crawl)["/huge.html"] == "too_large"


@pytest.mark.slow
def test_binary_body_served_as_html_is_quarantined_not_a_crash(crawl: dict[str, Any]) -> None:
    assert errors(crawl)["/binary.html"] in ("parse", "extract_empty")
    assert crawl["stats"]["finish_reason"] == "finished"


@pytest.mark.slow
def test_redirects_followed_and_tracking_duplicates_fetched_once(crawl: dict[str, Any]) -> None:
    assert stored(crawl) == {"/busy.html", "/flaky.html", "/ok-moved.html", "/ok.html"}
    assert len([h for h in crawl["site"].hits if h.path.startswith("/ok.html")]) == 1


@pytest.mark.slow
def test_honest_user_agent_and_robots_asked_first(crawl: dict[str, Any]) -> None:
    assert crawl["site"].hits[0].path == "/robots.txt"


@pytest.mark.parametrize("value,expected", [("3", 3.0), (b"120", 120.0), ("soon", None), (None, None),
                                            ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)])
def test_retry_after_values(value: Any, expected: float | None) -> None:
    assert retry_after_seconds(value) == expected


def test_calendar_trap_is_bounded_but_articles_are_not() -> None:
    guard = TrapGuard(max_per_shape=50)
    months = [f"https://t.test/calendar/{2000 + i // 12}/{i % 12 + 1:02d}" for i in range(500)]
    followed = [u for u in months if guard.check(u) is None]
    assert len(followed) == 50
    articles = [f"https://t.test/news/2026/03/{d:02d}/story-{d}" for d in range(1, 29)] * 5
    assert all(guard.check(u) is None for u in articles)


@pytest.mark.parametrize("url", ["https://t.test/list?page=100000", "https://t.test/a/b/a/b/a/b/a",
                                 "https://t.test/blog/page/9999", "https://t.test/" + "x" * 3000])
def test_trap_urls_are_refused(url: str) -> None:
    assert TrapGuard().check(url) is not None
