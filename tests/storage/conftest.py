"""A PostgreSQL store in a schema of its own per test, dropped afterwards (the PostgreSQL-only storage tests)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from storage.base import StoreError
from storage.postgres_store import PostgresStore


@pytest.fixture
def pg_store(pg_dsn: str) -> Iterator[PostgresStore]:
    try:
        store = PostgresStore(pg_dsn, schema="nw_storage_" + uuid.uuid4().hex[:12])
    except StoreError as e:
        pytest.skip(f"PostgreSQL not reachable at {pg_dsn}: {e}")
    yield store
    store.drop_schema()
    store.close()
