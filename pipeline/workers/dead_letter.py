"""Documents whose analysis failed every retry: kept, with the error, until someone looks.

A worker that gives up on a document moves its pending row (:mod:`pipeline.ingest.pending`) here in
one transaction, so the document is never in neither list: nothing that arrived is lost, and the
next ingest does not resend it in a loop. ``newswatch jobs`` and ``newswatch sources`` show these
rows; ``newswatch worker --retry-dead`` puts them back on the queue (after the cause is fixed).

Rows live in the service database (``[scheduler] db_url``), keyed like the pending rows
(``doc id|content hash``): the same content failing again stays one row; its attempts count from
the last ``--retry-dead``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import orjson
import sqlalchemy as sa

from pipeline.ingest.pending import PENDING, pending_key
from pipeline.servicedb.schema import METADATA, make_engine, reading_engine
from storage.models import Document

DEAD = sa.Table(
    "newswatch_dead_letters", METADATA,
    sa.Column("key", sa.String(200), primary_key=True),  # doc id | content hash
    sa.Column("doc", sa.Text, nullable=False),  # Document.to_dict(), as it arrived
    sa.Column("source", sa.String(200), nullable=False, index=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("failed_at", sa.Float, nullable=False),
)


@dataclass(frozen=True)
class DeadLetter:
    key: str
    source: str
    url: str
    error: str
    attempts: int
    failed_at: float


DEAD_ROWS = sa.select(DEAD.c.key, DEAD.c.source, DEAD.c.url, DEAD.c.error, DEAD.c.attempts, DEAD.c.failed_at
                      ).order_by(DEAD.c.failed_at.desc(), DEAD.c.key)  # as DeadLetter, the newest first


class DeadLetters:
    """The dead-letter list of the analysis workers."""

    def __init__(self, db_url: str) -> None:
        self.engine = make_engine(db_url)
        DEAD.create(self.engine, checkfirst=True)  # also when the engine was made before this module loaded

    def bury(self, doc: Document, error: str, attempts: int) -> None:
        """Move ``doc`` from the pending list to this one (one transaction: it is always in one of them)."""
        key = pending_key(doc)
        row = {"key": key, "doc": orjson.dumps(doc.to_dict()).decode("utf-8"), "source": doc.source,
               "url": doc.url, "error": error[:2000], "attempts": attempts, "failed_at": time.time()}
        with self.engine.begin() as conn:
            old = conn.execute(sa.select(DEAD.c.attempts).where(DEAD.c.key == key)).scalar_one_or_none()
            if old is None:
                conn.execute(DEAD.insert().values(**row))
            else:
                conn.execute(DEAD.update().where(DEAD.c.key == key).values(**{**row, "attempts": old + attempts}))
            conn.execute(PENDING.delete().where(PENDING.c.key == key))

    def rows(self, limit: int | None = None) -> list[DeadLetter]:
        """The newest first."""
        query = DEAD_ROWS
        if limit is not None:
            query = query.limit(limit)
        with self.engine.begin() as conn:
            return [DeadLetter(*r) for r in conn.execute(query).all()]

    def count(self) -> int:
        with self.engine.begin() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(DEAD)).scalar_one())

    def revive(self) -> list[Document]:
        """Take every row off this list, back onto the pending list; the caller queues them again."""
        docs = []
        with self.engine.begin() as conn:
            for key, doc in conn.execute(sa.select(DEAD.c.key, DEAD.c.doc)).all():
                exists = conn.execute(sa.select(PENDING.c.key).where(PENDING.c.key == key)).scalar_one_or_none()
                if exists is None:
                    conn.execute(PENDING.insert().values(key=key, doc=doc, created_at=time.time(), owner=None))
                conn.execute(DEAD.delete().where(DEAD.c.key == key))
                docs.append(Document.from_dict(orjson.loads(doc)))
        return docs


def dead_by_source(db_url: str) -> dict[str, tuple[int, str]]:
    """Source -> (dead documents, the latest error), read without writing (``newswatch sources`` on a
    read-only store works); empty when the service database or its list does not exist yet."""
    engine = reading_engine(db_url)
    if engine is None or not sa.inspect(engine).has_table(DEAD.name):
        return {}
    out: dict[str, tuple[int, str]] = {}
    query = sa.select(DEAD.c.source, DEAD.c.error).order_by(DEAD.c.failed_at.desc(), DEAD.c.key)
    with engine.connect() as conn:
        for source, error in conn.execute(query).all():
            n, latest = out.get(source, (0, error))
            out[source] = (n + 1, latest)
    return out
