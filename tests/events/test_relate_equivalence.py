"""relate was rewritten for speed (the correlator asks it tens of thousands of times a run); this keeps
it equal to the plain statement of each relation, on random events with awkward actors."""

from __future__ import annotations

import random
from typing import Any

from nlp.events.pairing import DEFAULT_RULES, EventView, PairRule, _same, relate


def _name(a: dict[str, Any]) -> str:
    return str(a.get("entity_id") or a.get("text"))


def reference(rule: PairRule, a: EventView, b: EventView) -> tuple[list[str], str] | None:
    if rule.relation == "company_country_is_host":
        visitors = b.role("visitor")
        for c in a.role("company"):
            for h in b.role("host"):
                if (c.get("country") and c.get("country") == h.get("country")) or _same(c, h):
                    vc = visitors[0].get("country") if visitors else None
                    if vc and vc == c.get("country"):
                        continue
                    return [_name(c), *(_name(v) for v in visitors[:1])], "company of the host country"
        return None
    if rule.relation == "company_country_is_visitor":
        for c in a.role("company"):
            for v in b.role("visitor"):
                if c.get("country") and c.get("country") == v.get("country"):
                    return [_name(c), _name(v)], "company of the visitor's country"
        return None
    if rule.relation == "measure_by_party":
        parties = {x.get("country") for x in b.role("visitor", "host") if x.get("country")}
        for g in a.role("agency"):
            if g.get("country") in parties:
                return [_name(g), *(_name(v) for v in b.role("visitor")[:1])], "measure by a party to the visit"
        return None
    if rule.relation == "depicts_visitor":
        for d in a.role("depicted", "product", "company"):
            for v in b.role("visitor"):
                if _same(d, v):
                    return [_name(v)], "about the visitor"
        return None
    for t in a.role("target"):
        for c in b.role("company"):
            if _same(t, c):
                return [_name(c)], "against the launching company"
    return None


ROLES = ["company", "product", "visitor", "host", "agency", "target", "depicted", "counterparty"]


def _actor(rng: random.Random) -> dict[str, Any]:
    return {"role": rng.choice(ROLES), "text": rng.choice(["Vela Motors", "vela motors", "Orin Vela", "Kei", "  ", "",
                                                            None, "Dr Mara Ilves", "Ilves"]),
            "entity_id": rng.choice([None, None, "", "vela", "ilves", "kei"]),
            "country": rng.choice([None, "", "EE", "KR", "BR", "EE"])}


def test_relate_agrees_with_the_plain_statement_of_each_relation() -> None:
    rng = random.Random(11)
    types = sorted({t for r in DEFAULT_RULES for t in (*r.first, *r.second)})
    agreed = held = 0
    for i in range(20_000):
        a, b = (EventView.of(f"e{i}{s}", {"type": rng.choice(types), "confidence": 0.5,
                                           "actors": [_actor(rng) for _ in range(rng.randrange(4))]})
                for s in "ab")
        for rule in DEFAULT_RULES:
            got = relate(rule, a, b)
            assert got == reference(rule, a, b), (rule.name, a.actors, b.actors)
            agreed += 1
            held += got is not None
    assert held > 500 and agreed == 100_000
