"""The CLI, ``/api/search`` and the UI search page read one query language (issue 20).

``link:`` used to work in the CLI only (the API and the UI found nothing); now the store parses
every query, so the three answer alike. Fuzzed queries through the API are 200 or 400, never 500.
Texts are invented for these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipeline.web.api as web_api
from pipeline.cli import main
from pipeline.config import Config
from pipeline.web.api import create_app
from pipeline.wiring import make_store
from storage.models import Document, LinkEnd

FRAGMENTS = ['"', "(", ")", "NEAR(", "NEAR/2", "^", "title:x", "*", "-", "OR", "NOT", "source:", "kind:post",
             "published:7d", "published:2026-13-01", "stance:against:", "link:any", "harbour", "visit", "%", "\x00"]


@pytest.fixture
def config_file(tmp_path: Path, config: Config) -> tuple[Config, Path]:
    store = make_store(config)
    a = Document(url="https://wire.test/visit", source="wire", title="Minister visits harbour",
                 text="The trade minister visited the harbour on Monday.", published_at="2026-09-02")
    b = Document(url="https://wire.test/launch", source="wire", title="Launch",
                 text="Quasar launched a phone at the harbour the same day.", published_at="2026-09-02")
    c = Document(url="https://blog.test/other", source="blog", text="Another harbour story, unrelated.")
    store.upsert_many([a, b, c])  # type: ignore[attr-defined]
    from storage.models import Link

    store.events.add_links([Link(id="L1", rule="visit_launch", score=0.9, entities=["org:quasar"],  # type: ignore
                                 events=(LinkEnd(f"{a.id}:e1", "official_visit", a.id),
                                         LinkEnd(f"{b.id}:e1", "product_launch", b.id)))])
    store.close()
    path = tmp_path / "newswatch.toml"
    path.write_text(f'data_dir = "{config.data_dir}"\n')
    return config, path


@pytest.fixture
def client(config_file: tuple[Config, Path], monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setattr(web_api, "SEARCH_BURST", 10_000)  # the fuzz below sends many searches at once
    config, _ = config_file
    return TestClient(create_app(config), base_url="http://127.0.0.1")


@pytest.mark.parametrize("query", ["link:L1", "link:any harbour", "link:visit_launch", "link:org:quasar",
                                   "link:official_visit", "harbour -link:any", "harbour source:blog"])
def test_cli_and_api_find_the_same_documents(config_file: tuple[Config, Path], client: TestClient,
                                             capsys: pytest.CaptureFixture[str], query: str) -> None:
    _, path = config_file
    assert main(["search", query, "--json", "--config", str(path)]) == 0
    cli_urls = {json.loads(line)["url"] for line in capsys.readouterr().out.splitlines()}
    api = client.get("/api/search", params={"q": query}).json()
    assert {h["url"] for h in api["hits"]} == cli_urls and api["total"] == len(cli_urls) > 0
    page = client.get("/", params={"q": query})
    assert page.status_code == 200
    assert all(url in page.text for url in cli_urls)


def test_api_sorts_collapses_and_counts_facets(client: TestClient) -> None:
    answer = client.get("/api/search", params={"q": "harbour", "sort": "date", "collapse": "true"}).json()
    assert answer["sort"] == "date" and answer["collapsed"] is True
    assert answer["hits"][-1]["url"] == "https://blog.test/other"  # no date: last when newest first
    assert set(answer["facets"]) >= {"source", "kind", "lang", "entity_id", "event", "stance", "day"}
    assert client.get("/api/search", params={"q": "harbour", "sort": "sideways"}).status_code == 400


def test_api_error_names_the_position(client: TestClient) -> None:
    answer = client.get("/api/search", params={"q": 'harbour "minister'})
    assert answer.status_code == 400
    body = answer.json()
    assert body["position"] == 8 and body["column"] == 9 and "unbalanced quote at 9" in body["error"]


def test_cli_bad_query_is_exit_2_with_the_position(config_file: tuple[Config, Path],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _, path = config_file
    assert main(["search", "(harbour", "--config", str(path)]) == 2
    assert "unbalanced parenthesis at 1" in capsys.readouterr().err
    assert main(["search", "OR", "--config", str(path)]) == 2
    assert "no words" in capsys.readouterr().err


@settings(max_examples=80, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(q=st.one_of(st.text(max_size=60), st.lists(st.sampled_from(FRAGMENTS), max_size=10).map(" ".join)))
def test_fuzzed_queries_through_the_api_are_200_or_400(client: TestClient, q: str) -> None:
    answer = client.get("/api/search", params={"q": q})
    assert answer.status_code in (200, 400), answer.text
    if answer.status_code == 400:
        assert answer.json()["error"]
