"""The API, the CLI and ingest against hostile requests (issue 16), on SQLite and on PostgreSQL.

Bad parameters are the caller's error (400 / exit 2), never a 500 or "please report it"; Host
names are checked when no token guards the API (DNS rebinding); tokens are handled with care.
Texts are invented for these tests.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pipeline.cli import main
from pipeline.config import ApiConfig, Config
from pipeline.web.api import create_app, login_cookie_value
from storage.base import Store
from storage.models import Document

TOKEN = "a-test-token-that-is-long-enough-0123456789"
LOCAL = "http://127.0.0.1"


class Opener:
    """Opens the backend under test; ``url`` is its ``[storage] url`` for commands run through the CLI."""

    def __init__(self, url: str, make: Callable[[], Store]) -> None:
        self.url, self.make = url, make

    def __call__(self) -> Store:
        return self.make()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def opener(pg_dsn: str, request: pytest.FixtureRequest, config: Config) -> Iterator[Opener]:
    if request.param == "sqlite":
        from pipeline.wiring import make_store

        yield Opener(config.storage_url, lambda: make_store(config))
        return
    from storage.base import StoreError
    from storage.postgres_store import PostgresStore

    schema = "nw_api_" + uuid.uuid4().hex[:10]
    try:
        PostgresStore(pg_dsn, schema=schema).close()
    except StoreError as e:
        pytest.skip(f"PostgreSQL not reachable at {pg_dsn}: {e}")
    yield Opener(f"{pg_dsn}?schema={schema}", lambda: PostgresStore(pg_dsn, schema=schema))
    cleanup = PostgresStore(pg_dsn, schema=schema)
    cleanup.drop_schema()
    cleanup.close()


@pytest.fixture
def app_for(config: Config, opener: Callable[[], Store]) -> Callable[..., TestClient]:
    store = opener()
    store.upsert(Document(url="https://ledger.example/a", source="ledger", title="Harbour reopens",
                          text="The harbour reopened on Monday after the storm, the port office said."))
    store.close()

    def make(token: str | None = None, base_url: str = LOCAL, **api: object) -> TestClient:
        if api:
            config.api = ApiConfig(**api)  # type: ignore[arg-type]
        return TestClient(create_app(config, token, store_factory=opener), base_url=base_url)

    return make


@pytest.mark.parametrize("params", [
    {"q": "harbour", "offset": str(2**63)}, {"q": "harbour", "offset": "-5"}, {"q": "harbour", "limit": "-1"},
    {"q": "x" * 3000}, {"q": "harbour " + "y" * 500}, {"q": '"'}, {"q": "-harbour"}, {"q": "OR"},
    {"q": "harbour", "source": "led\x00ger"}, {"q": " OR ".join(f"w{i}" for i in range(80))},
])
def test_bad_search_parameters_are_400_on_every_backend(app_for: Callable[..., TestClient], params: dict) -> None:
    answer = app_for().get("/api/search", params=params)
    assert answer.status_code == 400, answer.text
    assert answer.json().get("error") or answer.json().get("detail")


@pytest.mark.parametrize("q", ["harbour\x00", "\x00harbour storm"])
def test_nul_in_a_query_is_just_a_separator(app_for: Callable[..., TestClient], q: str) -> None:
    answer = app_for().get("/api/search", params={"q": q})
    assert answer.status_code == 200 and answer.json()["total"] == 1


def test_huge_page_number_in_the_ui_is_a_clear_400(app_for: Callable[..., TestClient]) -> None:
    assert app_for().get("/", params={"q": "harbour", "page": str(10**18)}).status_code == 400


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8080", "127.0.0.1.attacker.example",
                                  "localhost.attacker.example", "10.0.0.5"])
def test_without_a_token_only_local_host_names_are_served(app_for: Callable[..., TestClient], host: str) -> None:
    client = app_for()
    answer = client.get("/api/search", params={"q": "harbour"}, headers={"Host": host})
    assert answer.status_code == 421 and "Host" in answer.json()["error"]


@pytest.mark.parametrize("host", ["127.0.0.1:8080", "localhost", "localhost:9", "[::1]:8080"])
def test_local_host_names_are_served(app_for: Callable[..., TestClient], host: str) -> None:
    assert app_for().get("/api/search", params={"q": "harbour"}, headers={"Host": host}).status_code == 200


def test_configured_host_names_are_served(app_for: Callable[..., TestClient]) -> None:
    client = app_for(allowed_hosts=["newswatch.lan"])
    assert client.get("/api/search", params={"q": "harbour"}, headers={"Host": "newswatch.lan:8080"}).status_code == 200


def test_with_a_token_any_host_name_may_ask(app_for: Callable[..., TestClient]) -> None:
    client = app_for(token=TOKEN)
    answer = client.get("/api/search", params={"q": "harbour"},
                        headers={"Host": "news.example.org", "Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_bearer_scheme_is_case_insensitive(app_for: Callable[..., TestClient], scheme: str) -> None:
    client = app_for(token=TOKEN)
    assert client.get("/api/search", params={"q": "x"}, headers={"Authorization": f"{scheme} {TOKEN}"}).status_code \
        == 200
    assert client.get("/api/search", params={"q": "x"}, headers={"Authorization": f"{scheme} {TOKEN}x"}).status_code \
        == 401


def test_login_cookie_never_holds_the_token_and_is_secure_over_tls(app_for: Callable[..., TestClient]) -> None:
    for base, secure in ((LOCAL, False), ("https://127.0.0.1", True)):
        client = app_for(token=TOKEN, base_url=base)
        login = client.post("/login", content=f"token={TOKEN}", follow_redirects=False,
                            headers={"content-type": "application/x-www-form-urlencoded"})
        cookie = login.headers["set-cookie"]
        assert login.status_code == 303 and TOKEN not in cookie
        assert login_cookie_value(TOKEN) in cookie and ("Secure" in cookie) == secure
        assert client.get("/").status_code == 200  # the cookie opens the UI
    forged = app_for(token=TOKEN)
    forged.cookies.set("newswatch_token", TOKEN)  # the raw token is not what the cookie must hold
    assert forged.get("/").status_code == 401


def test_search_is_rate_limited_per_client(app_for: Callable[..., TestClient]) -> None:
    client = app_for()
    codes = [client.get("/api/search", params={"q": "harbour"}).status_code for _ in range(60)]
    assert codes[0] == 200 and 429 in codes


def test_serve_refuses_a_short_token(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWATCH_API_TOKEN", "short")
    monkeypatch.chdir(tmp_path)
    assert main(["serve", "--port", "8999"]) == 2
    assert "at least 32" in capsys.readouterr().err


# ------------------------------------------------------------------ CLI usage errors


@pytest.mark.parametrize("argv", [['"'], ["--", "-word"], ["OR"], ["harbour", "--limit", "-1"],
                                  ["harbour", "--offset", "-5"], ["harbour", "--offset", str(2**63)]])
def test_search_usage_errors_exit_2_with_a_message(config: Config, tmp_path: Path, argv: list[str],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "nw.toml"
    cfg.write_text(f'data_dir = "{config.data_dir}"\n', encoding="utf-8")
    assert main(["search", "--config", str(cfg), *argv]) == 2
    err = capsys.readouterr().err
    assert "newswatch: error:" in err and "please report" not in err


# ------------------------------------------------------------------ ingest: NUL bytes


def test_ingest_answers_a_nul_byte_with_an_error_line_and_goes_on(tmp_path: Path, opener: Opener,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    lines = [{"url": "https://a.example/1", "text": "Harbour text one\x00with a NUL."},
             {"url": "https://a.example/2", "text": "Harbour text two.", "title": "T\x00"},
             {"url": "https://a.example/3", "text": "Harbour text three is fine."}]
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    cfg = tmp_path / "nw.toml"
    cfg.write_text(f'data_dir = "{tmp_path / "data"}"\n[storage]\nurl = "{opener.url}"\n', encoding="utf-8")
    assert main(["ingest", str(data), "--no-analyze", "--config", str(cfg)]) == 0
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert "NUL" in out[0]["error"] and "'title'" in out[1]["error"] and out[2]["status"] == "new"
    store = opener()  # the store the command wrote to is the backend under test, and holds the good line
    try:
        assert [h.url for h in store.search("three").hits] == ["https://a.example/3"]
    finally:
        store.close()
