"""The HTTP API beyond search, over a real SQLite store: entities, events, links, timeline, stories,
versions, streamed exports, saved searches turned into alert rules, CSRF refusals, offline docs."""

from __future__ import annotations

import csv
import io
import json

import pytest
import webfixture
from fastapi.testclient import TestClient

from pipeline.alerts.saved_searches import SavedSearches
from pipeline.config import Config
from pipeline.web.api import create_app

JSON = {"content-type": "application/json"}


@pytest.fixture
def filled(config: Config) -> tuple[Config, dict[str, str]]:
    return config, webfixture.fill(config)


@pytest.fixture
def client(filled: tuple[Config, dict[str, str]]) -> TestClient:
    return TestClient(create_app(filled[0]), base_url="http://127.0.0.1")


def test_entity_has_mentions_per_day_stance_with_evidence_events_and_co_mentions(client: TestClient) -> None:
    body = client.get("/api/entities/veltrix").json()
    assert body["entity"]["name"] == "Veltrix Mobile" and body["documents"] == 3
    assert body["mentions_per_day"] == [{"date": "2026-03-10", "count": 2}, {"date": "2026-03-11", "count": 1}]
    quoted = {(s["holder"], s["label"]) for s in body["stance"]}
    assert ("Helena Duarte", "favor") in quoted and ("Marta Quell", "against") in quoted
    assert all(s["evidence"]["text"] for s in body["stance"])
    day = {d["date"]: d for d in body["stance_per_day"]}
    assert day["2026-03-11"]["against"] == 2 and day["2026-03-10"]["favor"] == 1
    assert {e["event"]["type"] for e in body["events"]} == {"product_launch", "merchandise"}
    co = {c["name"]: c for c in body["co_mentioned"]}
    assert co["Helena Duarte"]["documents"] == 2 and co["Veltrix Nova 7"]["entity_id"] == "nova-7"
    assert "Monday" not in co and "One" not in co  # dates and numbers are not entities
    assert client.get("/api/entities/nobody").status_code == 404


def test_timeline_puts_the_launch_inside_the_visit_and_keeps_the_link(client: TestClient,
                                                                      filled: tuple[Config, dict[str, str]]) -> None:
    visit_id = filled[1]["visit"]
    body = client.get("/api/timeline", params=[("type", "official_visit"), ("type", "product_launch")]).json()
    assert [e["type"] for e in body["events"]] == ["official_visit", "product_launch"]
    assert body["visits"] == [{"visit": f"{visit_id}:e1", "inside": [f"{visit_id}:e2"]}]
    assert len(body["links"]) == 1 and "during Helena Duarte's visit" in body["links"][0]["explanation"]
    later = client.get("/api/events", params={"since": "2026-03-10"}).json()["events"]
    assert {e["type"] for e in later} == {"product_launch", "merchandise"}
    assert len(client.get("/api/links").json()) == 2


def test_stories_and_versions(client: TestClient, filled: tuple[Config, dict[str, str]]) -> None:
    ids = filled[1]
    assert client.get("/api/stories").json()[0]["size"] == 2
    story = client.get("/api/stories/story-visit").json()
    assert story["documents"] == [ids["visit"], ids["critic"]]
    assert [v["version"] for v in client.get(f"/api/documents/{ids['product']}/versions").json()] == [1, 2]
    diff = client.get(f"/api/documents/{ids['product']}/diff", params={"a": 1, "b": 2}).json()
    assert ("product price", "19.99", "24.99") in [tuple(f) for f in diff["fields"]]
    assert ["del", "days."] in diff["left"] and ["ins", "weeks."] in diff["right"]


def test_exports_stream_every_row_in_three_formats(config: Config) -> None:
    webfixture.fill(config, extra_articles=1200)  # more than one chunk of rows
    client = TestClient(create_app(config), base_url="http://127.0.0.1")
    lines = client.get("/api/export", params={"format": "jsonl"}).text.splitlines()
    assert len(lines) == 1204 and all(json.loads(line)["id"] for line in lines)
    rows = list(csv.DictReader(io.StringIO(client.get("/api/export", params={"format": "csv"}).text)))
    assert len(rows) == 1204
    hostile = next(r for r in rows if r["source"].startswith("fediverse"))
    assert hostile["author"].startswith('"><svg')  # kept as text ...
    assert all(not r["title"].startswith(("=", "+", "-", "@")) for r in rows)  # ... and no formula runs
    import pyarrow.parquet as pq

    answer = client.get("/api/export", params={"format": "parquet"})
    assert answer.headers["content-type"].startswith("application/vnd.apache.parquet")
    table = pq.read_table(io.BytesIO(answer.content))
    assert table.num_rows == 1204 and "entities" in table.column_names
    assert client.get("/api/export", params={"format": "xlsx"}).status_code == 400


def test_saved_search_lifecycle_and_alert_rule(client: TestClient, filled: tuple[Config, dict[str, str]]) -> None:
    made = client.post("/api/saved-searches", json={"name": "Nova", "query": "nova"})
    assert made.status_code == 201
    ident = made.json()["id"]
    assert [s["name"] for s in client.get("/api/saved-searches").json()] == ["Nova"]
    rule = client.post(f"/api/saved-searches/{ident}/alert", json={"frequency": "daily"}).json()
    assert rule["alert"] and rule["rule"] == {"name": f"saved:{ident}", "type": "search", "query": "nova",
                                              "channels": [], "cooldown_s": 86400}
    rules = SavedSearches(filled[0].scheduler.db_url).alert_rules()
    assert [r.name for r in rules] == [f"saved:{ident}"]
    assert client.patch(f"/api/saved-searches/{ident}", json={"muted": True}).json()["muted"]
    assert SavedSearches(filled[0].scheduler.db_url).alert_rules() == []  # muted rules do not run
    bad = client.post("/api/saved-searches", json={"name": "x", "query": "y", "frequency": "hourly"})
    assert bad.status_code == 400 and "frequency" in bad.text
    unknown = client.post(f"/api/saved-searches/{ident}/alert", json={"channels": ["nowhere"]})
    assert unknown.status_code == 400 and "nowhere" in unknown.text
    assert client.delete(f"/api/saved-searches/{ident}").status_code == 204
    assert client.get(f"/api/saved-searches/{ident}").status_code == 404


def test_state_changes_from_another_site_are_refused(client: TestClient) -> None:
    body = json.dumps({"name": "x", "query": "y"})
    form = {"content-type": "application/x-www-form-urlencoded"}
    assert client.post("/api/saved-searches", content=body, headers={"content-type": "text/plain"}).status_code == 403
    assert client.post("/api/saved-searches", content=body,
                       headers={**JSON, "origin": "https://evil.example"}).status_code == 403
    assert client.post("/api/saved-searches", content=body,
                       headers={**JSON, "sec-fetch-site": "cross-site"}).status_code == 403
    assert client.post("/saved", content="name=x&query=y", headers=form).status_code == 403  # no form token
    assert client.post("/saved", content="name=x&query=y&csrf=forged", headers=form).status_code == 403
    assert client.get("/api/saved-searches").json() == []
    page = client.get("/saved").text
    token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    ok = client.post("/saved", content=f"name=x&query=y&csrf={token}", headers={**form, "origin": "http://127.0.0.1"},
                     follow_redirects=False)
    assert ok.status_code == 303 and len(client.get("/api/saved-searches").json()) == 1
    assert "access-control-allow-origin" not in client.get("/api/entities", headers={"origin": "https://a.example"}
                                                           ).headers


def test_api_docs_are_served_from_this_server(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200 and "cdn" not in page.text.lower() and "<script>" not in page.text
    srcs = [part.split('"', 1)[0] for part in page.text.split('src="')[1:]]
    assert srcs and all(s.startswith("/static/") for s in srcs)
    for src in srcs:
        assert client.get(src).status_code == 200
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/entities/{entity_id}", "/api/timeline", "/api/export", "/api/saved-searches"} <= set(paths)


def test_pages_answer_and_escape(client: TestClient, filled: tuple[Config, dict[str, str]]) -> None:
    ids = filled[1]
    for path in ("/entity/veltrix", "/timeline", "/saved", f"/doc/{ids['hostile']}", f"/doc/{ids['product']}/diff",
                 "/sources", "/?q=fans"):
        page = client.get(path)
        assert page.status_code == 200, path
        for payload in webfixture.XSS:
            assert payload not in page.text, (path, payload)
    assert client.get("/entity/nobody").status_code == 404
    assert "1 match" in client.get("/", params={"q": "fans"}).text
