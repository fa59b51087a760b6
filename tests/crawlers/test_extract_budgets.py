"""A page that is slow or costly to extract (issue 16) never holds up the crawl, and runs under budgets.

Extraction runs in worker processes: a small page fetched after a huge one is stored first, and a
page past its time or memory budget is quarantined (``timeout`` / ``too_large``) while the others
are stored. Pages are invented; the huge one is plain paragraphs, megabytes of them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_crawl_subprocess
from live_site import LiveSite, article, sitemap

pytestmark = pytest.mark.slow

TEXT = ["The invented ferry company added a night boat to the island, its timetable office said on Friday.",
        "Tickets go on sale next week; the old day boats keep their summer hours and their harbour berths."]
SMALL = [f"/small/{i}.html" for i in range(4)]


def huge_page() -> bytes:
    """About 3 MB of paragraphs: seconds of extraction work, far more than a small page's."""
    paras = "".join(f'<div class="c{i % 7}"><p>Paragraph {i} on the tram depot and line {i % 13} extension '
                    "plans.</p></div>" for i in range(30_000))
    return f"<html><head><title>Huge</title></head><body><article>{paras}</article></body></html>".encode()


@pytest.fixture
def site() -> Iterator[LiveSite]:
    """``/huge.xml`` lists the huge page; ``/small.xml`` (another source) answers a second after the huge
    page went out, so its pages are fetched while the huge one is being extracted (which takes seconds)."""
    s = LiveSite()
    asked = threading.Event()
    body = huge_page()

    def huge(_site: LiveSite, _headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        asked.set()
        return 200, {"Content-Type": "text/html; charset=utf-8"}, body

    def small_sitemap(site: LiveSite, _headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        asked.wait(60)
        time.sleep(1.0)  # the huge body is received by then: a crawl extracting in its event loop is now stuck
        urls = sitemap(SMALL).replace("{{BASE_URL}}", site.base_url)
        return 200, {"Content-Type": "application/xml"}, urls.encode()

    s.routes["/huge.html"] = huge
    s.routes["/small.xml"] = small_sitemap
    s.page("/huge.xml", sitemap(["/huge.html"]), "application/xml")
    for i, path in enumerate(SMALL):
        s.page(path, article(f"Night boat, part {i}", [*TEXT, f"Part {i} of the series."]))
    s.start()
    yield s
    s.stop()


def crawl(site: LiveSite, tmp_path: Path, **settings: Any) -> list[dict[str, Any]]:
    sources = [{"name": "big", "type": "sitemap", "url": f"{site.base_url}/huge.xml"},
               {"name": "small", "type": "sitemap", "url": f"{site.base_url}/small.xml"}]
    return list(run_crawl_subprocess(sources, tmp_path, {"NEWSWATCH_EXTRACT_WORKERS": 2, **settings})["items"])


def where(items: list[dict[str, Any]], path: str) -> int:
    return next(i for i, item in enumerate(items) if item["url"].endswith(path))


def test_small_pages_are_stored_while_a_huge_page_is_still_being_extracted(site: LiveSite, tmp_path: Path) -> None:
    items = crawl(site, tmp_path)
    docs = {item["url"].rsplit("/", 2)[-2] + "/" + item["url"].rsplit("/", 1)[-1]: item for item in items
            if item["item_type"] == "Document"}
    assert {f"small/{i}.html" for i in range(4)} <= set(docs)
    huge = where(items, "/huge.html")
    assert all(where(items, p) < huge for p in SMALL), [i["url"] for i in items]


def test_a_page_past_its_time_budget_is_quarantined_and_the_others_stored(site: LiveSite, tmp_path: Path) -> None:
    items = crawl(site, tmp_path, NEWSWATCH_PAGE_BUDGET_S=1.0)
    [q] = [i for i in items if i["item_type"] == "Quarantined"]
    assert q["url"].endswith("/huge.html") and q["reason"] == "timeout" and "budget" in q["detail"]
    assert sum(i["item_type"] == "Document" for i in items) == len(SMALL)


def test_a_page_past_its_memory_budget_is_quarantined_too_large(site: LiveSite, tmp_path: Path) -> None:
    items = crawl(site, tmp_path, NEWSWATCH_PAGE_MEMORY_MB=40)
    [q] = [i for i in items if i["item_type"] == "Quarantined"]
    assert q["url"].endswith("/huge.html") and q["reason"] == "too_large", q["detail"]
    assert sum(i["item_type"] == "Document" for i in items) == len(SMALL)
