"""Every GET endpoint of the OpenAPI schema, with odd path and query values: an answer, never a 500.

A small stand-in for schemathesis (not a dependency): the values are the classic troublemakers
(empty, very long, NUL, SQL and FTS fragments, traversal, non-ASCII, numbers out of range).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
import webfixture
from fastapi.testclient import TestClient

from pipeline.config import Config
from pipeline.web.api import create_app

ODD = ["", "x", "0", "-1", "9" * 30, "a" * 5000, "\x00", "' OR 1=1 --", "NEAR(", "^title:*", "../../etc/passwd",
       "海伦娜·杜阿尔特", "%zz", "null", "[]", "2026-13-45"]


@pytest.fixture
def client(config: Config) -> TestClient:
    webfixture.fill(config)
    return TestClient(create_app(config), base_url="http://127.0.0.1", raise_server_exceptions=False)


def test_no_get_endpoint_answers_500(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    tried = 0
    for path, ops in schema["paths"].items():
        op = ops.get("get")
        if op is None:
            continue
        params = op.get("parameters", [])
        for value in ODD:
            url = path
            for p in params:
                if p["in"] == "path":
                    url = url.replace("{" + p["name"] + "}", quote(value, safe="") or "x")
            query = {p["name"]: value for p in params if p["in"] == "query"}
            answer = client.get(url, params=query)
            tried += 1
            assert answer.status_code < 500, (path, value, answer.status_code, answer.text[:300])
    assert tried > 100
