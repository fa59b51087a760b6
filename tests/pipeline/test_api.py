"""HTTP API and web UI over a real SQLite store: search, documents, health, escaping, token auth."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pipeline.cli import main
from pipeline.config import Config
from pipeline.web.api import create_app, is_loopback
from pipeline.wiring import make_store
from storage.models import Document

HOSTILE = "<script>window.__pwned = 1</script>"


@pytest.fixture
def filled(config: Config) -> Config:
    store = make_store(config)
    store.upsert(Document(url="https://ledger.example/nova", source="ledger", title="Veltrix unveils the Nova 7",
                          published_at="2026-03-10", text="Veltrix Mobile unveiled the Nova 7 in Shenzhen."))
    store.upsert(Document(url="https://shop.example/mug", source="shop", kind="product",
                          title=f"Duarte mug {HOSTILE}", published_at="2026-03-11",
                          text=f"Mug with Helena Duarte's portrait. {HOSTILE} Ships fast."))
    store.close()
    return config


def test_search_api_returns_hits_total_and_facets(filled: Config) -> None:
    client = TestClient(create_app(filled), base_url="http://127.0.0.1")
    body = client.get("/api/search", params={"q": "Nova"}).json()
    assert body["total"] == 1 and body["hits"][0]["source"] == "ledger"
    assert body["facets"]["source"] == {"ledger": 1}
    doc = client.get(f"/api/documents/{body['hits'][0]['id']}").json()
    assert doc["title"] == "Veltrix unveils the Nova 7"
    assert client.get("/api/documents/nope").status_code == 404
    assert client.get("/api/search", params={"q": "AND ("}).status_code == 400


def test_volume_and_sources(filled: Config) -> None:
    client = TestClient(create_app(filled), base_url="http://127.0.0.1")
    assert client.get("/api/stats/volume").json()["per_day"] == [{"date": "2026-03-10", "count": 1},
                                                                  {"date": "2026-03-11", "count": 1}]
    assert {r["source"] for r in client.get("/api/sources").json()} >= {"ledger", "shop"}


def test_pages_escape_crawled_html(filled: Config) -> None:
    client = TestClient(create_app(filled), base_url="http://127.0.0.1")
    page = client.get("/", params={"q": "mug"})
    assert page.status_code == 200 and "Duarte" in page.text
    assert HOSTILE not in page.text and "&lt;script&gt;" in page.text
    csp = dict(d.strip().split(" ", 1) for d in page.headers["content-security-policy"].split(";"))
    assert csp["script-src"] == "'self'"  # our own script files only: no inline script, no other site
    doc_id = client.get("/api/search", params={"q": "mug"}).json()["hits"][0]["id"]
    view = client.get(f"/doc/{doc_id}")
    assert HOSTILE not in view.text and "&lt;script&gt;" in view.text
    assert "<svg" in client.get("/").text


def test_token_is_required_when_configured(filled: Config) -> None:
    client = TestClient(create_app(filled, token="s3cret-token"), base_url="http://127.0.0.1")
    assert client.get("/api/search", params={"q": "Nova"}).status_code == 401
    assert client.get("/").status_code == 401
    ok = client.get("/api/search", params={"q": "Nova"}, headers={"Authorization": "Bearer s3cret-token"})
    assert ok.status_code == 200
    assert client.post("/login", content="token=wrong",
                       headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 401
    login = client.post("/login", content="token=s3cret-token", follow_redirects=False,
                        headers={"content-type": "application/x-www-form-urlencoded"})
    assert login.status_code == 303
    assert client.get("/").status_code == 200  # the cookie now carries the token


def test_binding_beyond_localhost_needs_a_token(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("NEWSWATCH_API_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["serve", "--host", "0.0.0.0", "--port", "8999"]) == 2
    assert "NEWSWATCH_API_TOKEN" in capsys.readouterr().err
    assert is_loopback("127.0.0.1") and is_loopback("::1") and not is_loopback("0.0.0.0")
