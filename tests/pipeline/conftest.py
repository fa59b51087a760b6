from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

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
