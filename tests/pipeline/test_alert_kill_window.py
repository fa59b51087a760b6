"""An alert survives a SIGKILL at the worst moment (issue 16, High 4), on SQLite and on PostgreSQL.

``newswatch ingest`` runs in a subprocess that kills itself (SIGKILL, no clean-up of any kind) at
one exact point; a second, ordinary run of the same file must then deliver every alert exactly
once to a local webhook. The points:

- ``after_alert_mark``: the store has just committed an alert's "sent once" mark (where the
  mark used to come before the outbox write, so the alert was marked sent and never delivered);
- ``after_doc_commit``: the store has just committed the document, before any listener heard of
  it (the re-run used to see it unchanged and never evaluate the rules that need its analysis,
  here the listing rule on the product).

Texts and names are invented for these tests.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import configkit
import pytest
from webhook_kit import Webhook

REPO = Path(__file__).resolve().parents[2]

KILLER = """
import os, signal, sys
from storage.sqlite_store import SQLiteStore
from storage.postgres_store import PostgresStore

POINT = os.environ["KILL_AT"]


def killing(cls, name, should_die):
    original = getattr(cls, name)

    def wrapped(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        if should_die(args, result):
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(cls, name, wrapped)


for cls in (SQLiteStore, PostgresStore):
    if POINT == "after_alert_mark":
        killing(cls, "mark_once", lambda args, result: args[0] == "alert" and result is True)
    else:
        killing(cls, "upsert_many", lambda args, result: any(d.kind == "product" for d in args[0]))
from pipeline.cli import main

sys.exit(main(sys.argv[1:]))
"""

DOCS = [
    {"url": "https://ledger.example/ana-reis-opens-market", "title": "Ana Reis opens the harbour market",
     "text": "Ana Reis opened the new harbour market on Tuesday. Ana Reis said the stalls would stay open late."},
    {"url": "https://shop.example/item/ana-reis-mug", "kind": "product", "title": "Ana Reis portrait mug",
     "text": "A ceramic mug with a portrait of Ana Reis. Ships in two days.",
     "product": {"name": "Ana Reis portrait mug", "price": "12.50", "currency": "EUR"}},
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def storage_url(pg_dsn: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'newswatch.db'}"
        return
    from storage.base import StoreError
    from storage.postgres_store import PostgresStore

    schema = "nw_kill_" + uuid.uuid4().hex[:10]
    try:
        PostgresStore(pg_dsn, schema=schema).close()
    except StoreError as e:
        pytest.skip(f"PostgreSQL not reachable at {pg_dsn}: {e}")
    yield f"{pg_dsn}?schema={schema}"
    cleanup = PostgresStore(pg_dsn, schema=schema)
    cleanup.drop_schema()
    cleanup.close()


def write_config(tmp_path: Path, storage_url: str, hook_url: str) -> Path:
    return configkit.write_config(
        tmp_path, f'[storage]\nurl = "{storage_url}"\n',
        configkit.alert("ana-news", kinds=["article"], min_mentions=1),
        configkit.alert("ana-listings", type="listing"), configkit.webhook_channel(hook_url))


def ingest(cfg: Path, data: Path, kill_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    head = ["-m", "pipeline.cli"]
    if kill_at:
        env["KILL_AT"] = kill_at
        head = ["-c", KILLER]
    return subprocess.run([sys.executable, *head, "ingest", str(data), "--config", str(cfg)], cwd=cfg.parent,
                          env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", ["after_alert_mark", "after_doc_commit"])
def test_sigkill_between_commit_and_outbox_loses_no_alert(kill_at: str, tmp_path: Path, storage_url: str,
                                                          webhook: Webhook) -> None:
    cfg = write_config(tmp_path, storage_url, webhook.url)
    data = tmp_path / "docs.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in DOCS), encoding="utf-8")
    killed = ingest(cfg, data, kill_at)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    again = ingest(cfg, data)
    assert again.returncode == 0, again.stderr[-3000:]
    assert sorted(set(webhook.rules())) == ["ana-listings", "ana-news"]
    # The killed run's outbox worker may have claimed a row and died before sending it: its lease
    # names a process that is gone, so the second run took it over at once (no lease to wait out).
    third = ingest(cfg, data)
    assert third.returncode == 0, third.stderr[-3000:]
    assert all(json.loads(line)["status"] == "unchanged" for line in third.stdout.splitlines())
    # Each alert once. A copy sent by the killed run's worker just before it died can come again
    # with the same delivery key (the outbox's documented at-least-once edge): receivers drop it.
    assert webhook.rules_once() == ["ana-listings", "ana-news"], (kill_at, webhook.bodies, again.stderr[-2000:])
