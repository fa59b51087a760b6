from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from webhook_kit import Webhook

from pipeline.config import Config, load_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def example_config() -> Config:
    return load_config(ROOT / "newswatch.example.toml")


@pytest.fixture(scope="session")
def analyzer(example_config: Config):
    from pipeline.wiring import make_analyzer

    return make_analyzer(example_config)


@pytest.fixture
def config(tmp_path: Path, example_config: Config) -> Config:
    """The example config, pointed at a fresh data directory."""
    return Config(data_dir=tmp_path / "data", sources=example_config.sources, watchlists=example_config.watchlists,
                  alerts=example_config.alerts, digest=example_config.digest, smtp=replace(example_config.smtp),
                  nlp=example_config.nlp)




@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(pg_dsn: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A service database (jobs, outbox) on SQLite, and on the real PostgreSQL in a throwaway schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'service.db'}"
        return
    psycopg = pytest.importorskip("psycopg")
    schema = "nw_svc_" + uuid.uuid4().hex[:10]
    try:
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.Error as e:
        pytest.skip(f"PostgreSQL not reachable at {pg_dsn}: {e}")
    yield f"{pg_dsn}?options=-csearch_path%3D{schema}"
    from pipeline.servicedb.schema import dispose_all

    dispose_all()
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    """A local webhook endpoint for the test, shut down after it."""
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:  # a sender killed mid-request leaves a cut body: not a delivery, as for a real receiver
                json.loads(body)
            except ValueError:
                self.send_response(400)
                self.end_headers()
                return
            received.append(body)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Webhook(f"http://127.0.0.1:{server.server_address[1]}/hook", received)
    server.shutdown()
    server.server_close()
