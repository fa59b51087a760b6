"""Issue 14, precision on the open web: an event needs a named party of the right kind and a trigger in its type's
sense. Every sentence is written for the test (companies and people are made up)."""

from __future__ import annotations

from typing import Any

from nlp.analyzer import Analyzer


def _events(analyzer: Analyzer, text: str, published_at: str | None = "2021-03-02") -> list[dict[str, Any]]:
    ans = next(analyzer.analyze_batch([{"id": "t", "text": text, "published_at": published_at, "lang": "en"}]))
    return list(ans["events"])


def _types(evs: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in evs]


def test_a_company_launching_a_named_product_is_a_launch(analyzer: Analyzer) -> None:
    evs = _events(analyzer, "Halvark Motors launched its Tarsa electric sedan in Oslo on Tuesday.")
    assert _types(evs) == ["product_launch"]
    assert evs[0]["actors"][0] == {**evs[0]["actors"][0], "role": "company", "text": "Halvark Motors"}


def test_a_process_a_project_or_a_search_launched_is_no_product_launch(analyzer: Analyzer) -> None:
    for text in ("Running the command will launch a new shell process in the project folder.",
                 "The city of Orlen has launched a five-year project to rename its streets.",
                 "Police launched a search for the driver on Friday."):
        assert "product_launch" not in _types(_events(analyzer, text)), text


def test_deal_as_a_verb_and_a_purchase_with_nobody_on_the_other_side_are_no_deals(analyzer: Analyzer) -> None:
    for text in ("We deal with settings in YAML format in the next section.",
                 "I was happy to buy a copy of his book."):
        assert "deal" not in _types(_events(analyzer, text)), text


def test_a_deal_with_a_named_counterparty_stays(analyzer: Analyzer) -> None:
    evs = _events(analyzer, "Kessler Group signed a supply agreement with Daro Foods.")
    assert _types(evs) == ["deal"]
    assert {(a["role"], a["text"]) for a in evs[0]["actors"]} >= {("company", "Kessler Group"),
                                                                  ("counterparty", "Daro Foods")}


def test_an_event_naming_no_party_and_no_date_is_not_reported(analyzer: Analyzer) -> None:
    assert _events(analyzer, "Running it will launch a new shell for you.", published_at=None) == []


def test_a_pronoun_launch_takes_the_company_named_before(analyzer: Analyzer) -> None:
    evs = _events(analyzer, "Veltrix Mobile introduced the Nova 7 smartphone last week. It also launched a cheaper "
                            "tablet.")
    assert [a["text"] for e in evs for a in e["actors"] if a["role"] == "company"] == ["Veltrix Mobile"] * 2


def test_what_is_launched_is_not_its_maker_and_a_persons_debut_is_no_launch(analyzer: Analyzer) -> None:
    evs = _events(analyzer, "Brindle Audio said on Monday: we are pleased to introduce Orbis Studio to Europe.")
    assert all(a["text"] != "Orbis Studio" for e in evs for a in e["actors"] if a["role"] == "company")
    assert "product_launch" not in _types(_events(analyzer, "After his strong debut, Tomas Reyes scored twice."))


def test_an_owner_named_in_the_object_stays_the_party(analyzer: Analyzer) -> None:
    evs = _events(analyzer, "On Monday President Ana Duarte opened a Kessler Group battery factory in Porto worth "
                            "$500 million.")
    assert any(a["text"] == "Kessler Group" for e in evs for a in e["actors"])
