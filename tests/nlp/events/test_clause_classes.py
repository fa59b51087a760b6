"""Issue 14 failure classes read clause by clause, with sentences invented here (people and companies are made up;
countries are real because visits and trade measures are about countries)."""

from __future__ import annotations

import pytest

from nlp.analyzer import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer([])


def _events(analyzer: Analyzer, text: str, published_at: str | None = "2021-03-02") -> list[dict]:
    ans = next(analyzer.analyze_batch([{"id": "t", "text": text, "published_at": published_at, "lang": "en"}]))
    return ans["events"]


def _of(events: list[dict], etype: str) -> list[dict]:
    return [e for e in events if e["type"] == etype]


def _names(ev: dict) -> set[str]:
    return {a["text"] for a in ev["actors"]}


def test_an_invitation_to_visit_is_no_visit_of_the_one_inviting(analyzer: Analyzer) -> None:
    evs = _events(analyzer, "Prime Minister Ravi Kumar invited Korean people to visit India and explore its cities.")
    assert _of(evs, "official_visit") == []
    # the one invited is an official: their visit stays
    evs = _events(analyzer, "Indian Prime Minister Ravi Kumar invited Chilean President Ana Duarte to visit New Delhi "
                            "in May.")
    assert [a["text"] for e in _of(evs, "official_visit") for a in e["actors"] if a["role"] == "visitor"] == [
        "Ana Duarte"]


def test_a_hypothesis_ends_where_a_clause_of_its_own_begins(analyzer: Analyzer) -> None:
    evs = _events(analyzer, "Norvik is now the target of what could be the largest takeover of a Swedish company by "
                            "a Japanese group: Kaito Holdings, which already owns a Paris hotel, has bid $5bn for "
                            "Norvik.")
    deals = _of(evs, "deal")
    assert len(deals) == 1 and "Kaito Holdings" in _names(deals[0])


def test_investment_projects_unveiled_are_an_investment_not_a_launch(analyzer: Analyzer) -> None:
    evs = _events(analyzer, "Brazilian President Ana Lima landed in Kenya yesterday on a three-day visit during which "
                            "she is expected to unveil rail investment projects worth $12 billion.")
    assert _of(evs, "product_launch") == []
    assert len(_of(evs, "investment")) == 1


def test_a_light_verb_investment(analyzer: Analyzer) -> None:
    evs = _events(analyzer, "Norvik, the Swedish retailer, will refurbish two stores in Oslo, and a company spokesman "
                            "said it would make a multimillion-dollar investment to modernise them.")
    assert [_names(e) for e in _of(evs, "investment")] == [{"Norvik"}]


def test_bans_on_goods_ended_or_imposed_are_trade_measures(analyzer: Analyzer) -> None:
    text = ("In a statement on Monday, the prime minister said Seoul had ended its ban on the last three Canadian "
            "pork exporters. Seoul has already lifted restrictions on Canadian wheat, canola and timber.")
    evs = _of(_events(analyzer, text), "trade_measure")
    assert len(evs) >= 1 and all("Seoul" in _names(e) for e in evs)
    # a ban on something that is not traded goods is not
    assert _of(_events(analyzer, "The city ended its ban on street parking in the old town."), "trade_measure") == []


def test_a_title_inside_the_name_and_a_parse_that_gives_the_visit_to_the_country(analyzer: Analyzer) -> None:
    evs = _events(analyzer, "After Queen Astrid of Norway's visit in November and Chilean President Ana Duarte's "
                            "visit in December, the leaders of Ireland and Canada have visited Beijing this year.")
    visitors = {a["text"] for e in _of(evs, "official_visit") for a in e["actors"] if a["role"] == "visitor"}
    assert {"Astrid", "Ana Duarte"} <= visitors
