"""The cross-document relations of nlp.events.pairing, and the join keys the correlator's index relies on."""

from __future__ import annotations

import random

from nlp.events.pairing import DEFAULT_RULES, EventView, join_keys, relate, score_pair
from storage.models import Actor, Event, EventDate

ROLES = ["company", "product", "visitor", "host", "agency", "target", "depicted", "counterparty"]


def _view(key: str, etype: str, *actors: Actor, day: str = "2026-05-12") -> EventView:
    return EventView.of(key, Event(id=key, type=etype, confidence=0.8, actors=list(actors),
                                   date=EventDate(day, day, None, True)))


def _rule(name: str):  # noqa: ANN202 - a PairRule
    return next(r for r in DEFAULT_RULES if r.name == name)


def test_a_company_of_the_host_country_is_timed_to_a_foreign_visit_only() -> None:
    launch = _view("l", "product_launch", Actor("company", "Corvel Mobile", None, "corvel", "KR"))
    visit = _view("v", "official_visit", Actor("visitor", "Ines Prado", "Minister", "ines-prado", "CL"),
                  Actor("host", "Seoul", None, None, "KR"))
    at_home = _view("h", "official_visit", Actor("visitor", "Min Ji", None, None, "KR"),
                    Actor("host", "Busan", None, None, "KR"))
    rule = _rule("launch_during_visit")
    assert relate(rule, launch, visit) == (["corvel", "ines-prado"], "company of the host country")
    assert relate(rule, launch, at_home) is None  # a domestic official at home
    found = score_pair(rule, launch, visit)
    assert found is not None and found[1] == 0.0 and found[2] == ["corvel", "ines-prado"]


def test_the_same_person_by_last_name_and_not_by_a_blank_name() -> None:
    mug = _view("m", "merchandise", Actor("depicted", "Ilves"))
    visit = _view("v", "official_visit", Actor("visitor", "Dr Mara Ilves"))
    blank = _view("b", "merchandise", Actor("depicted", "  "))
    blank_visit = _view("w", "official_visit", Actor("visitor", "  "))
    rule = _rule("merchandise_of_visitor")
    assert relate(rule, mug, visit) == (["Dr Mara Ilves"], "about the visitor")
    assert relate(rule, blank, blank_visit) is None


def _actor(rng: random.Random) -> Actor:
    return Actor(rng.choice(ROLES), rng.choice(["Vela Motors", "vela motors", "Orin Vela", "Kei", "  ", "",
                                                 "Dr Mara Ilves", "Ilves"]),
                 None, rng.choice([None, None, "", "vela", "ilves", "kei"]), rng.choice([None, "", "EE", "KR", "BR"]))


def test_events_that_relate_always_share_a_join_key() -> None:
    """The correlator compares only events sharing a join key: a pair that relates must share one, or the
    index would miss it."""
    rng = random.Random(11)
    held = 0
    for i in range(20_000):
        rule = rng.choice(DEFAULT_RULES)
        a = _view(f"a{i}", rng.choice(rule.first), *(_actor(rng) for _ in range(rng.randrange(4))))
        b = _view(f"b{i}", rng.choice(rule.second), *(_actor(rng) for _ in range(rng.randrange(4))))
        if relate(rule, a, b) is not None:
            held += 1
            assert join_keys(rule, "first", a) & join_keys(rule, "second", b), (rule.name, a, b)
    assert held > 100


def test_links_within_one_text_are_scored_by_the_one_pairing_formula() -> None:
    from nlp.events.pairing import EventView, link_score, timing_fit
    from nlp.events.text_links import text_links

    text = "Chilean President Marisol Vargas visited Lima on Monday. During the visit, Orvane signed a deal."
    visit = {"id": "e1", "type": "official_visit", "confidence": 0.8, "trigger": {"text": "visited", "start": 33,
             "end": 40}, "actors": [{"role": "visitor", "text": "Marisol Vargas", "title": "President",
                                     "entity_id": None, "country": "CL"}],
             "date": {"start": "2026-03-09", "end": None, "text": "Monday", "resolved": True}, "place": "Lima",
             "attributes": {}, "evidence": {"text": text[:56], "start": 0, "end": 56}}
    deal = {"id": "e2", "type": "deal", "confidence": 0.6, "trigger": {"text": "signed a deal", "start": 82,
            "end": 95}, "actors": [{"role": "company", "text": "Orvane", "title": None, "entity_id": None,
                                    "country": None}],
            "date": {"start": "2026-03-09", "end": None, "text": None, "resolved": True}, "place": None,
            "attributes": {}, "evidence": {"text": text[57:], "start": 57, "end": len(text)}}
    (link,) = text_links(text, [visit, deal])
    expected = link_score(1.0, timing_fit(0.0, 3.0) or 0.0, EventView.of("e2", deal), EventView.of("e1", visit),
                          same_text=True)
    assert link["score"] == expected
