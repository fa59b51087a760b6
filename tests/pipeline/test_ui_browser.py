"""The web UI in headless Debian Chromium: search, facet, open a document; crawled scripts never run."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
import uvicorn
from mailkit import free_port

from pipeline.config import Config
from pipeline.web.api import create_app
from pipeline.wiring import make_store
from storage.models import Document

CHROMIUM = "/usr/bin/chromium"
HOSTILE = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=1</script>"
pytestmark = pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium not installed "
                                "(apt-get install -y chromium; .ci/run does it)")



@pytest.fixture
def base_url(config: Config):
    store = make_store(config)
    store.upsert(Document(url="https://ledger.example/nova", source="ledger", title="Veltrix unveils the Nova 7",
                          published_at="2026-03-10", text="Veltrix Mobile unveiled the Nova 7 phone in Shenzhen."))
    store.upsert(Document(url="https://shop.example/case", source="shop", kind="product",
                          title="Nova 7 case with Duarte portrait", published_at="2026-03-11",
                          text=f"A phone case for the Nova 7. {HOSTILE}"))
    store.close()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def test_search_facet_and_document_in_chromium(base_url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()
            page.goto(base_url + "/")
            page.fill("input[name=q]", "Nova")
            page.click("button")
            page.wait_for_selector("#total")
            assert page.inner_text("#total") == "2 matches"
            assert page.locator("mark").first.inner_text() == "Nova"
            page.click(".facet-kind a:has-text('product')")
            assert page.inner_text("#total") == "1 match"
            page.click(".hit a.title")
            page.wait_for_selector("article")
            assert "onerror" in page.inner_text("article")  # shown as text ...
            assert page.evaluate("window.__pwned") is None  # ... never run
            assert page.locator("article img").count() == 0
        finally:
            browser.close()
