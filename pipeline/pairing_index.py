"""The correlator's in-memory index of events, and the batch search for each new event's best partners.

Pairing ten thousand new events one by one in Python cost most of the correlator's time: a few
hundred thousand dictionary and bisect operations per batch, then a score per candidate. Here the
facts a pair's score needs (day numbers, confidence, document, arrival) are columns of numpy arrays,
and each (rule, side) keeps one sorted array of ``join key << 32 | start day`` codes. A batch of new
events becomes arrays of (lo, hi) code ranges; ``searchsorted`` finds every candidate of every new
event at once, and the window test, the score (the same formula as
:func:`nlp.events.pairing.pair_score`) and the ranking are array operations. Python then asks
:func:`nlp.events.pairing.relate`, the one test that reads the actors, of the best-ranked candidates
only, until ``top`` per rule and direction have held.

Pairing stays sequential in meaning: a new event pairs only with events that arrived before it
(a smaller ``eseq``), whether those came in earlier batches or earlier in the same one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from nlp.events.pairing import EventView, PairRule, join_keys, relate
from storage.events_store import StoredEvent

MAX_EVENT_DAYS = 31  # longer date ranges are clipped when searching the index (a visit, not a season)
MERGE_RECENT_FROM = 4096  # codes: a table's recent part is merged into its large one past this (and an eighth of it)
_SHIFT = 32  # a code is key number << 32 | start day (day ordinals stay far below 2**32)


@dataclass(eq=False, slots=True)
class IndexedEvent:
    """An event's facts as pairing needs them, computed once when it is read: its view, its join keys
    per (rule, side), its day numbers, and the ``events`` entry links carry."""

    view: EventView
    doc_id: str
    url: str | None
    evidence: dict[str, Any]
    date: dict[str, Any]
    slots: list[tuple[PairRule, str, set[str]]] = field(default_factory=list)  # (rule, side, join keys)
    start: int = 0  # day ordinals (meaningful when view.start is set)
    end: int = 0
    entry: dict[str, Any] = field(default_factory=dict)
    # (entry, document, key, type): what a link keeps of this end (set by indexed_event)
    end_facts: tuple[dict[str, Any], str, str, str] = field(default_factory=lambda: ({}, "", "", ""))
    actor: str | None = None  # the main actor: copies of one happening share it
    phrase: str | None = None  # its clause in explanations: the event's ``summary``, else made when first linked
    happening: str | None = None  # what copies of one happening share (see Correlator._happening)
    pos: int = -1  # its row in the index's columns, once indexed
    eseq: int = 0  # its arrival number


_MAIN_ROLES = {"product_launch": ("company", "product"), "official_visit": ("visitor",), "deal": ("company",),
               "merchandise": ("depicted",), "listing_surge": ("depicted", "product", "company")}


def _main_actor(v: EventView) -> str | None:
    roles = _MAIN_ROLES.get(v.type, ("agency", "target"))
    for a in v.actors:  # the first actor in any of the roles, in text order
        if a.get("role") in roles:
            return str(a.get("entity_id") or str(a.get("text") or "").lower())
    return None


def happening_key(view: EventView, actor: str) -> str:
    """What reports of one happening share (type, main actor, start day), so that syndicated copies and
    other reports of the same launch make one link, not a link each (an event without a main actor
    uses its story instead: see ``Correlator._happening``)."""
    start = view.start
    return f"{view.type}|{actor}|{start.isoformat() if start is not None else 'None'}"


def indexed_event(ev: StoredEvent, rules: tuple[PairRule, ...]) -> IndexedEvent:
    """The facts of a stored event, with its join keys for each rule it can take part in."""
    data = ev.data
    view = EventView.of(ev.key, data)
    evidence, when = data.get("evidence") or {}, data.get("date") or {}
    summary = data.get("summary")
    entry = {"id": ev.key, "type": view.type, "doc_id": ev.doc_id, "url": ev.url, "date": when, "evidence": evidence}
    actor = _main_actor(view)
    it = IndexedEvent(view, ev.doc_id, ev.url, evidence, when, entry=entry,
                      end_facts=(entry, ev.doc_id, ev.key, view.type),
                      actor=actor, phrase=summary if isinstance(summary, str) else None,
                      happening=None if actor is None else happening_key(view, actor), eseq=ev.eseq)
    if view.start is not None:
        it.start = view.start.toordinal()
        it.end = (view.end or view.start).toordinal()
        for rule in rules:
            if view.type in rule.first:
                it.slots.append((rule, "first", join_keys(rule, "first", view)))
            if view.type in rule.second:
                it.slots.append((rule, "second", join_keys(rule, "second", view)))
    return it


def round4(x: np.ndarray) -> np.ndarray:
    """``round(v, 4)`` of each value, as Python rounds. numpy's ``round`` scales by 10,000, rounds to an
    integer and divides: the division is exact to the last bit, so only the integer can differ, and
    only when the scaled value lies within rounding error of a half. Those few go through Python."""
    scaled = x * 10_000.0
    out = np.rint(scaled) / 10_000.0
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    if near_half.any():
        out[near_half] = [round(v, 4) for v in x[near_half].tolist()]
    return out


class Pair(NamedTuple):
    """A new event's accepted partner under ``rule``: ``first`` and ``second`` are the rule's sides
    (a tuple: the correlator makes one per link, tens of thousands a run)."""

    found_by: int  # the arrival number of the new event that found it
    rule: PairRule
    first: IndexedEvent
    second: IndexedEvent
    score: float
    entities: list[str]
    why: str


class _Table:
    """One (rule, side): sorted codes and the column row of each, in two parts (a large one and the recent
    additions, merged into it when they grow past an eighth of it, so a batch does not copy the whole
    table), plus codes added since the last sort."""

    def __init__(self) -> None:
        self.codes = np.zeros(0, dtype=np.int64)
        self.rows = np.zeros(0, dtype=np.int64)
        self.recent_codes = np.zeros(0, dtype=np.int64)
        self.recent_rows = np.zeros(0, dtype=np.int64)
        self.pending_codes: list[int] = []
        self.pending_rows: list[int] = []

    def flush(self) -> None:
        if not self.pending_codes:
            return
        self.recent_codes, self.recent_rows = _merge(self.recent_codes, self.recent_rows, self.pending_codes,
                                                     self.pending_rows)
        self.pending_codes.clear()
        self.pending_rows.clear()
        if len(self.recent_codes) > max(MERGE_RECENT_FROM, len(self.codes) // 8):
            self.codes, self.rows = _merge(self.codes, self.rows, self.recent_codes, self.recent_rows)
            self.recent_codes = self.recent_rows = np.zeros(0, dtype=np.int64)

    def parts(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The sorted (codes, rows) parts to search."""
        return [(c, r) for c, r in ((self.codes, self.rows), (self.recent_codes, self.recent_rows)) if len(c)]


def _merge(codes: np.ndarray, rows: np.ndarray, more_codes: Any, more_rows: Any) -> tuple[np.ndarray, np.ndarray]:
    """Sorted ``codes`` (and their rows) with ``more`` merged in, each new code after its equals."""
    more_codes = np.asarray(more_codes, dtype=np.int64)
    more_rows = np.asarray(more_rows, dtype=np.int64)
    order = np.argsort(more_codes, kind="stable")
    more_codes, more_rows = more_codes[order], more_rows[order]
    at = np.searchsorted(codes, more_codes, side="right")
    return np.insert(codes, at, more_codes), np.insert(rows, at, more_rows)


class _Columns:
    """Per indexed event, by row: arrival, start and end day, confidence, linked-to-watchlist, document
    number, and whether it is still current (a document analysed again drops its old events)."""

    def __init__(self) -> None:
        self.n = 0
        self.eseq = np.zeros(0, dtype=np.int64)
        self.start = np.zeros(0, dtype=np.int64)
        self.end = np.zeros(0, dtype=np.int64)
        self.conf = np.zeros(0, dtype=np.float64)
        self.ids = np.zeros(0, dtype=bool)
        self.doc = np.zeros(0, dtype=np.int64)
        self.alive = np.zeros(0, dtype=bool)
        self.pending: list[tuple[int, int, int, float, bool, int]] = []

    def append(self, eseq: int, start: int, end: int, conf: float, ids: bool, doc: int) -> int:
        self.pending.append((eseq, start, end, conf, ids, doc))
        return self.n + len(self.pending) - 1

    def flush(self) -> None:
        if not self.pending:
            return
        k = len(self.pending)
        need = self.n + k
        if need > len(self.eseq):
            cap = max(1024, need, 2 * len(self.eseq))
            for name in ("eseq", "start", "end", "conf", "ids", "doc", "alive"):
                old = getattr(self, name)
                grown = np.zeros(cap, dtype=old.dtype)
                grown[:self.n] = old[:self.n]
                setattr(self, name, grown)
        eseq, start, end, conf, ids, doc = zip(*self.pending, strict=True)
        sl = slice(self.n, need)
        self.eseq[sl], self.start[sl], self.end[sl] = eseq, start, end
        self.conf[sl], self.ids[sl], self.doc[sl] = conf, ids, doc
        self.alive[sl] = True
        self.n = need
        self.pending.clear()


@dataclass
class PairingIndex:
    """Indexed events by (rule, side, join key) and start day; ``eseq`` -> facts of each current event."""

    rules: tuple[PairRule, ...]
    events: dict[int, IndexedEvent] = field(default_factory=dict)
    by_doc: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    longest: int = 0  # days of the longest indexed event: how far back a still-running event can start
    _facts: list[IndexedEvent] = field(default_factory=list)  # by row
    _cols: _Columns = field(default_factory=_Columns)
    _tables: dict[tuple[str, str], _Table] = field(default_factory=lambda: defaultdict(_Table))
    _key_no: dict[str, int] = field(default_factory=dict)
    _doc_no: dict[str, int] = field(default_factory=dict)

    def add(self, eseq: int, item: IndexedEvent) -> None:
        """Index ``item`` (dated events only); it is searchable after the next :meth:`flush`."""
        if item.view.start is None:
            return
        self.events[eseq] = item
        self.by_doc[item.doc_id].append(eseq)
        if item.end > item.start:
            self.longest = min(MAX_EVENT_DAYS, max(self.longest, item.end - item.start))
        doc = self._doc_no.setdefault(item.doc_id, len(self._doc_no))
        v = item.view
        item.pos = self._cols.append(eseq, item.start, item.end, v.confidence, v.ids_known, doc)
        self._facts.append(item)
        key_no = self._key_no
        for rule, side, keys in item.slots:
            table = self._tables[(rule.name, side)]
            for k in keys:
                n = key_no.setdefault(k, len(key_no))
                table.pending_codes.append(n << _SHIFT | item.start)
                table.pending_rows.append(item.pos)

    def flush(self) -> None:
        """Sort what was added since the last search into the columns and tables."""
        self._cols.flush()
        for table in self._tables.values():
            table.flush()

    def remove_doc(self, doc_id: str) -> None:
        """Forget the events of a document that is being analysed again."""
        self.flush()
        for eseq in self.by_doc.pop(doc_id, ()):
            it = self.events.pop(eseq, None)
            if it is not None and it.pos >= 0:
                self._cols.alive[it.pos] = False

    def best_pairs(self, new: list[IndexedEvent], top: int) -> list[Pair]:
        """For each new (already added) event and each of its (rule, side) slots, the ``top`` best
        partners among earlier events of other documents that pass :func:`relate`: in the order of
        ``new``, each event's best first."""
        self.flush()
        cols = self._cols
        groups: list[tuple[IndexedEvent, PairRule, bool]] = []  # one per (new event, slot)
        group_pos: list[int] = []  # the new event's row, and its rule's number, per group
        group_rule: list[int] = []
        used: list[PairRule] = []  # the rules of the groups, each once; group_rule holds its number here
        rule_no: dict[int, int] = {}
        queries: dict[tuple[str, str], tuple[list[int], list[int], list[int]]] = defaultdict(
            lambda: ([], [], []))
        key_no = self._key_no
        longest = self.longest
        for item in new:
            if item.view.start is None or item.pos < 0:
                continue
            for rule, side, keys in item.slots:
                g = len(groups)
                groups.append((item, rule, side == "first"))
                group_pos.append(item.pos)
                n = rule_no.get(id(rule))
                if n is None:
                    n = rule_no[id(rule)] = len(used)
                    used.append(rule)
                group_rule.append(n)
                gq, lo_q, hi_q = queries[(rule.name, "second" if side == "first" else "first")]
                window = int(rule.window_days)
                lo_day, hi_day = item.start - window - longest, item.end + window
                for k in keys:
                    n = key_no.get(k)
                    if n is not None:
                        gq.append(g)
                        lo_q.append(n << _SHIFT | lo_day)
                        hi_q.append(n << _SHIFT | hi_day)
        if not groups:
            return []
        cand_g, cand_row = [], []
        for tkey, (gq, lo_q, hi_q) in queries.items():
            table = self._tables.get(tkey)
            if table is None or not gq:
                continue
            lo, hi, g_of = (np.array(x, dtype=np.int64) for x in (lo_q, hi_q, gq))
            for codes, table_rows in table.parts():
                left = np.searchsorted(codes, lo, side="left")
                counts = np.searchsorted(codes, hi, side="right") - left
                total = int(counts.sum())
                if not total:
                    continue
                starts = np.repeat(left - (np.cumsum(counts) - counts), counts)  # per candidate: its range's offset
                cand_row.append(table_rows[starts + np.arange(total)])
                cand_g.append(np.repeat(g_of, counts))
        if not cand_g:
            return []
        g_arr = np.concatenate(cand_g)
        rows = np.concatenate(cand_row)
        g_pos = np.array(group_pos, dtype=np.int64)
        g_rule = np.array(group_rule, dtype=np.int64)
        g_window = np.array([r.window_days for r in used], dtype=np.float64)[g_rule]
        g_weight = np.array([r.weight for r in used], dtype=np.float64)[g_rule]
        g_min = np.array([r.min_score for r in used], dtype=np.float64)[g_rule]
        q = g_pos[g_arr]
        keep = cols.alive[rows] & (cols.eseq[rows] < cols.eseq[q]) & (cols.doc[rows] != cols.doc[q])
        g_arr, rows, q = g_arr[keep], rows[keep], q[keep]
        # a candidate sharing two join keys with the new event was found twice
        pair_code = g_arr * (cols.n + 1) + rows
        _, first_seen = np.unique(pair_code, return_index=True)
        g_arr, rows, q = g_arr[first_seen], rows[first_seen], q[first_seen]
        qs, qe, cs, ce = cols.start[q], cols.end[q], cols.start[rows], cols.end[rows]
        dist = np.where((qs <= ce) & (cs <= qe), 0, np.where(cs > qe, cs - qe, qs - ce)).astype(np.float64)
        window = g_window[g_arr]
        near = dist <= window
        g_arr, rows, q, dist, window = g_arr[near], rows[near], q[near], dist[near], window[near]
        # the score of nlp.events.pairing.pair_score, on arrays
        fit = np.where(dist == 0, 1.0, 1.0 - 0.5 * dist / (window + 1))
        score = (g_weight[g_arr] * fit * (0.5 + 0.5 * np.minimum(cols.conf[q], cols.conf[rows]))
                 * np.where(cols.ids[q] | cols.ids[rows], 1.0, 0.9))
        # rounded as Python rounds (numpy's rounding differs in the last place now and then), so a link's
        # score and the ranking among equal scores are those of pair_score
        score = round4(np.minimum(score, 1.0))
        ok = score >= g_min[g_arr]
        g_arr, rows, score = g_arr[ok], rows[ok], score[ok]
        order = np.lexsort((cols.eseq[rows], -score, g_arr))  # per group: best score, then earliest arrival
        out: list[Pair] = []
        facts = self._facts
        taken = 0
        current = -1
        for g, row, s in zip(g_arr[order].tolist(), rows[order].tolist(), score[order].tolist(), strict=True):
            if g != current:
                current, taken = g, 0
            elif taken >= top:
                continue
            item, rule, as_first = groups[g]
            o = facts[row]
            a, b = (item, o) if as_first else (o, item)
            rel = relate(rule, a.view, b.view)
            if rel is None:
                continue
            out.append(Pair(item.eseq, rule, a, b, s, rel[0], rel[1]))
            taken += 1
        return out
