"""Documents that arrived (their arrival alerts are out) but whose full analysis has not landed yet.

The arrival stage writes each fresh document here before it reports the document taken (before
a crawl marks its page done); the analysis stage deletes it once the analysed document is
stored. A process killed in between leaves the row, and the next ingesting process analyses and
stores it first (:meth:`pipeline.ingest.staged.StagedIngest.resume`): nothing that arrived is
lost, and nothing is fetched again to get it back.

Rows live in the service database (``[scheduler] db_url``) beside the alert outbox, keyed by
document id and content hash, so putting the same content twice keeps one row.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pipeline.servicedb.owner import owner_gone, this_owner
from pipeline.servicedb.schema import METADATA, make_engine
from storage.models import Document

PENDING = sa.Table(
    "newswatch_pending_analysis", METADATA,
    sa.Column("key", sa.String(200), primary_key=True),  # doc id | content hash
    sa.Column("doc", sa.Text, nullable=False),  # Document.to_dict(), as it arrived
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("owner", sa.String(200), nullable=True),  # the process analysing it (pipeline.servicedb.owner)
)


def pending_key(doc: Document) -> str:
    return f"{doc.id}|{doc.content_hash}"


class PendingAnalysis:
    """The durable list of arrived, not yet analysed documents."""

    def __init__(self, db_url: str) -> None:
        self.engine = make_engine(db_url)
        PENDING.create(self.engine, checkfirst=True)  # also when the engine was made before this module loaded
        insert = (sqlite_insert if self.engine.dialect.name == "sqlite" else pg_insert)(PENDING)
        self._insert = insert.on_conflict_do_nothing(index_elements=["key"])  # the same content: one row

    def put_many(self, docs: Iterable[Document]) -> None:
        """Note ``docs`` in one commit; a document already noted with the same content stays one row."""
        now = time.time()
        owner = this_owner()
        rows = [{"key": pending_key(d), "doc": orjson.dumps(d.to_dict()).decode("utf-8"), "created_at": now,
                 "owner": owner} for d in docs]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(self._insert, rows)

    def done(self, docs: Iterable[Document]) -> None:
        keys = [pending_key(d) for d in docs]
        if not keys:
            return
        with self.engine.begin() as conn:
            for i in range(0, len(keys), 500):
                conn.execute(PENDING.delete().where(PENDING.c.key.in_(keys[i:i + 500])))

    def hand_over(self, docs: Iterable[Document], owner: str) -> None:
        """Name ``owner`` (a broker queue: ``celery:QUEUE``) as the holder of ``docs``' rows.

        :meth:`take_orphans` never takes such a row (no process of this host holds it): its task waits
        in the broker, and the worker that runs it deletes the row.
        """
        keys = [pending_key(d) for d in docs]
        with self.engine.begin() as conn:
            for i in range(0, len(keys), 500):
                conn.execute(PENDING.update().where(PENDING.c.key.in_(keys[i:i + 500])).values(owner=owner))

    def get(self, key: str) -> Document | None:
        """The document noted under ``key`` (``doc id|content hash``), None once its analysis landed."""
        with self.engine.begin() as conn:
            doc = conn.execute(sa.select(PENDING.c.doc).where(PENDING.c.key == key)).scalar_one_or_none()
        return None if doc is None else Document.from_dict(orjson.loads(doc))

    def newer_than(self, doc: Document) -> bool:
        """Is another content of ``doc``'s id noted after it (an update arrived before this one was analysed)?"""
        key = pending_key(doc)
        with self.engine.begin() as conn:
            mine = conn.execute(sa.select(PENDING.c.created_at).where(PENDING.c.key == key)).scalar_one_or_none()
            if mine is None:
                return False
            later = conn.execute(sa.select(sa.func.count()).select_from(PENDING).where(
                PENDING.c.key.like(f"{doc.id}|%"), PENDING.c.key != key, PENDING.c.created_at > mine)).scalar_one()
        return bool(later)

    def held_by(self, owner: str) -> list[Document]:
        """The documents noted under ``owner`` (a broker queue's name: their tasks wait there), oldest first."""
        with self.engine.begin() as conn:
            rows = conn.execute(sa.select(PENDING.c.doc).where(PENDING.c.owner == owner)
                                .order_by(PENDING.c.created_at, PENDING.c.key)).scalars()
            return [Document.from_dict(orjson.loads(r)) for r in rows]

    def documents(self) -> list[Document]:
        """Every noted document, oldest first."""
        with self.engine.begin() as conn:
            rows = conn.execute(sa.select(PENDING.c.doc).order_by(PENDING.c.created_at, PENDING.c.key)).scalars()
            return [Document.from_dict(orjson.loads(r)) for r in rows]

    def take_orphans(self) -> list[Document]:
        """The documents of processes that died before their analysis landed, now held by this one.

        Rows of a live process (another crawl analysing right now) are left to it.
        """
        me = this_owner()
        out = []
        with self.engine.begin() as conn:
            rows = conn.execute(sa.select(PENDING.c.key, PENDING.c.doc, PENDING.c.owner)
                                .order_by(PENDING.c.created_at, PENDING.c.key)).all()
            for key, doc, owner in rows:
                if owner == me or not owner_gone(owner):
                    continue
                got = conn.execute(PENDING.update().where(PENDING.c.key == key, PENDING.c.owner == owner)
                                   .values(owner=me))
                if got.rowcount == 1:  # else another restarted process took it first
                    out.append(Document.from_dict(orjson.loads(doc)))
        return out

    def count(self) -> int:
        with self.engine.begin() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(PENDING)).scalar_one())
