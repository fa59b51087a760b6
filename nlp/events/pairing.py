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

from storage.models import Actor, Event

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


@dataclass(slots=True)
class EventView:
    """An event as pairing sees it: its key (unique among the events paired), its typed record, and the
    facts every comparison reads, worked out once."""

    key: str
    event: Event
    type: str = field(init=False)
    confidence: float = field(init=False)
    ids_known: bool = field(init=False)  # some actor is on the watchlist: such a link is trusted more
    start: date | None = field(init=False)
    end: date | None = field(init=False)
    first_day: int = field(init=False)  # ordinals of start and end (0 when undated): the day arithmetic
    last_day: int = field(init=False)

    def __post_init__(self) -> None:
        ev = self.event
        self.type, self.confidence = ev.type, ev.confidence
        self.ids_known = any(a.entity_id for a in ev.actors)
        self.start = _day(ev.date.start)
        self.end = _day(ev.date.end) or self.start
        self.first_day = self.start.toordinal() if self.start else 0
        self.last_day = self.end.toordinal() if self.end else 0

    @classmethod
    def of(cls, key: str, ev: Event | dict[str, Any]) -> EventView:
        """The view of ``ev``; a contract dict (the NLP stage's) is read into an :class:`Event` first."""
        return cls(key, ev if isinstance(ev, Event) else Event.from_dict({"id": key, **ev}))

    def role(self, *roles: str) -> list[Actor]:
        """Actors in any of ``roles``, in text order."""
        return [a for a in self.event.actors if a.role in roles]


def _day(s: Any) -> date | None:
    if not isinstance(s, str) or len(s) < 10:
        return None
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        return None


def _same(a: Actor, b: Actor) -> bool:
    """One party named twice: the same watchlist entity, the same name, or the same last word ("Ilves"
    for "Dr Mara Ilves"; long enough not to be an initial)."""
    if a.entity_id and b.entity_id:
        return a.entity_id == b.entity_id
    ta, tb = a.text.lower(), b.text.lower()
    if not ta.strip() or not tb.strip():
        return False
    if ta == tb:
        return True
    wa, wb = ta.split(), tb.split()
    return wa[-1] == wb[-1] and len(wa[-1]) > 3


def _name(a: Actor) -> str:
    return a.entity_id or a.text


def relate(rule: PairRule, a: EventView, b: EventView) -> tuple[list[str], str] | None:
    """The entities tying ``a`` (a ``first`` type) to ``b`` (a ``second`` type) and a phrase, or None."""
    relation = rule.relation
    if relation == "company_country_is_host":
        for c in a.role("company"):
            for h in b.role("host"):
                if (c.country and c.country == h.country) or _same(c, h):
                    visitors = b.role("visitor")
                    if visitors and visitors[0].country and visitors[0].country == c.country:
                        continue  # a domestic official at home: no foreign visit to time anything to
                    return [_name(c), *(_name(v) for v in visitors[:1])], "company of the host country"
        return None
    if relation == "company_country_is_visitor":
        visitors = b.role("visitor")
        for c in a.role("company"):
            for v in visitors:
                if c.country and c.country == v.country:
                    return [_name(c), _name(v)], "company of the visitor's country"
        return None
    if relation == "measure_by_party":
        parties = {x.country for x in b.role("visitor", "host") if x.country}
        for g in a.role("agency"):
            if g.country in parties:
                return [_name(g), *(_name(v) for v in b.role("visitor")[:1])], "measure by a party to the visit"
        return None
    if relation == "depicts_visitor":
        visitors = b.role("visitor")
        for d in a.role("depicted", "product", "company"):
            for v in visitors:
                if _same(d, v):
                    return [_name(v)], "about the visitor"
        return None
    if relation == "targets_company":
        for t in a.role("target"):
            for c in b.role("company"):
                if _same(t, c):
                    return [_name(c)], "against the launching company"
    return None


def _name_keys(actors: list[Actor]) -> set[str]:
    """What two actors :func:`_same` holds for share one of: the entity id, the name, its last word."""
    out = set()
    for a in actors:
        if a.entity_id:
            out.add(f"e:{a.entity_id}")
        text = a.text.lower()
        words = text.split()
        if words:
            out.add(f"n:{text}")
            if len(words[-1]) > 3:
                out.add(f"t:{words[-1]}")
    return out


def _country_keys(actors: list[Actor]) -> set[str]:
    return {f"c:{a.country}" for a in actors if a.country}


def join_keys(rule: PairRule, side: str, ev: EventView) -> set[str]:
    """Keys an event of ``side`` ("first"/"second") must share with the other side for ``rule`` to hold.

    A necessary condition of :func:`relate`, cheap to index: the correlator compares only events
    that share one, so its cost follows the few plausible partners, not everything in the window.
    """
    first = side == "first"
    if rule.relation == "company_country_is_host":
        actors = ev.role("company" if first else "host")
        return _name_keys(actors) | _country_keys(actors)
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
    gap = abs(b.first_day - a.first_day)
    if a.first_day <= b.last_day and b.first_day <= a.last_day:
        dist = 0
    else:
        dist = min(abs(b.first_day - a.last_day), abs(a.first_day - b.last_day))
    return float(gap), float(dist)


def score_pair(rule: PairRule, a: EventView, b: EventView, same_text: bool = False
               ) -> tuple[float, float | None, list[str], str] | None:
    """(score, gap_days, entities, why) when ``a`` and ``b`` satisfy ``rule``; None otherwise."""
    timed = timed_score(rule, a, b, same_text)
    if timed is None:
        return None
    rel = relate(rule, a, b)
    if rel is None:
        return None
    return timed[0], timed[1], rel[0], rel[1]


def timed_score(rule: PairRule, a: EventView, b: EventView, same_text: bool = False
                ) -> tuple[float, float | None] | None:
    """(score, gap_days) of ``a`` and ``b`` under ``rule`` from their types, dates and confidences, or None
    when those do not fit; :func:`relate` (the actors) decides the rest. Kept apart so the correlator
    can rank many candidates by score and ask the costlier :func:`relate` of the best ones only.

    The one scoring formula, for links within one text and across stored events alike: the timing fit
    times the weaker event's confidence, a little less when no actor is on the watchlist, a little more
    when one text ties the two. Undated events pair only within one text (the article ties them), at a
    lower score.
    """
    if a.type not in rule.first or b.type not in rule.second:
        return None
    gap, dist = gap_between(a, b)
    if dist is None and not same_text:
        return None
    fit = timing_fit(dist, rule.window_days)
    if fit is None:
        return None
    score = link_score(rule.weight, fit, a, b, same_text)
    if score < rule.min_score:
        return None
    return score, gap


def link_score(weight: float, fit: float, a: EventView, b: EventView, same_text: bool) -> float:
    """The one link score, for links within one text (:mod:`nlp.events.text_links`) and across stored events
    (the correlator) alike: the weight of what ties them times the timing fit times the weaker event's
    confidence, a little less when no actor is on the watchlist, a little more when one text ties the two."""
    score = weight * fit * (0.5 + 0.5 * min(a.confidence, b.confidence))
    score *= (1.0 if a.ids_known or b.ids_known else 0.9) * (1.1 if same_text else 1.0)
    return round(min(1.0, score), 4)


def timing_fit(dist: float | None, window_days: float) -> float | None:
    """1 when two events' dates meet, falling to 0.5 at the window's edge; None beyond it; 0.6 for undated
    events of one text (``dist`` None)."""
    if dist is None:
        return 0.6
    if dist > window_days:
        return None
    return 1.0 if dist == 0 else 1.0 - 0.5 * dist / (window_days + 1)


def _named(ev: EventView, *roles: str) -> str | None:
    """The first actor in one of ``roles``, with title and country; None when the text named none."""
    for a in ev.role(*roles):
        title = f"{a.title} " if a.title and a.title not in a.text else ""
        country = f" ({a.country})" if a.country else ""
        return f"{title}{a.text}{country}"
    return None


def _when(ev: EventView) -> str:
    if ev.start is None:
        return " (no date given)"
    if ev.end and ev.end != ev.start:
        return f" on {ev.start.isoformat()} to {ev.end.isoformat()}"
    return f" on {ev.start.isoformat()}"


def _launch(e: EventView) -> str:
    company, product = _named(e, "company"), _named(e, "product")
    if company:
        return f"{company} launched {product or 'a product'}"
    return f"{product} was launched" if product else "a product launch (no company named)"


def _with_party(e: EventView, roles: tuple[str, ...], done: str, what: str) -> str:
    party = _named(e, *roles)
    return f"{party} {done}" if party else f"{what} (no party named)"


_WHAT = {
    "product_launch": _launch,
    "deal": lambda e: _with_party(e, ("company",), "made a deal", "a deal") + (
        f" with {_named(e, 'counterparty')}" if e.role("counterparty") else ""),
    "investment": lambda e: _with_party(e, ("company", "agency"), "made an investment", "an investment"),
    "official_visit": lambda e: (f"{_named(e, 'visitor') or 'an official (not named)'} visited "
                                 f"{_named(e, 'host') or 'a host not named'}"),
    "merchandise": lambda e: f"merchandise depicting {_named(e, 'depicted') or 'someone not named'} went on sale",
    "listing_surge": lambda e: (f"new listings about {_named(e, 'depicted', 'product', 'company') or 'an item'} "
                                "surged"),
}


def describe(ev: EventView) -> str:
    """What happened and when, as a clause of an explanation ("Acme launched Phone X on 2026-05-02").

    Parties the text did not name are said in words ("a product launch (no company named)"), never
    as placeholders, since the clause is read in digests and alerts.
    """
    f = _WHAT.get(ev.type)
    if f:
        what = f(ev)
    else:
        action = ev.type.replace("_", " ")
        agency, target = _named(ev, "agency"), _named(ev, "target")
        what = (f"{agency or 'an agency not named'} took {action} action"
                + (f" against {target}" if target else ""))
    return f"{what}{_when(ev)}"


def explain(rule: PairRule, a: EventView, b: EventView, gap: float | None, why: str,
            described: tuple[str, str] | None = None) -> str:
    """One line a reader can check against the evidence (``described``: the two clauses, when known)."""
    da, db = described or (describe(a), describe(b))
    during = "during" if gap is not None and gap <= rule.window_days else "around"
    apart = f" ({gap:g} day{'s' if gap != 1 else ''} apart)" if gap else ""
    return f"{da}, {during} the {b.type.replace('_', ' ')}: {db}{apart} [{rule.name}: {why}]"


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
