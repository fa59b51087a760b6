"""Every web page in headless Debian Chromium: a screenshot of each, keyboard navigation of search,
and script payloads in a crawled article that never run anywhere (no dialog, no script)."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
import webfixture
from mailkit import free_port

from pipeline.config import Config
from pipeline.web.api import create_app

CHROMIUM = "/usr/bin/chromium"
OUTPUT = Path(os.environ.get("NEWSWATCH_TEST_OUTPUT", "/tmp/newswatch-test-output"))
pytestmark = pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium not installed "
                                "(apt-get install -y chromium; .ci/run does it)")


@pytest.fixture
def site(config: Config) -> Iterator[tuple[str, dict[str, str]]]:
    ids = webfixture.fill(config, extra_articles=25)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", ids
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            yield b
        finally:
            b.close()


class Watch:
    """Everything that would show a payload ran: dialogs, the marker global, scripts not ours."""

    def __init__(self, page: object) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.blocked: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
        page.on("console", lambda m: self.blocked.append(m.text)  # type: ignore[attr-defined]
                if "Content Security Policy" in m.text else None)

    def assert_clean(self) -> None:
        page = self.page
        assert self.dialogs == []
        assert page.evaluate("window.__pwned") is None  # type: ignore[attr-defined]
        srcs = page.eval_on_selector_all("script", "els => els.map(e => e.getAttribute('src'))")  # type: ignore
        assert all(s and s.startswith("/static/") for s in srcs), srcs  # no inline script, none injected
        assert page.locator("img[onerror], svg[onload], a[href^='javascript:']").count() == 0  # type: ignore


def shot(page: object, name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"web-{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_every_page_renders_and_no_payload_runs(site: tuple[str, dict[str, str]], browser: object) -> None:
    base, ids = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    watch = Watch(page)
    pages = {
        "search": "/?q=Nova",
        "search-hostile": "/?q=fans",
        "document": f"/doc/{ids['visit']}",
        "document-hostile": f"/doc/{ids['hostile']}",
        "product": f"/doc/{ids['product']}",
        "versions-diff": f"/doc/{ids['product']}/diff",
        "entity": "/entity/veltrix",
        "timeline": "/timeline",
        "sources": "/sources",
        "saved": "/saved",
    }
    for name, path in pages.items():
        answer = page.goto(base + path)
        assert answer is not None and answer.status == 200, (path, answer and answer.status)
        page.wait_for_selector("main")
        watch.assert_clean()
        shot(page, name)
    assert watch.blocked == []  # nothing of ours was refused by the CSP either

    page.goto(base + f"/doc/{ids['hostile']}")
    assert "<script>window.__pwned=1</script>" in page.inner_text("article")  # shown as text


def test_document_page_reads_full_width_with_names_not_numbers(site: tuple[str, dict[str, str]],
                                                                browser: object) -> None:
    base, ids = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(base + f"/doc/{ids['visit']}")
    assert page.locator("article.text").bounding_box()["width"] > 600
    entities = page.inner_text("#entities")
    assert "Helena Duarte" in entities and "Shenzhen" in entities
    assert "Monday" not in entities and "One" not in entities.split()  # dates and numbers are not entities
    assert page.locator("article .m-quote").count() >= 1
    assert page.locator("article a.m-watched[href='/entity/helena-duarte']").count() >= 1
    assert page.locator("article .m-event").count() == 2
    assert page.locator("article .m-favor").count() >= 1
    story = page.inner_text("#story")
    assert "2 documents" in story and "timed to the minister" in story
    page.click("#story a")
    assert page.url.endswith(f"/doc/{ids['critic']}")


def test_search_page_by_keyboard(site: tuple[str, dict[str, str]], browser: object) -> None:
    base, ids = site
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(base + "/?q=Nova")
    total = page.inner_text("#total")
    assert total.endswith("matches") and int(total.split()[0]) > 20
    page.keyboard.press("j")
    first = page.evaluate("document.activeElement.textContent")
    assert page.locator(".hit.selected").count() == 1
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.textContent") == first
    page.keyboard.press("n")
    page.wait_for_url("**page=2**")
    page.keyboard.press("p")
    page.wait_for_function("!location.search.includes('page=')")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type(" Shenzhen")
    page.keyboard.press("Enter")
    page.wait_for_url("**Shenzhen**")
    assert page.inner_text("#total") == "2 matches"
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url("**/doc/**")
    assert page.locator("article.text").count() == 1


def test_facets_sort_collapse_and_a_positioned_error(site: tuple[str, dict[str, str]], browser: object) -> None:
    base, _ = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(base + "/?q=Nova")
    page.click(".facet-kind a:has-text('product')")
    assert page.inner_text("#total") == "1 match"
    page.goto(base + "/?q=veltrix")
    page.click(".facet-event a:has-text('official visit')")
    assert page.input_value("input[name=q]") == "veltrix event:official_visit"
    assert page.inner_text("#total") == "1 match"
    page.goto(base + "/?q=veltrix")
    page.click(".facet-stance a:has-text('against · Veltrix Mobile')")
    assert "stance:against:veltrix" in page.input_value("input[name=q]")
    page.goto(base + "/?q=Nova")
    page.select_option("select[name=sort]", "oldest")
    page.check("input[name=collapse]")
    page.click("form.query button")
    page.wait_for_url("**collapse=story**")
    assert page.inner_text("#total").endswith("stories")
    assert page.locator(".hit").first.inner_text().startswith("Brief 0 on Nova")  # oldest first
    page.goto(base + "/?q=Shenzhen&collapse=story")
    assert "one of 2 documents in this story" in page.inner_text("#hits")
    shot(page, "search-collapsed")
    page.goto(base + '/?q=duarte "visit')
    assert "unbalanced" in page.inner_text(".error") or "quote" in page.inner_text(".error")
    assert page.locator(".error pre.at mark").inner_text() == '"'
    shot(page, "search-error")


def test_saved_search_created_edited_muted_deleted_in_the_browser(site: tuple[str, dict[str, str]],
                                                                  browser: object) -> None:
    base, _ = site
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(base + "/?q=Nova")
    page.fill("form.save input[name=name]", "Nova watch")
    page.click("form.save button")
    page.wait_for_url("**/saved")
    assert "Nova watch" in page.inner_text("#saved")
    page.click("#saved a:has-text('edit')")
    page.check("tr.editing input[name=alert]")
    page.select_option("tr.editing select[name=frequency]", "daily")
    page.click("tr.editing button")
    page.wait_for_url("**/saved")
    row = page.inner_text("#saved")
    assert "on" in row.split() and "daily" in row
    page.click("#saved button:has-text('mute')")
    assert "muted" in page.inner_text("#saved")
    shot(page, "saved-filled")
    page.click("#saved button:has-text('delete')")
    assert "No saved searches yet" in page.inner_text("#saved")


def test_api_docs_work_offline(site: tuple[str, dict[str, str]], browser: object) -> None:
    base, _ = site
    page = browser.new_page()  # type: ignore[attr-defined]
    outside: list[str] = []
    page.route("**/*", lambda route: (outside.append(route.request.url), route.abort())
               if not route.request.url.startswith(base) else route.continue_())
    page.goto(base + "/api/docs")
    page.wait_for_selector(".opblock-summary-path[data-path='/api/entities/{entity_id}']", timeout=20000)
    assert outside == []
    shot(page, "api-docs")
