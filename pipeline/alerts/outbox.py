"""The persistent outbox: every alert and digest email waits here until its channel took it.

Putting is idempotent by key (``rule|entity|story|channel``), so an alert fired twice, by two
crawls or after a restart, is queued once. Delivery claims a row with a lease (its holder named by
:func:`pipeline.servicedb.owner.this_owner`, so a restart takes over at once what a killed process
held instead of waiting out the lease; one process sends
it, even when the crawl subprocess and the service deliver at the same time), marks it ``sent``
on success and otherwise schedules a retry with exponential backoff. A channel that refuses for
good (a malformed address) turns the row ``dead``: kept, visible in ``newswatch jobs``, never lost.
Messages carry their key (``Message-ID``, ``X-Newswatch-Delivery``) so that a receiver can drop
the rare duplicate left by a crash between "sent" and "marked".
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pipeline.servicedb.owner import owner_gone, this_owner
from pipeline.servicedb.schema import OUTBOX, make_engine

log = logging.getLogger(__name__)

_INSERT = OUTBOX.insert()
MAX_ATTEMPTS = 25
DONE_EVERY = 10  # delivered rows marked sent per commit: a crash re-sends at most this many (same Message-ID)
MAX_BACKOFF_S = 3600.0


class DeliveryError(Exception):
    """A channel could not deliver. ``permanent`` means retrying cannot help (bad address)."""

    def __init__(self, message: str, permanent: bool = False, unreachable: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.unreachable = unreachable  # the server could not be reached at all: its other rows wait too


@dataclass
class OutboxItem:
    id: int
    key: str
    channel: str
    payload: dict[str, Any]
    attempts: int
    status: str = "sending"
    last_error: str | None = None


Sender = Callable[[OutboxItem], None]


class Outbox:
    """Rows of (key, channel, payload) with delivery state, in the service database."""

    def __init__(self, db_url: str, base_backoff_s: float = 5.0, lease_s: float = 120.0) -> None:
        self.engine = make_engine(db_url)
        self.base_backoff_s = base_backoff_s
        self.lease_s = lease_s
        self.deferred: set[str] = set()  # channels left to another process

    def put(self, key: str, channel: str, payload: Mapping[str, Any]) -> bool:
        """Queue one delivery; False when this key was queued before (nothing is added)."""
        now = time.time()
        row = {"key": key, "channel": channel, "payload": json.dumps(payload, ensure_ascii=False),
               "status": "pending", "attempts": 0, "next_at": now, "created_at": now}
        try:
            with self.engine.begin() as conn:
                conn.execute(_INSERT, row)  # one compiled statement, parameters bound: cheap per alert
        except sa.exc.IntegrityError:
            return False
        return True

    def claim_due(self, limit: int = 50, now: float | None = None) -> list[OutboxItem]:
        """Take up to ``limit`` due rows for delivery.

        Rows whose lease expired are due again, and so at once are rows leased by a process of
        this host that is gone (killed mid-delivery): a restart does not wait out the lease.
        """
        now = time.time() if now is None else now
        me = this_owner()
        with self.engine.begin() as conn:
            holders = conn.execute(sa.select(OUTBOX.c.owner).distinct().where(
                OUTBOX.c.status == "sending", OUTBOX.c.lease_until >= now, OUTBOX.c.owner.is_not(None),
                OUTBOX.c.owner != me)).scalars().all()
        dead = [h for h in holders if owner_gone(h)]
        expired = OUTBOX.c.lease_until < now
        if dead:
            expired = sa.or_(expired, OUTBOX.c.owner.in_(dead))
        due = sa.or_(sa.and_(OUTBOX.c.status == "pending", OUTBOX.c.next_at <= now),
                     sa.and_(OUTBOX.c.status == "sending", expired))
        out: list[OutboxItem] = []
        with self.engine.begin() as conn:  # one transaction: each row's conditional update still claims it once
            rows = conn.execute(sa.select(OUTBOX.c.id).where(due).order_by(OUTBOX.c.id).limit(limit)).all()
            claimed = []
            for (rid,) in rows:
                got = conn.execute(OUTBOX.update().where(OUTBOX.c.id == rid, due)
                                   .values(status="sending", lease_until=now + self.lease_s, owner=me))
                if got.rowcount == 1:  # else another process claimed it first
                    claimed.append(rid)
            for chunk in range(0, len(claimed), 500):
                for r in conn.execute(sa.select(OUTBOX).where(OUTBOX.c.id.in_(claimed[chunk:chunk + 500]))
                                      .order_by(OUTBOX.c.id)).mappings():
                    out.append(OutboxItem(id=r["id"], key=r["key"], channel=r["channel"],
                                          payload=json.loads(r["payload"]), attempts=r["attempts"],
                                          last_error=r["last_error"]))
        return out

    def defer(self, items: list[OutboxItem], until: float, reason: str) -> None:
        """Give claimed rows back, due at ``until``, without counting an attempt (their channel is down)."""
        ids = [item.id for item in items]
        with self.engine.begin() as conn:
            for chunk in range(0, len(ids), 500):
                conn.execute(OUTBOX.update().where(OUTBOX.c.id.in_(ids[chunk:chunk + 500])).values(
                    status="pending", next_at=until, lease_until=None, last_error=reason[:2000]))

    def release(self, item: OutboxItem) -> None:
        """Give a claimed row back untouched (this process does not deliver its channel)."""
        with self.engine.begin() as conn:
            conn.execute(OUTBOX.update().where(OUTBOX.c.id == item.id).values(status="pending", lease_until=None))

    def done(self, item: OutboxItem) -> None:
        self.done_many([item])

    def done_many(self, items: list[OutboxItem]) -> None:
        """Mark delivered rows sent, in one commit."""
        if not items:
            return
        now = time.time()
        with self.engine.begin() as conn:
            conn.execute(OUTBOX.update().where(OUTBOX.c.id == sa.bindparam("rid")).values(
                status="sent", sent_at=now, attempts=sa.bindparam("tries"), lease_until=None),
                [{"rid": i.id, "tries": i.attempts + 1} for i in items])

    def failed(self, item: OutboxItem, error: str, permanent: bool = False) -> float | None:
        """Record a failed attempt; returns when it will be retried (None: given up, row is ``dead``)."""
        attempts = item.attempts + 1
        dead = permanent or attempts >= MAX_ATTEMPTS
        next_at = time.time() + min(self.base_backoff_s * 2 ** (attempts - 1), MAX_BACKOFF_S)
        with self.engine.begin() as conn:
            conn.execute(OUTBOX.update().where(OUTBOX.c.id == item.id).values(
                status="dead" if dead else "pending", attempts=attempts, next_at=next_at, lease_until=None,
                last_error=error[:2000]))
        return None if dead else next_at

    def counts(self) -> dict[str, int]:
        with self.engine.begin() as conn:
            rows = conn.execute(sa.select(OUTBOX.c.status, sa.func.count()).group_by(OUTBOX.c.status)).all()
        return {str(s): int(n) for s, n in rows}

    def items(self, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        q = sa.select(OUTBOX).order_by(OUTBOX.c.id.desc()).limit(limit)
        if status:
            q = q.where(OUTBOX.c.status == status)
        with self.engine.begin() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def last_sent_payload(self, key_prefix: str) -> dict[str, Any] | None:
        """The payload of the newest sent row whose key starts with ``key_prefix`` (a recipient's digests)."""
        q = (sa.select(OUTBOX.c.payload).where(OUTBOX.c.key.startswith(key_prefix, autoescape=True),
                                               OUTBOX.c.status == "sent")
             .order_by(OUTBOX.c.sent_at.desc()).limit(1))
        with self.engine.begin() as conn:
            row = conn.execute(q).first()
        return dict(json.loads(row[0])) if row else None

    def deliver_due(self, senders: Mapping[str, Sender], limit: int = 50) -> tuple[int, int]:
        """Deliver what is due through ``senders`` (by channel name); returns (sent, failed)."""
        sent = failed = 0
        delivered: list[OutboxItem] = []
        down: dict[str, tuple[float, str]] = {}  # channel -> (retry at, why): one failed try is enough per pass
        waiting: dict[str, list[OutboxItem]] = {}
        for item in self.claim_due(limit):
            if item.channel in down:
                waiting.setdefault(item.channel, []).append(item)
                failed += 1
                continue
            sender = senders.get(item.channel)
            if sender is None and item.channel in self.deferred:
                self.release(item)  # another process (the service) delivers this channel
                continue
            if sender is None:
                self.failed(item, f"channel {item.channel!r} is not configured any more")
                failed += 1
                continue
            try:
                sender(item)
            except DeliveryError as exc:
                retry_at = self.failed(item, str(exc), exc.permanent)
                log.warning("delivery %s via %s failed: %s", item.key, item.channel, exc)
                if retry_at is not None and exc.unreachable:
                    # the server is down: the channel's other rows wait with this one instead of
                    # each paying its own connection timeout (10,000 alerts, one try per pass)
                    down[item.channel] = (retry_at, f"channel {item.channel} down: {exc}")
                failed += 1
                continue
            except Exception as exc:  # noqa: BLE001 - a channel bug must not lose the alert
                self.failed(item, f"{type(exc).__name__}: {exc}")
                log.warning("delivery %s via %s failed: %s: %s", item.key, item.channel, type(exc).__name__, exc)
                failed += 1
                continue
            delivered.append(item)
            sent += 1
            if len(delivered) >= DONE_EVERY:
                self.done_many(delivered)
                delivered = []
        self.done_many(delivered)
        for channel, items in waiting.items():
            until, why = down[channel]
            self.defer(items, until, f"not tried: {why}")
        return sent, failed


class OutboxWorker:
    """Delivers in a background thread: woken by each new alert, polling for retries meanwhile.

    Ingest never waits for SMTP or a webhook; a slow or dead channel only delays its own rows.
    """

    def __init__(self, outbox: Outbox, senders: Mapping[str, Sender], poll_s: float = 1.0) -> None:
        self.outbox = outbox
        self.senders = dict(senders)
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sent = 0
        self.failed = 0

    def start(self) -> OutboxWorker:
        self._thread = threading.Thread(target=self._run, name="newswatch-outbox", daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_s)
            self._wake.clear()
            self._deliver_once()

    def _deliver_once(self) -> None:
        try:
            s, f = self.outbox.deliver_due(self.senders)
        except Exception as exc:  # noqa: BLE001 - the database may be briefly locked; try again later
            log.warning("outbox delivery pass failed: %s", exc)
            return
        self.sent += s
        self.failed += f

    def stop(self, flush: bool = True) -> None:
        """Stop the thread; with ``flush``, one last pass delivers what is due now."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
        if flush:
            self._deliver_once()
