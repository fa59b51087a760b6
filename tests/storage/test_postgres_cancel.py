"""A PostgreSQL search already running when its caller leaves is cancelled on the server (issue 16).

SQLite stops inside its query steps (progress handler); PostgreSQL's statement blocks in the
driver, so a watcher asks the server to cancel it. The statement is held here by a real lock that
another connection takes on the documents table, so it is certainly running when the caller
leaves; no timing is asserted. Texts are invented.
"""

from __future__ import annotations

import threading

import psycopg
import pytest

from storage.cancel import SearchCancelled, cancel_when
from storage.models import Document
from storage.postgres_store import PostgresStore

pytestmark = pytest.mark.postgres




def waiting_on_lock(dsn: str) -> bool:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND query ILIKE '%documents%'").fetchone()
        return bool(row and row[0])


def test_a_running_search_stops_when_its_caller_leaves_and_the_store_goes_on(pg_store: PostgresStore,
                                                                                pg_dsn: str) -> None:
    pg_store.upsert(Document(url="https://pier.example/a", source="pier", title="Pier lamps",
                             text="The pier lamps were repaired before the regatta."))
    gone = threading.Event()
    outcome: list[BaseException | str] = []

    def search() -> None:
        try:
            with cancel_when(gone.is_set):
                pg_store.search("lamps")
            outcome.append("finished")
        except BaseException as e:  # noqa: BLE001 - the test reads what happened
            outcome.append(e)

    with psycopg.connect(pg_dsn) as holder:  # a transaction holding the table until the end of the block
        holder.execute(f"LOCK TABLE {pg_store.schema}.documents IN ACCESS EXCLUSIVE MODE")
        worker = threading.Thread(target=search, daemon=True)
        worker.start()
        for _ in range(600):  # the search is blocked inside its statement on the server
            if waiting_on_lock(pg_dsn):
                break
            worker.join(0.05)
        assert waiting_on_lock(pg_dsn), "the search never reached the server"
        gone.set()  # the caller leaves while the statement runs
        worker.join(30)
        holder.rollback()
    assert not worker.is_alive() and len(outcome) == 1
    assert isinstance(outcome[0], SearchCancelled), outcome
    assert [h.url for h in pg_store.search("lamps").hits] == ["https://pier.example/a"]  # connection usable


def test_a_search_nobody_cancels_runs_without_a_watcher(pg_store: PostgresStore) -> None:
    pg_store.upsert(Document(url="https://pier.example/b", source="pier", title="Pier bell",
                             text="The pier bell rang at noon."))
    before = threading.active_count()
    assert len(pg_store.search("bell").hits) == 1
    assert threading.active_count() == before
