"""The service database: scheduled jobs, their last results, and the alert outbox.

One SQLAlchemy URL (``[scheduler] db_url``; default ``sqlite:///DATA_DIR/service.db``, or a
``postgresql://`` URL to share it between hosts) holds APScheduler's job table and our two small
tables. It is kept apart from the document store so that the store's migrations and the
scheduler's tables never touch each other, and one SQLAlchemy code path serves both backends.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from storage.base import StoreReadOnly
from storage.sqlite_tx import read_only_message

METADATA = sa.MetaData()

OUTBOX = sa.Table(
    "newswatch_outbox", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(400), nullable=False, unique=True),
    sa.Column("channel", sa.String(200), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),  # pending, sending, sent, dead
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_at", sa.Float, nullable=False),
    sa.Column("lease_until", sa.Float, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("sent_at", sa.Float, nullable=True),
    sa.Column("owner", sa.String(200), nullable=True),  # who holds a "sending" lease (pipeline.servicedb.owner)
)

# Columns added after the first release: (table, column, SQL type), added to older databases on open.
ADDED_COLUMNS = (("newswatch_outbox", "owner", "VARCHAR(200)"),)

JOB_RUNS = sa.Table(
    "newswatch_job_runs", METADATA,
    sa.Column("job_id", sa.String(200), primary_key=True),
    sa.Column("last_run_at", sa.String(40), nullable=True),
    sa.Column("last_status", sa.String(16), nullable=True),  # ok, error, missed
    sa.Column("last_detail", sa.Text, nullable=True),
    sa.Column("runs", sa.Integer, nullable=False, default=0),
    sa.Column("errors", sa.Integer, nullable=False, default=0),
)

_ENGINES: dict[str, Engine] = {}


def sqlalchemy_url(url: str) -> str:
    """Our URLs name the psycopg 3 driver explicitly (SQLAlchemy's default would be psycopg2)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    """One engine per URL per process, with the tables created (idempotent)."""
    url = sqlalchemy_url(url)
    engine = _ENGINES.get(url)
    if engine is None:
        kwargs: dict[str, Any] = {"future": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        engine = sa.create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)

            @sa.event.listens_for(engine, "connect")
            def _wal(dbapi_conn: Any, _record: Any) -> None:
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.close()

        try:
            METADATA.create_all(engine)
            _add_columns(engine)
        except sa.exc.OperationalError as exc:  # a service database this user may only read: say what to do
            if "readonly" not in str(exc) and "unable to open" not in str(exc):
                raise
            engine.dispose()
            raise StoreReadOnly(read_only_message(url.split("///", 1)[-1], what="the service database",
                                                  setting="[scheduler] db_url")) from exc
        _ENGINES[url] = engine
    return engine


def reading_engine(url: str) -> Engine | None:
    """An engine for commands that only read the service database (``sources``, ``jobs``).

    Reading must work where this user may not write (a store shared read-only): no tables are
    created and a SQLite file is opened read-only; None when that file does not exist yet (nothing
    was ever written, so there is nothing to read).
    """
    url = sqlalchemy_url(url)
    if not url.startswith("sqlite"):
        return make_engine(url)
    path = url.split("///", 1)[-1]
    if not path or path == ":memory:" or not Path(path).is_file():
        return None
    # A WAL database whose folder this user cannot write cannot make the -shm file even readers need:
    # then immutable (nobody can be writing it: a writer would need that folder too), as the store does.
    mode = "mode=ro" if os.access(Path(path).resolve().parent, os.W_OK) else "immutable=1"
    return sa.create_engine(f"sqlite:///file:{quote(str(Path(path).resolve()))}?{mode}&uri=true", future=True,
                            connect_args={"timeout": 30, "check_same_thread": False})


def _add_columns(engine: Engine) -> None:
    """Bring a service database made by an earlier release up to date (columns are only ever added)."""
    inspector = sa.inspect(engine)
    for table, column, sql_type in ADDED_COLUMNS:
        if column not in {c["name"] for c in inspector.get_columns(table)}:
            with engine.begin() as conn:
                conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))


def dispose_all() -> None:
    """Close every pooled connection (tests, and before a forked child would inherit them)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()
