"""Pair rules: when two events are "timed to" each other, and how strongly.

Used twice: within one text (``analyze`` answers carry ``links``) and across stored events of every
stream (``pipeline.correlator``). A rule names the types of its two sides, a relation between their
actors (the launching company's country is the host country of the visit; the merchandise depicts
the visitor; ...) and a window in days. Rules are data, so the config can change them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

RELATIONS: tuple[str, ...] = (
    "company_country_is_host",  # a launch/deal by a company of A during a visit to A by an official of B
    "company_country_is_visitor",  # a deal by a company of A during a visit of A's official to B
    "measure_by_party",  # a trade measure / export control by the government of the host or visitor country
    "depicts_visitor",  # merchandise or a listing surge about the visiting official
    "targets_company",  # an export control or sanction against the launching company
)


@dataclass(frozen=True)
class PairRule:
    name: str
    first: tuple[str, ...]
    second: tuple[str, ...]
    relation: str
    window_days: float = 3.0
    weight: float = 1.0
    min_score: float = 0.25

    def __post_init__(self) -> None:
        if self.relation not in RELATIONS:
            raise ValueError(f"relation: expected one of {', '.join(RELATIONS)}, got {self.relation!r}")


DEFAULT_RULES: tuple[PairRule, ...] = (
    PairRule("launch_during_visit", ("product_launch", "deal", "investment"), ("official_visit",),
             "company_country_is_host", 3.0),
    PairRule("deal_during_leader_trip", ("deal", "investment"), ("official_visit",), "company_country_is_visitor",
             3.0, 0.8),
    PairRule("measure_during_visit", ("trade_measure", "export_control", "sanction"), ("official_visit",),
             "measure_by_party", 3.0, 0.8),
    PairRule("merchandise_of_visitor", ("merchandise", "listing_surge"), ("official_visit",), "depicts_visitor",
             3.0, 0.9),
    PairRule("export_control_on_launcher", ("export_control", "sanction"), ("product_launch",), "targets_company",
             30.0, 0.7),
)


_NONE: list[dict[str, Any]] = []  # no actor in a role (shared: callers only read it)


@dataclass(slots=True)
class EventView:
    """The facts of an event that pairing needs, read once from its contract dict."""

    key: str
    type: str
    start: date | None
    end: date | None
    confidence: float
    actors: list[dict[str, Any]] = field(default_factory=list)
    place: str | None = None
    by_role: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    by_roles: dict[tuple[str, ...], list[dict[str, Any]]] = field(default_factory=dict)  # several roles at once
    ids_known: bool = False  # some actor is linked to the watchlist
    _parties: frozenset[Any] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for a in self.actors:
            self.by_role.setdefault(str(a.get("role")), []).append(a)
            if a.get("entity_id"):
                self.ids_known = True

    @classmethod
    def of(cls, key: str, ev: dict[str, Any]) -> EventView:
        d = ev.get("date") or {}
        start = _day(d.get("start"))
        end = _day(d.get("end")) or start
        return cls(key, str(ev.get("type")), start, end, float(ev.get("confidence") or 0.0),
                   list(ev.get("actors") or []), ev.get("place"))

    def parties(self) -> frozenset[Any]:
        """The countries of the visitor and host (kept: a visit is asked about by many measures)."""
        if self._parties is None:
            self._parties = frozenset(x.get("country") for x in self.role("visitor", "host") if x.get("country"))
        return self._parties

    def role(self, *roles: str) -> list[dict[str, Any]]:
        """Actors in any of ``roles``, in text order (lists for several roles are kept: pairing asks often)."""
        if len(roles) == 1:
            return self.by_role.get(roles[0], _NONE)
        found = self.by_roles.get(roles)
        if found is None:
            found = self.by_roles[roles] = [a for a in self.actors if a.get("role") in roles]
        return found


def _day(s: Any) -> date | None:
    if not isinstance(s, str) or len(s) < 10:
        return None
    try:
        return date.fromisoformat(s if len(s) == 10 else s[:10])
    except ValueError:
        return None


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.get("entity_id") and b.get("entity_id"):
        return bool(a["entity_id"] == b["entity_id"])
    ta, tb = str(a.get("text") or "").lower(), str(b.get("text") or "").lower()
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    wa, wb = ta.split(), tb.split()
    return bool(wa and wb) and wa[-1] == wb[-1] and len(wa[-1]) > 3


def _name(a: dict[str, Any]) -> str:
    return str(a.get("entity_id") or a.get("text"))


def relate(rule: PairRule, a: EventView, b: EventView) -> tuple[list[str], str] | None:
    """The entities tying ``a`` (a ``first`` type) to ``b`` (a ``second`` type) and a phrase, or None.

    The correlator asks this of tens of thousands of candidates a run, hence the plain loops (no
    generators, each role list fetched once)."""
    relation = rule.relation
    if relation == "company_country_is_host":
        hosts = b.by_role.get("host")
        if not hosts:
            return None
        visitors = b.by_role.get("visitor")
        for c in a.by_role.get("company", _NONE):
            cc = c.get("country")
            for h in hosts:
                if (cc and cc == h.get("country")) or _same(c, h):
                    if visitors:
                        vc = visitors[0].get("country")
                        if vc and vc == cc:
                            continue  # a domestic official at home: no foreign visit to time anything to
                        return [_name(c), _name(visitors[0])], "company of the host country"
                    return [_name(c)], "company of the host country"
        return None
    if relation == "company_country_is_visitor":
        visitors = b.by_role.get("visitor")
        if not visitors:
            return None
        for c in a.by_role.get("company", _NONE):
            cc = c.get("country")
            if cc:
                for v in visitors:
                    if cc == v.get("country"):
                        return [_name(c), _name(v)], "company of the visitor's country"
        return None
    if relation == "measure_by_party":
        parties = b.parties()
        for g in a.by_role.get("agency", _NONE):
            if g.get("country") in parties:
                visitors = b.by_role.get("visitor")
                return ([_name(g), _name(visitors[0])] if visitors else [_name(g)]), "measure by a party to the visit"
        return None
    if relation == "depicts_visitor":
        visitors = b.by_role.get("visitor")
        if not visitors:
            return None
        for d in a.role("depicted", "product", "company"):
            for v in visitors:
                if _same(d, v):
                    return [_name(v)], "about the visitor"
        return None
    if relation == "targets_company":
        companies = b.by_role.get("company")
        if not companies:
            return None
        for t in a.by_role.get("target", _NONE):
            for c in companies:
                if _same(t, c):
                    return [_name(c)], "against the launching company"
        return None
    return None


def _name_keys(actors: list[dict[str, Any]]) -> set[str]:
    out = set()
    for a in actors:
        if a.get("entity_id"):
            out.add(f"e:{a['entity_id']}")
        words = str(a.get("text") or "").lower().split()
        if words and len(words[-1]) > 3:
            out.add(f"t:{words[-1]}")
    return out


def _country_keys(actors: list[dict[str, Any]]) -> set[str]:
    return {f"c:{a['country']}" for a in actors if a.get("country")}


def join_keys(rule: PairRule, side: str, ev: EventView) -> set[str]:
    """Keys an event of ``side`` ("first"/"second") must share with the other side for ``rule`` to hold.

    A necessary condition of :func:`relate`, cheap to index: the correlator compares only events
    that share one, so its cost follows the few plausible partners, not everything in the window.
    """
    first = side == "first"
    if rule.relation == "company_country_is_host":
        actors = ev.role("company" if first else "host")
        keys = _name_keys(actors)
        keys.update(f"c:{a['country']}" for a in actors if a.get("country"))
        return keys
    if rule.relation == "company_country_is_visitor":
        return _country_keys(ev.role("company") if first else ev.role("visitor"))
    if rule.relation == "measure_by_party":
        return _country_keys(ev.role("agency") if first else ev.role("visitor", "host"))
    if rule.relation == "depicts_visitor":
        return _name_keys(ev.role("depicted", "product", "company") if first else ev.role("visitor"))
    if rule.relation == "targets_company":
        return _name_keys(ev.role("target") if first else ev.role("company"))
    return set()


def gap_between(a: EventView, b: EventView) -> tuple[float | None, float | None]:
    """(gap_days: later start minus earlier start, distance: days between the two intervals, 0 if they meet)."""
    if a.start is None or b.start is None:
        return None, None
    gap = abs((b.start - a.start).days)
    a_end, b_end = a.end or a.start, b.end or b.start
    if a.start <= b_end and b.start <= a_end:
        dist = 0
    else:
        dist = min(abs((b.start - a_end).days), abs((a.start - b_end).days))
    return float(gap), float(dist)


def score_pair(rule: PairRule, a: EventView, b: EventView, same_text: bool = False
               ) -> tuple[float, float | None, list[str], str] | None:
    """(score, gap_days, entities, why) when ``a`` and ``b`` satisfy ``rule``; None otherwise.

    Undated events pair only within one text (the article ties them), at a lower score.
    """
    if a.type not in rule.first or b.type not in rule.second:
        return None
    gap, dist = gap_between(a, b)
    if dist is None and not same_text:
        return None
    fit = timing(rule, dist)
    if fit is None:
        return None
    score = pair_score(rule, fit, a.confidence, b.confidence, a.ids_known or b.ids_known, same_text)
    if score < rule.min_score:
        return None
    rel = relate(rule, a, b)
    if rel is None:
        return None
    return score, gap, rel[0], rel[1]


def timing(rule: PairRule, dist: float | None) -> float | None:
    """How well two events' dates fit ``rule``: 1 when they meet, falling to 0.5 at the window's edge;
    None beyond it; 0.6 for undated events of one text (``dist`` None)."""
    if dist is None:
        return 0.6
    if dist > rule.window_days:
        return None
    return 1.0 if dist == 0 else 1.0 - 0.5 * dist / (rule.window_days + 1)


def pair_score(rule: PairRule, fit: float, conf_a: float, conf_b: float, ids_known: bool,
               same_text: bool = False) -> float:
    """A link's score from its timing fit and its events' confidences (relation aside). The correlator's
    batch search (``pipeline.pairing_index``) computes the same on arrays and asks :func:`relate`, the
    costlier test, of the best-ranked candidates only."""
    score = rule.weight * fit * (0.5 + 0.5 * min(conf_a, conf_b)) * (1.0 if ids_known else 0.9)
    if same_text:
        score *= 1.1
    return round(min(1.0, score), 4)


def _who(ev: EventView, *roles: str) -> str:
    for a in ev.role(*roles):
        title = f"{a['title']} " if a.get("title") and a["title"] not in str(a.get("text")) else ""
        country = f" ({a['country']})" if a.get("country") else ""
        return f"{title}{a.get('text')}{country}"
    return "unknown"


def _when(ev: EventView) -> str:
    if ev.start is None:
        return "undated"
    if ev.end and ev.end != ev.start:
        return f"{ev.start.isoformat()} to {ev.end.isoformat()}"
    return ev.start.isoformat()


_WHAT = {
    "product_launch": lambda e: f"{_who(e, 'company')} launched {_who(e, 'product')}",
    "deal": lambda e: f"{_who(e, 'company')} made a deal" + (
        f" with {_who(e, 'counterparty')}" if e.role("counterparty") else ""),
    "investment": lambda e: f"{_who(e, 'company', 'agency')} made an investment",
    "official_visit": lambda e: f"{_who(e, 'visitor')} visited {_who(e, 'host')}",
    "merchandise": lambda e: f"merchandise depicting {_who(e, 'depicted')} went on sale",
    "listing_surge": lambda e: f"new listings about {_who(e, 'depicted', 'product', 'company')} surged",
}


def describe(ev: EventView) -> str:
    """What happened and when, as a clause of an explanation ("Acme launched Phone X on 2026-05-02")."""
    f = _WHAT.get(ev.type)
    what = f(ev) if f else (f"{_who(ev, 'agency')} took {ev.type.replace('_', ' ')} action against "
                            f"{_who(ev, 'target')}")
    return f"{what} on {_when(ev)}"


def explain(rule: PairRule, a: EventView, b: EventView, gap: float | None, why: str,
            described: tuple[str, str] | None = None) -> str:
    """One line a reader can check against the evidence (``described``: the two clauses, when known)."""
    da, db = described or (describe(a), describe(b))
    return explain_described(rule, b.type, gap, why, da, db)


_JOINS: dict[tuple[str, bool], str] = {}  # (second type, within the window) -> ", during the official visit: "
_TIMINGS: dict[float | None, str] = {}  # gap -> " (2 days apart)"


def explain_described(rule: PairRule, second_type: str, gap: float | None, why: str, da: str, db: str) -> str:
    """:func:`explain` from the two clauses and the second event's type (the correlator writes tens of
    thousands a run: the parts between the clauses are made once each)."""
    during = gap is not None and gap <= rule.window_days
    join = _JOINS.get((second_type, during))
    if join is None:
        what = second_type.replace("_", " ")
        join = _JOINS[(second_type, during)] = f", {'during' if during else 'around'} the {what}: "
    timing = _TIMINGS.get(gap)
    if timing is None:
        timing = f" ({gap:g} day{'s' if gap != 1 else ''} apart)" if gap else ""
        if len(_TIMINGS) < 10_000:
            _TIMINGS[gap] = timing
    return f"{da}{join}{db}{timing} [{rule.name}: {why}]"


def link_events(events: list[dict[str, Any]], rules: tuple[PairRule, ...] | list[PairRule] = DEFAULT_RULES
                ) -> list[dict[str, Any]]:
    """Links among the events of one text, in the ``analyze`` contract's shape (earlier event first)."""
    return link_views([EventView.of(str(e["id"]), e) for e in events], rules)


def link_views(views: list[EventView], rules: tuple[PairRule, ...] | list[PairRule] = DEFAULT_RULES
               ) -> list[dict[str, Any]]:
    """:func:`link_events` over views already made (the correlator has them), keyed by ``view.key``."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for rule in rules:
        firsts = [v for v in views if v.type in rule.first]
        seconds = [v for v in views if v.type in rule.second] if firsts else []
        for a in firsts:
            for b in seconds:
                if a is b or (a.key, b.key) in seen:
                    continue
                res = score_pair(rule, a, b, same_text=True)
                if res is None:
                    continue
                score, gap, ents, why = res
                seen.add((a.key, b.key))
                seen.add((b.key, a.key))
                out.append(make_link(rule, a, b, score, gap, ents, why))
    return out


def make_link(rule: PairRule, a: EventView, b: EventView, score: float, gap: float | None, ents: list[str],
              why: str) -> dict[str, Any]:
    """A link in the ``analyze`` contract's shape (earlier event first)."""
    first, second = (a, b) if (a.start or date.max) <= (b.start or date.max) else (b, a)
    return {"type": "co_timed", "events": [first.key, second.key], "gap_days": gap,
            "entities": list(dict.fromkeys(ents)), "score": score,
            "explanation": explain(rule, a, b, gap, why), "rule": rule.name}
