"""Script links never reach a reader (issue 16, High 1): checked at ingest and again at render time.

A document stored with a ``javascript:`` URL (by an older version, another writer, or a crawl
path that slipped) must not become a clickable link in the digest, an alert email, the web UI,
a Slack message, or a webhook/stdout payload. Texts and hosts are invented for these tests.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from pipeline.alerts.channels import alert_html, alert_text, slack_channel, stdout_channel, webhook_channel
from pipeline.alerts.outbox import OutboxItem
from pipeline.config import ChannelConfig, Config
from pipeline.digest.build import collect, render_html
from pipeline.ingest.ingestor import IngestError, document_from_record
from pipeline.web.api import create_app
from pipeline.wiring import make_store
from storage.models import Annotations, Document, Entity, WatchEntry
from storage.url_safety import link_html, safe_http_url

SCRIPT = "javascript:alert(document.cookie)//"
HIDDEN = ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "java\tscript:alert(1)", "java\nscript:alert(1)",
          "\x01javascript:alert(1)", " javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "vbscript:x",
          "javascript://%0Aalert(1)", "//evil.example/x", "/relative", "http:///nohost", "https://[::1/x"]
ALERT = {"rule": "r", "entity_id": "e", "entity_name": "Ana Reis", "why": "Ana Reis mentioned", "url": SCRIPT,
         "title": "Harbour <news>", "kind": "article", "source": "blog", "evidence": "Ana Reis said so.", "key": "k"}
HREFS = re.compile(r"""href\s*=\s*["']?\s*([^"' >]*)""", re.IGNORECASE)


def script_hrefs(html: str) -> list[str]:
    return [h for h in HREFS.findall(html) if not h.startswith(("http://", "https://", "/", "?"))]


@pytest.mark.parametrize("url", HIDDEN)
def test_only_absolute_http_urls_pass(url: str) -> None:
    assert safe_http_url(url) is None
    assert "<a" not in link_html(url, "x")


@pytest.mark.parametrize("url", ["https://news.example/a?x=1&y=2", "http://127.0.0.1:8080/p", "https://x.example"])
def test_ordinary_urls_still_pass(url: str) -> None:
    assert safe_http_url(url) == url


@pytest.mark.parametrize("url", HIDDEN[:9])
def test_ingest_refuses_a_non_http_url_naming_the_field(url: str) -> None:
    with pytest.raises(IngestError, match="field 'url'"):
        document_from_record({"url": url, "text": "Ana Reis opened the harbour market."})


def test_digest_never_links_a_stored_script_url(config: Config) -> None:
    store = make_store(config)
    ana = Entity(text="Ana Reis", start=0, end=8, label="PERSON", entity_id="e", canonical="Ana Reis")
    try:
        store.upsert(Document(url=SCRIPT, title="Harbour market opens", source="blog", published_at="2026-03-10",
                              text="Ana Reis opened the harbour market on Tuesday.",
                              annotations=Annotations(entities=[ana])))
        data = collect(store, [WatchEntry(id="e", name="Ana Reis", type="person", watchlist="w")], "T")
    finally:
        store.close()
    data.alerts = [ALERT]
    html = render_html(data)
    assert "Harbour market opens" in html and "Harbour &lt;news&gt;" in html  # the story and the alert
    assert script_hrefs(html) == [] and "href=\"javascript" not in html


def test_alert_email_and_chat_payloads_carry_no_script_link(monkeypatch: pytest.MonkeyPatch) -> None:
    assert script_hrefs(alert_html(ALERT)) == [] and "javascript:" not in alert_html(ALERT)
    assert "javascript:" not in alert_text(ALERT)
    posted: list[bytes] = []
    monkeypatch.setattr("pipeline.alerts.channels._post_json", lambda url, body, headers, timeout: posted.append(body))
    item = OutboxItem(id=1, key="k", channel="c", payload=ALERT, attempts=0)
    webhook_channel(ChannelConfig(name="c", type="webhook", url="https://hooks.example/x"))(item)
    slack_channel(ChannelConfig(name="s", type="slack", url="https://hooks.example/s"))(item)
    out = io.StringIO()
    stdout_channel(out)(item)
    assert json.loads(posted[0])["alert"]["url"] is None
    assert "javascript:" not in posted[1].decode() and json.loads(out.getvalue())["url"] is None


def test_ui_pages_never_link_a_stored_script_url(config: Config) -> None:
    store = make_store(config)
    try:
        store.upsert(Document(url=SCRIPT, title="Harbour market opens", source="blog", published_at="2026-03-10",
                              text="Ana Reis opened the harbour market on Tuesday."))
    finally:
        store.close()
    client = TestClient(create_app(config), base_url="http://127.0.0.1")
    hit = client.get("/api/search", params={"q": "harbour"}).json()["hits"][0]
    for page in (client.get("/", params={"q": "harbour"}).text, client.get(f"/doc/{hit['id']}").text):
        assert "Harbour market opens" in page and script_hrefs(page) == []


# ------------------------------------------------------------------ Medium: Slack injection


def test_slack_message_escapes_control_sequences(monkeypatch: pytest.MonkeyPatch) -> None:
    posted: list[bytes] = []
    monkeypatch.setattr("pipeline.alerts.channels._post_json", lambda url, body, headers, timeout: posted.append(body))
    payload = {**ALERT, "url": "https://news.example/a?x=1&y=2",
               "title": "<!channel> see <https://evil.example|the filing>", "why": "<!everyone> & co",
               "evidence": "<@U123> said > <"}
    slack_channel(ChannelConfig(name="s", type="slack", url="https://hooks.example/s"))(
        OutboxItem(id=1, key="k", channel="s", payload=payload, attempts=0))
    text = json.loads(posted[0])["text"]
    assert "<!channel>" not in text and "<!everyone>" not in text and "<https://evil.example" not in text
    assert "<@U123>" not in text
    assert "&lt;!channel&gt;" in text and "&amp; co" in text
    assert text.count("<") == 1 and "<https://news.example/a?x=1&amp;y=2|" in text  # our one link
