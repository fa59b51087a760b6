"""The backend-parametrised store fixtures every contract suite runs over (SQLite, PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from storage.base import Store, StoreError

Opener = Callable[[], Store]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def opener(pg_dsn: str, request: pytest.FixtureRequest, tmp_path) -> Iterator[Opener]:
    """Opens the backend's store, again and again on the same data (for reopen tests)."""
    opened: list[Store] = []
    if request.param == "sqlite":
        from storage.sqlite_store import SQLiteStore

        def open_sqlite() -> Store:
            opened.append(SQLiteStore(tmp_path / "store.db"))
            return opened[-1]

        yield open_sqlite
    else:
        from storage.postgres_store import PostgresStore

        schema = "nw_test_" + uuid.uuid4().hex[:12]

        def open_pg() -> Store:
            opened.append(PostgresStore(pg_dsn, schema=schema))
            return opened[-1]

        try:
            open_pg()
        except StoreError as e:
            pytest.skip(f"PostgreSQL not reachable at {pg_dsn}: {e}")
        yield open_pg
        cleanup = PostgresStore(pg_dsn, schema=schema)
        cleanup.drop_schema()
        cleanup.close()
    for s in opened:
        s.close()


@pytest.fixture
def store(opener: Opener) -> Store:
    return opener()
