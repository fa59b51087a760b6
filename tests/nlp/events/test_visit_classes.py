"""Failure classes of issue 14 on real-news phrasing, with sentences invented here (people and companies are
made up; countries are real because visits are about countries)."""

from __future__ import annotations

import pytest

from nlp.analyzer import Analyzer
from nlp.events.people import PersonIndex, dateline_spans, is_wire_agency, strip_possessive


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer([])


def _ans(analyzer: Analyzer, text: str, published_at: str | None = "2026-03-11") -> dict:
    return next(analyzer.analyze_batch([{"id": "t", "text": text, "published_at": published_at, "lang": "en"}]))


def _visitors(ans: dict) -> set[str]:
    return {a["text"] for e in ans["events"] if e["type"] == "official_visit" for a in e["actors"]
            if a["role"] == "visitor"}


def test_arrival_is_a_visit_and_a_later_surname_is_the_same_visitor(analyzer: Analyzer) -> None:
    text = ("Brazilian President Lucia Ferraz arrived in Tokyo on Monday for a three-day visit. "
            "Ferraz was in Osaka for talks with business leaders on Tuesday.")
    ans = _ans(analyzer, text)
    visits = [e for e in ans["events"] if e["type"] == "official_visit"]
    assert _visitors(ans) == {"Lucia Ferraz"}
    assert len(visits) == 1
    host = next(a for a in visits[0]["actors"] if a["role"] == "host")
    assert host["country"] == "JP"


def test_during_the_trip_links_an_action_to_the_visit_introduced_earlier(analyzer: Analyzer) -> None:
    text = ("Brazilian President Lucia Ferraz arrived in Tokyo on Monday for a three-day visit. "
            "Officials described the mood as warm. "
            "During the trip, Kasuga Heavy Industries signed an order for 40 rail cars worth $900 million.")
    ans = _ans(analyzer, text)
    deal = next(e for e in ans["events"] if e["type"] == "deal")
    visit = next(e for e in ans["events"] if e["type"] == "official_visit")
    assert any(set(lk["events"]) == {deal["id"], visit["id"]} for lk in ans["links"])


def test_ahead_of_a_visit_is_not_linked(analyzer: Analyzer) -> None:
    text = ("Brazilian President Lucia Ferraz arrived in Tokyo on Monday for a three-day visit. "
            "A week ahead of the visit, Kasuga Heavy Industries signed an order for 40 rail cars.")
    assert _ans(analyzer, text)["links"] == []


def test_a_chief_executives_trip_and_a_private_trip_are_not_official_visits(analyzer: Analyzer) -> None:
    ceo = "Orvane chief executive Marta Solis visited a supplier in India on Monday."
    private = "Brazilian President Lucia Ferraz made a private trip to Lisbon on Sunday to see family."
    assert _visitors(_ans(analyzer, ceo)) == set()
    assert _visitors(_ans(analyzer, private)) == set()


def test_a_dateline_and_a_wire_agency_are_never_parties(analyzer: Analyzer) -> None:
    text = "MUMBAI (Reuters) - Talvar Motors signed a deal to supply 300 buses to a state transport company."
    ans = _ans(analyzer, text)
    names = {a["text"] for e in ans["events"] for a in e["actors"]}
    assert "Reuters" not in names and "MUMBAI" not in names


def test_people_helpers() -> None:
    assert strip_possessive("Talvar's") == "Talvar" and strip_possessive("Mr. Okafor") == "Okafor"
    assert is_wire_agency("AFP") and not is_wire_agency("Talvar Motors")
    text = "PARIS: The minister spoke.\nLater news followed."
    assert dateline_spans(text) == [(0, 5)]
    people = PersonIndex("Foreign Minister Ada Brenner met reporters. Brenner left.",
                         [("Ada Brenner", 17, 28, None), ("Brenner", 44, 51, None)])
    p = people.resolve("Brenner's")
    assert p is not None and p.name == "Ada Brenner" and p.official and p.title == "Foreign Minister"


def test_an_investment_pledged_by_the_visitor_is_linked_to_the_visit(analyzer: Analyzer) -> None:
    text = ("Japanese Prime Minister Ken Arata arrived in Nairobi on Monday for a two-day visit. "
            "Arata pledged $5 billion of investment in Kenyan ports on Tuesday.")
    ans = _ans(analyzer, text)
    inv = next(e for e in ans["events"] if e["type"] == "investment")
    assert any(a["text"] == "Ken Arata" for a in inv["actors"])
    assert any(inv["id"] in lk["events"] for lk in ans["links"])


def test_a_measure_announced_as_the_visitor_is_hosted_is_linked(analyzer: Analyzer) -> None:
    text = ("Canadian Prime Minister Rosa Delmont announced new tariffs on steel imports on Thursday. "
            "The announcement came as Delmont hosted Mexican President Tomas Ibarra in Ottawa.")
    ans = _ans(analyzer, text)
    measure = next(e for e in ans["events"] if e["type"] == "trade_measure")
    visit = next(e for e in ans["events"] if e["type"] == "official_visit")
    assert any(a["text"] == "Tomas Ibarra" and a["role"] == "visitor" for a in visit["actors"])
    assert any(set(lk["events"]) == {measure["id"], visit["id"]} for lk in ans["links"])


def test_the_visitor_acting_paragraphs_after_the_visit_is_linked(analyzer: Analyzer) -> None:
    text = ("Chilean President Marisol Vargas is on a three-day visit to India and arrived in New Delhi on Sunday.\n\n"
            "Officials from both sides praised the warm tone of the talks.\n\n"
            "Trade between the two countries has doubled in five years.\n\n"
            "Analysts said copper and lithium dominate the exchange.\n\n"
            "On Monday Vargas opened a Terrano Foods packaging factory in Pune.")
    ans = _ans(analyzer, text, "2026-03-10")
    inv = next(e for e in ans["events"] if e["type"] == "investment")
    visit = next(e for e in ans["events"] if e["type"] == "official_visit")
    assert any(set(lk["events"]) == {inv["id"], visit["id"]} for lk in ans["links"])


def test_a_later_sentence_that_refers_back_through_a_clause_links_the_announcement(analyzer: Analyzer) -> None:
    text = ("Canadian Prime Minister Rosa Delmont announced new tariffs on steel imports on Thursday.\n\n"
            "Steelmakers welcomed the step.\n\n"
            "The announcement, which the cabinet had approved in private, came as Delmont hosted Mexican President "
            "Tomas Ibarra in Ottawa.")
    ans = _ans(analyzer, text)
    measure = next(e for e in ans["events"] if e["type"] == "trade_measure")
    visit = next(e for e in ans["events"] if e["type"] == "official_visit")
    assert any(set(lk["events"]) == {measure["id"], visit["id"]} for lk in ans["links"])


def test_a_measure_next_to_a_visit_framed_as_later_is_not_linked(analyzer: Analyzer) -> None:
    text = ("A spokesman said President Ana Ruiz of Chile intends to unveil new copper tariffs ahead of Japanese "
            "Prime Minister Ken Arata's visit to Santiago on Thursday.\n\n"
            "Ruiz had said earlier that Chile would impose tariffs on imported steel.")
    assert _ans(analyzer, text)["links"] == []


def test_an_executive_order_is_not_a_deal(analyzer: Analyzer) -> None:
    text = "President Ana Ruiz said she would sign an executive order on port fees on Friday."
    assert all(e["type"] != "deal" for e in _ans(analyzer, text)["events"])


def test_a_state_or_province_is_in_its_country() -> None:
    from nlp.events.countries import place_code
    assert place_code("California") == "US"
    assert place_code("Guangdong") == "CN"  # ISO writes "Guangdong Sheng"
    assert place_code("Gujarat") == "IN"  # ISO writes "Gujarāt"
    assert place_code("Sichuan province") == "CN"
    assert place_code("Georgia") is None  # also a country: the name does not say which
    assert place_code("Taiwan") == "TW"  # a country first, whatever ISO 3166-2 lists under CN
    assert place_code("Springfield") is None


def test_a_meeting_in_a_state_places_the_visit_in_its_country(analyzer: Analyzer) -> None:
    text = ("Kenyan President Amara Odhiambo met the governor Dale Whitcombe in California on Tuesday. "
            "Odhiambo said farm exports would grow.")
    ans = _ans(analyzer, text)
    visits = [e for e in ans["events"] if e["type"] == "official_visit"]
    assert _visitors(ans) == {"Amara Odhiambo"}
    host = next(a for a in visits[0]["actors"] if a["role"] == "host")
    assert host["country"] == "US"
