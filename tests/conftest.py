"""Shared fixtures: invented texts only; services are the real ones this machine runs."""

from __future__ import annotations

import os
import re

import pytest

# How the suites word a skip for a service that does not answer (PostgreSQL, Redis, RabbitMQ, ...).
_SERVICE_MISSING = re.compile(r"not reachable|unreachable|not running|cannot connect|no .* server", re.I)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Under CI (``CI=true``) a missing service is a failure, never a skip: CI runs every service, so a
    skip there would hide a broken set-up. Elsewhere (a laptop without PostgreSQL) the skip stays."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") != "true" or not report.skipped or call.excinfo is None:
        return
    reason = str(getattr(call.excinfo.value, "msg", call.excinfo.value))
    if _SERVICE_MISSING.search(reason):
        report.outcome = "failed"
        report.longrepr = f"CI=true: a service the tests need is missing (a failure under CI, not a skip): {reason}"

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
