"""Shared fixtures: invented texts only; services are the real ones this machine runs."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own $NEWSWATCH_CONFIG must never leak into tests."""
    monkeypatch.delenv("NEWSWATCH_CONFIG", raising=False)


@pytest.fixture(scope="session")
def pg_dsn() -> str:
    """The PostgreSQL server the tests use (this machine's, database ``test``); override with $NEWSWATCH_TEST_PG."""
    return os.environ.get("NEWSWATCH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
