"""Open fold groups: a mention alert sent, and the further matches waiting to follow it as one alert.

Without a cool-down, the first match of a (rule, entity) goes out at once and the next ones fold
into a follow-up sent :data:`pipeline.alerts.rules.FOLD_WINDOW_S` later (or when the run ends).
Held only in memory, the folded matches of a process killed inside that window were lost: their
documents are stored, so the next run finds them unchanged and never alerts on them. So the
groups live in the service database, one row per lead and one per folded match, written as the
match folds; whichever run comes next sends the follow-up. :class:`MemoryFolds` keeps the same
book in memory for engines without a service database (benches, unit tests).
"""

from __future__ import annotations

import json
from typing import Any, Protocol

import sqlalchemy as sa

from pipeline.servicedb.schema import METADATA, make_engine

Group = tuple[str, str]  # (rule name, entity id)

FOLD_LEADS = sa.Table(
    "newswatch_fold_leads", METADATA,
    sa.Column("rule", sa.String(300), primary_key=True),
    sa.Column("entity", sa.String(300), primary_key=True),
    sa.Column("lead", sa.Text, nullable=False),  # the first alert, as Alert.to_dict() JSON
    sa.Column("lead_at", sa.Float, nullable=False, index=True),
)

FOLD_ITEMS = sa.Table(
    "newswatch_fold_items", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),  # folding order
    sa.Column("rule", sa.String(300), nullable=False),
    sa.Column("entity", sa.String(300), nullable=False),
    sa.Column("key", sa.String(800), nullable=False, unique=True),  # the folded alert's key
    sa.Column("alert", sa.Text, nullable=False),
    sa.Index("newswatch_fold_items_group", "rule", "entity"),
)


class FoldBook(Protocol):
    def lead(self, group: Group) -> dict[str, Any] | None:
        """The open group's first alert (a dict), or None when no group is open."""

    def open(self, group: Group, lead: dict[str, Any], at: float) -> bool:
        """Open ``group`` with its first alert; False when another run opened it first (then fold)."""

    def add(self, group: Group, key: str, alert: dict[str, Any]) -> bool:
        """Fold one match into the open group; False when that alert was folded before."""

    def holds(self, group: Group, key: str) -> bool:
        """Was the alert ``key`` folded into ``group`` and not yet sent?"""

    def due(self, before: float) -> list[tuple[Group, dict[str, Any], list[dict[str, Any]]]]:
        """Groups opened at or before ``before``: (group, lead, folded alerts in folding order)."""

    def close(self, group: Group) -> None:
        """The follow-up went out (or there was nothing to follow): forget the group."""


class MemoryFolds:
    """The fold book of one process (no service database): lost with the process."""

    def __init__(self) -> None:
        self._leads: dict[Group, tuple[dict[str, Any], float]] = {}
        self._items: dict[Group, dict[str, dict[str, Any]]] = {}

    def lead(self, group: Group) -> dict[str, Any] | None:
        found = self._leads.get(group)
        return found[0] if found else None

    def open(self, group: Group, lead: dict[str, Any], at: float) -> bool:
        if group in self._leads:
            return False
        self._leads[group] = (lead, at)
        return True

    def add(self, group: Group, key: str, alert: dict[str, Any]) -> bool:
        items = self._items.setdefault(group, {})
        if key in items:
            return False
        items[key] = alert
        return True

    def holds(self, group: Group, key: str) -> bool:
        return key in self._items.get(group, {})

    def due(self, before: float) -> list[tuple[Group, dict[str, Any], list[dict[str, Any]]]]:
        return [(g, lead, list(self._items.get(g, {}).values())) for g, (lead, at) in self._leads.items()
                if at <= before]

    def close(self, group: Group) -> None:
        self._leads.pop(group, None)
        self._items.pop(group, None)


def _in(table: sa.Table, group: Group) -> sa.ColumnElement[bool]:
    return sa.and_(table.c.rule == group[0], table.c.entity == group[1])


class StoredFolds:
    """The fold book in the service database (``[scheduler] db_url``), shared by every run."""

    def __init__(self, db_url: str) -> None:
        self.engine = make_engine(db_url)
        for table in (FOLD_LEADS, FOLD_ITEMS):  # also on a service database made before these tables
            table.create(self.engine, checkfirst=True)

    def lead(self, group: Group) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(FOLD_LEADS.c.lead).where(_in(FOLD_LEADS, group))).first()
        return json.loads(row[0]) if row else None

    def _insert_new(self, table: sa.Table, **values: Any) -> bool:
        """Insert one row; False when its key is there already (another run, or this one, wrote it)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(table.insert().values(**values))
        except sa.exc.IntegrityError:
            return False
        return True

    def open(self, group: Group, lead: dict[str, Any], at: float) -> bool:
        return self._insert_new(FOLD_LEADS, rule=group[0], entity=group[1], lead_at=at,
                                lead=json.dumps(lead, ensure_ascii=False))

    def add(self, group: Group, key: str, alert: dict[str, Any]) -> bool:
        return self._insert_new(FOLD_ITEMS, rule=group[0], entity=group[1], key=key,
                                alert=json.dumps(alert, ensure_ascii=False))

    def holds(self, group: Group, key: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(FOLD_ITEMS.c.id).where(_in(FOLD_ITEMS, group),
                                                                 FOLD_ITEMS.c.key == key)).first() is not None

    def due(self, before: float) -> list[tuple[Group, dict[str, Any], list[dict[str, Any]]]]:
        out = []
        with self.engine.connect() as conn:
            leads = conn.execute(sa.select(FOLD_LEADS.c.rule, FOLD_LEADS.c.entity, FOLD_LEADS.c.lead)
                                 .where(FOLD_LEADS.c.lead_at <= before).order_by(FOLD_LEADS.c.lead_at)).all()
            for rule, entity, lead in leads:
                items = conn.execute(sa.select(FOLD_ITEMS.c.alert).where(_in(FOLD_ITEMS, (rule, entity)))
                                     .order_by(FOLD_ITEMS.c.id)).scalars().all()
                out.append(((rule, entity), json.loads(lead), [json.loads(a) for a in items]))
        return out

    def close(self, group: Group) -> None:
        with self.engine.begin() as conn:
            conn.execute(FOLD_ITEMS.delete().where(_in(FOLD_ITEMS, group)))
            conn.execute(FOLD_LEADS.delete().where(_in(FOLD_LEADS, group)))
