"""Saved searches, and the alert rules made from them, in the service database.

They live beside the alert outbox and the scheduler's jobs (``[scheduler] db_url``), the one place
newswatch keeps state that people change at run time; rules written in ``newswatch.toml`` stay
there. A saved search becomes an alert rule by turning its alert on: the alert engine then runs it
as a ``search`` rule named ``saved:<id>``, unless it is muted. Delivery frequency ``as_it_happens``
sends each match; ``daily`` and ``weekly`` let at most one alert out per day or week (a cool-down),
the later matches of that period being recorded as suppressed.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa

from pipeline.config import AlertRule
from pipeline.servicedb.schema import METADATA, make_engine
from storage.models import utc_now_iso
from storage.query import QuerySyntaxError, parse
from storage.query.match import needs_store

FREQUENCIES = ("as_it_happens", "daily", "weekly")
COOLDOWN_S = {"as_it_happens": 0, "daily": 86_400, "weekly": 7 * 86_400}
MAX_NAME, MAX_QUERY = 200, 4000

SAVED_SEARCHES = sa.Table(
    "newswatch_saved_searches", METADATA,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(MAX_NAME), nullable=False),
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("alert", sa.Boolean, nullable=False, default=False),
    sa.Column("muted", sa.Boolean, nullable=False, default=False),
    sa.Column("frequency", sa.String(16), nullable=False, default="as_it_happens"),
    sa.Column("channels", sa.Text, nullable=False, default="[]"),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)


class SavedSearchError(ValueError):
    """A saved search could not be created or changed; the message names the field."""


@dataclass
class SavedSearch:
    id: str
    name: str
    query: str
    alert: bool = False
    muted: bool = False
    frequency: str = "as_it_happens"
    channels: list[str] = field(default_factory=list)
    created_at: str = ""
    updated_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def rule(self) -> AlertRule:
        """The alert rule this saved search stands for (whether or not its alert is on)."""
        return AlertRule(name=f"saved:{self.id}", watchlist="", type="search", query=self.query,
                         channels=list(self.channels), cooldown_s=COOLDOWN_S[self.frequency])


def _row(r: Any) -> SavedSearch:
    return SavedSearch(id=r.id, name=r.name, query=r.query, alert=bool(r.alert), muted=bool(r.muted),
                       frequency=r.frequency, channels=json.loads(r.channels or "[]"), created_at=r.created_at,
                       updated_at=r.updated_at)


def _check(changes: dict[str, Any], channels_known: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if value is None:
            continue
        if key == "name":
            value = str(value).strip()
            if not value or len(value) > MAX_NAME:
                raise SavedSearchError(f"name: expected 1 to {MAX_NAME} characters, got {len(value)}")
        elif key == "query":
            value = str(value).strip()
            if not value or len(value) > MAX_QUERY:
                raise SavedSearchError(f"query: expected 1 to {MAX_QUERY} characters, got {len(value)}")
            try:  # a query the search page or the alert engine cannot run is refused here, not later
                parse(value)
            except QuerySyntaxError as exc:
                raise SavedSearchError(f"query: {exc}") from None
        elif key == "frequency":
            if value not in FREQUENCIES:
                raise SavedSearchError(f"frequency: expected one of {', '.join(FREQUENCIES)}, got {value!r}")
        elif key in ("alert", "muted"):
            value = bool(value)
        elif key == "channels":
            value = [str(c) for c in value]
            unknown = [c for c in value if channels_known is not None and c not in channels_known]
            if unknown:
                raise SavedSearchError(f"channels: unknown channel {', '.join(map(repr, unknown))}; configured: "
                                       f"{', '.join(channels_known or []) or 'none'}")
            value = json.dumps(value)
        else:
            raise SavedSearchError(f"unknown field {key!r}")
        out[key] = value
    return out


def _check_alertable(query: str, alert: bool) -> None:
    """An alert runs the query on each new document alone, so it cannot use fields that need others."""
    fields = needs_store(parse(query)) if alert else []
    if fields:
        raise SavedSearchError(f"alert: the query uses {' and '.join(f + ':' for f in fields)}, which depends on "
                               "other documents; an alert on one new document cannot answer it (keep the search, "
                               "turn its alert off, or alert on new links instead)")


class SavedSearches:
    """Create, list, change and delete saved searches; ``channels_known`` are the configured channels."""

    def __init__(self, db_url: str, channels_known: list[str] | None = None) -> None:
        self.engine = make_engine(db_url)
        SAVED_SEARCHES.create(self.engine, checkfirst=True)  # also on a service db made before this table
        self.channels_known = channels_known

    def create(self, name: str, query: str, **settings: Any) -> SavedSearch:
        now = utc_now_iso()
        values = {"frequency": "as_it_happens", "alert": False, "muted": False, "channels": "[]",
                  **_check({"name": name, "query": query, **settings}, self.channels_known)}
        _check_alertable(values["query"], values["alert"])
        ident = secrets.token_hex(6)
        with self.engine.begin() as conn:
            conn.execute(SAVED_SEARCHES.insert().values(id=ident, created_at=now, updated_at=now, **values))
        found = self.get(ident)
        assert found is not None
        return found

    def get(self, ident: str) -> SavedSearch | None:
        with self.engine.connect() as conn:
            r = conn.execute(SAVED_SEARCHES.select().where(SAVED_SEARCHES.c.id == ident)).first()
        return _row(r) if r else None

    def all(self) -> list[SavedSearch]:
        with self.engine.connect() as conn:
            rows = conn.execute(SAVED_SEARCHES.select().order_by(SAVED_SEARCHES.c.created_at, SAVED_SEARCHES.c.id))
            return [_row(r) for r in rows]

    def update(self, ident: str, **changes: Any) -> SavedSearch | None:
        values = _check(changes, self.channels_known)
        current = self.get(ident)
        if current is not None:
            _check_alertable(values.get("query", current.query), values.get("alert", current.alert))
        with self.engine.begin() as conn:
            done = conn.execute(SAVED_SEARCHES.update().where(SAVED_SEARCHES.c.id == ident)
                                .values(updated_at=utc_now_iso(), **values))
        return self.get(ident) if done.rowcount else None

    def delete(self, ident: str) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(SAVED_SEARCHES.delete().where(SAVED_SEARCHES.c.id == ident)).rowcount)

    def alert_rules(self) -> list[AlertRule]:
        """The rules the alert engine runs: saved searches whose alert is on and not muted."""
        return [s.rule() for s in self.all() if s.alert and not s.muted]
