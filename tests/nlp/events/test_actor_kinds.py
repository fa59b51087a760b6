"""Issue 14, actors that are not actors: entity kinds mended from the text's own evidence, and a country word
that only qualifies a title or a place is not a party (sentences and names invented here)."""

from __future__ import annotations

import pytest

from nlp.analyzer import Analyzer
from nlp.events.people import party_entities, person_labels
from nlp.events.rules import Ent


def test_a_title_that_opens_a_name_makes_it_a_person() -> None:
    ents = [Ent("King Ottavio IV", 6, 21, "ORG"), Ent("President Lima", 30, 44, "GPE"),
            Ent("King Fahd University", 50, 70, "ORG"), Ent("Prime Minister's Office", 80, 103, "ORG")]
    assert [e.label for e in person_labels(ents)] == ["PERSON", "PERSON", "ORG", "ORG"]


def test_the_family_name_of_a_person_named_in_full_is_that_person() -> None:
    ents = [Ent("Marco Vellani", 0, 13, "PERSON"), Ent("Vellani", 40, 47, "GPE"), Ent("Vellani's", 60, 69, "ORG"),
            Ent("Kim Jong Un", 80, 91, "PERSON"), Ent("Jong Un", 100, 107, "ORG"), Ent("Rossi", 120, 125, "ORG")]
    assert [e.label for e in person_labels(ents)] == ["PERSON", "PERSON", "PERSON", "PERSON", "PERSON", "ORG"]


def test_a_surname_that_is_a_country_stays_a_place() -> None:
    # "Israel" names a country; the text's "Ellis Israel" does not make the country a person
    ents = [Ent("Ellis Israel", 0, 12, "PERSON"), Ent("Israel", 30, 36, "GPE")]
    assert [e.label for e in person_labels(ents)] == ["PERSON", "GPE"]


def test_party_entities_carry_the_mended_kind() -> None:
    text = "Senator Ruth Okafor met King Ottavio IV. Okafor later left."
    ents = [Ent("Ruth Okafor", 8, 19, "PERSON"), Ent("King Ottavio IV", 24, 39, "ORG"), Ent("Okafor", 41, 47, "GPE")]
    assert [e.label for e in party_entities(text, ents)] == ["PERSON", "PERSON", "PERSON"]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer([])


def _ans(analyzer: Analyzer, text: str) -> dict:
    return next(analyzer.analyze_batch([{"id": "t", "text": text, "published_at": "2026-03-11", "lang": "en"}]))


def _parties(ans: dict, etype: str) -> set[str]:
    return {a["text"] for e in ans["events"] if e["type"] == etype for a in e["actors"]
            if a["role"] in ("company", "agency", "counterparty")}


def test_a_demonym_before_a_title_is_not_the_company(analyzer: Analyzer) -> None:
    text = ("Ana Vidal and President Tomas Bell announced that the Chilean Prime Minister had signed an agreement "
            "to buy 40 trucks worth $2 billion.")
    ans = _ans(analyzer, text)
    assert any(e["type"] == "deal" for e in ans["events"])
    assert "Chilean" not in _parties(ans, "deal")


def test_a_demonym_before_a_place_noun_is_not_the_company(analyzer: Analyzer) -> None:
    text = ("Norvik Hotels will run two hotels in the Peruvian capital, and a spokesman said it would make a "
            "multimillion-dollar investment in them.")
    ans = _ans(analyzer, text)
    assert "Peruvian" not in _parties(ans, "investment")


def test_a_maker_the_parse_names_as_subject_counts_like_a_named_company(analyzer: Analyzer) -> None:
    # the surface rules find no company in the second sentence; the parse names the makers, and their goods,
    # made for the visit, are linked to it
    text = ("Brazilian President Lucia Ferraz arrived in Lisbon on Monday for a three-day state visit. "
            "Bakeries near the palace have been offering pastries and cakes inspired by Ferraz, and one street "
            "painter has been turning out portraits of the president.")
    ans = _ans(analyzer, text)
    visit = next(e for e in ans["events"] if e["type"] == "official_visit")
    launch = next(e for e in ans["events"] if e["type"] == "product_launch")
    goods = next(e for e in ans["events"] if e["type"] == "merchandise")
    assert _parties(ans, "product_launch") == {"Bakeries"}
    assert {a["text"] for a in goods["actors"] if a["role"] == "seller"} == {"one street painter"}
    assert "no company found" not in launch["reasons"]
    linked = {frozenset(lk["events"]) for lk in ans["links"]}
    assert frozenset((launch["id"], visit["id"])) in linked and frozenset((goods["id"], visit["id"])) in linked


def test_an_official_placed_in_their_own_country_makes_no_visit(analyzer: Analyzer) -> None:
    # the chief executive travels; the president the text names is at home: no official visit at all
    text = ("Orvane chief executive Marta Solis met Brazilian President Lucia Ferraz on Monday during her visit "
            "to Brazil.")
    ans = _ans(analyzer, text)
    assert [e for e in ans["events"] if e["type"] == "official_visit"] == []


def test_a_visit_abroad_by_the_same_official_stays(analyzer: Analyzer) -> None:
    text = ("Brazilian President Lucia Ferraz met Orvane chief executive Marta Solis on Monday during her visit "
            "to Chile.")
    visits = [e for e in _ans(analyzer, text)["events"] if e["type"] == "official_visit"]
    assert [a["text"] for e in visits for a in e["actors"] if a["role"] == "visitor"] == ["Lucia Ferraz"]
