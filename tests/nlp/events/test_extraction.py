"""Event extraction through the analyzer: types, actors, countries, dates, links. Texts invented here."""

from __future__ import annotations

import pytest

from nlp.analyzer import Analyzer
from nlp.events.countries import code_for, country_before
from nlp.events.dates import resolve_date
from nlp.events.rules import parse_money
from storage.models import Alias, WatchEntry

WATCH = [
    WatchEntry(id="corvel", name="Corvel Mobile", type="org", country="KR", aliases=[Alias("Corvel")]),
    WatchEntry(id="ines-prado", name="Ines Prado", type="person", country="CL", role="Economy Minister"),
]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(WATCH)


def _one(analyzer: Analyzer, text: str, published_at: str | None = "2026-05-14") -> dict:
    return next(analyzer.analyze_batch([{"id": "t", "text": text, "published_at": published_at, "lang": "en"}]))


def test_launch_during_visit_in_one_article_is_linked(analyzer: Analyzer) -> None:
    text = ("Corvel Mobile unveiled its Vanta 5 phone in Seoul on Tuesday. "
            "Chile's Economy Minister Ines Prado toured the company's factory in Seoul on Tuesday during a "
            "three-day visit.")
    ans = _one(analyzer, text)
    by_type = {e["type"]: e for e in ans["events"]}
    launch, visit = by_type["product_launch"], by_type["official_visit"]
    company = next(a for a in launch["actors"] if a["role"] == "company")
    assert (company["entity_id"], company["country"]) == ("corvel", "KR")
    assert launch["date"] == {"start": "2026-05-12", "end": "2026-05-12", "text": "on Tuesday", "resolved": True}
    visitor = next(a for a in visit["actors"] if a["role"] == "visitor")
    assert visitor["entity_id"] == "ines-prado" and visitor["country"] == "CL"
    assert visitor["title"] == "Economy Minister"
    assert text[launch["evidence"]["start"]:launch["evidence"]["end"]] == launch["evidence"]["text"]
    (link,) = ans["links"]
    assert link["type"] == "co_timed" and set(link["events"]) == {launch["id"], visit["id"]}
    assert link["gap_days"] == 0 and "corvel" in link["entities"] and link["explanation"]


def test_relative_date_without_publication_date_is_unresolved_not_guessed(analyzer: Analyzer) -> None:
    ans = _one(analyzer, "Corvel Mobile launched the Vanta 6 phone on Friday.", published_at=None)
    (ev,) = ans["events"]
    assert ev["date"] == {"start": None, "end": None, "text": "on Friday", "resolved": False}
    assert any("publication date" in r for r in ev["reasons"])


def test_hard_negatives_make_no_events(analyzer: Analyzer) -> None:
    for text in ("The regulator launched an investigation into the collapse of the pier.",
                 "Hikers visited the lake despite the rain.",
                 "The porter was off duty when the parcel went missing."):
        assert _one(analyzer, text)["events"] == [], text


def test_deal_attributes_value_units_and_item(analyzer: Analyzer) -> None:
    ans = _one(analyzer, "Corvel Mobile signed an order for 40 locomotives worth 1.2 billion euros.")
    (ev,) = [e for e in ans["events"] if e["type"] == "deal"]
    assert ev["attributes"]["value"] == {"amount": "1200000000", "currency": "EUR"}
    assert ev["attributes"]["units"] == 40 and ev["attributes"]["item"] == "locomotives"


def test_countries_from_words() -> None:
    assert code_for("Brazil's") == "BR" and code_for("the Korean") == "KR" and code_for("us") is None
    text = "Germany's economy minister met the Korean chipmaker Hanil."
    assert country_before(text, text.index("economy")) == "DE"
    assert country_before(text, text.index("Hanil")) == "KR"


def test_dates_resolve_against_publication() -> None:
    d = resolve_date("She arrived on Monday for a four-day visit.", 4, "2026-03-11")
    assert (d.start, d.end, d.resolved) == ("2026-03-09", "2026-03-12", True)
    d = resolve_date("The visit ran from March 9 to 12.", 4, "2026-03-20")
    assert (d.start, d.end) == ("2026-03-09", "2026-03-12")
    d = resolve_date("Sales rose last week.", 6, "2026-03-11")
    assert (d.start, d.end) == ("2026-03-02", "2026-03-08")
    d = resolve_date("during her four-day visit the firm launched it", 30, "2026-03-11")
    assert d.start is None and not d.resolved and d.reasons


def test_money() -> None:
    assert parse_money("worth $2.4 billion") == {"amount": "2400000000", "currency": "USD"}
    assert parse_money("about 1.2 billion reais") == {"amount": "1200000000", "currency": "BRL"}
    assert parse_money("no money here") is None


def test_bad_input_never_crashes_and_says_why(analyzer: Analyzer) -> None:
    texts = [
        "Corvel Mobile launched the Vanta 7 on February 30.",  # not a calendar date
        "Corvel Mobile launched the Vanta 8 on Friday.",  # published_at unreadable below
        "Launched. Visited. Sanctioned. Tariffs.",  # triggers with nobody involved
        "",
        "Corvel Mobile " * 2000 + "launched the Vanta 9 on March 3.",
    ]
    reqs = [{"id": str(i), "text": t, "published_at": "yesterday-ish" if i == 1 else "2026-05-14", "lang": "en"}
            for i, t in enumerate(texts)]
    answers = list(analyzer.analyze_batch(reqs))
    assert len(answers) == len(texts)
    for ans in answers:
        for ev in ans["events"]:
            assert 0.0 <= ev["confidence"] <= 1.0
            if not ev["date"]["resolved"]:
                assert ev["date"]["start"] is None and ev["date"]["end"] is None
    bad_day = [e for e in answers[0]["events"] if e["type"] == "product_launch"]
    assert bad_day and not bad_day[0]["date"]["resolved"] and any("calendar" in r for r in bad_day[0]["reasons"])
    unreadable = answers[1]["events"][0]
    assert unreadable["date"]["resolved"] is False
    nobody = answers[2]["events"]
    assert all(e["reasons"] for e in nobody)  # whatever survives says what is missing


def test_past_event_dated_after_publication_loses_confidence() -> None:
    d = resolve_date("The company launched the phone on June 20.", 12, "2026-05-14")
    assert d.resolved and any("after publication" in r for r in d.reasons)


@pytest.mark.parametrize(("text", "expected"), [
    # wished for, argued about, conditional: not events
    ("Lawmakers in Oslo called for tougher sanctions on the Varnia regime.", set()),
    ("A bill in the Senate would impose new tariffs on imported bicycles.", set()),
    ("The Marlow Group is seeking to acquire a stake in Tessin Rail.", set()),
    ("The Tessin Ministry of Trade held a hearing on export controls last week.", set()),
    ("The central bank sanctioned a half-point cut in interest rates.", set()),
    ("Trade figures for May are scheduled to be released on Friday.", set()),
    # reported intent and decisions taken: events
    ("The Tessin Ministry of Trade said it would tighten export controls on drone parts.", {"export_control"}),
    ("The Varnia government imposed sanctions on Marlow Group on Monday.", {"sanction"}),
    ("Tessin set quotas on imported steel from Varnia.", {"trade_measure"}),
])
def test_only_events_that_happened_or_were_announced_are_reported(analyzer: Analyzer, text: str,
                                                                 expected: set[str]) -> None:
    assert {e["type"] for e in _one(analyzer, text)["events"]} == expected
