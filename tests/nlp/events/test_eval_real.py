"""The events-real-dev scorer on an invented page: matching by name, links, the fixed split."""

from pipeline.evals.events_real import Tally, half, names_match, score_page

TEXT = "Chancellor Ada Brenner arrived in Lumaria on Monday. Orvane Motors signed a bus order during the visit."


def _page(links: list[list[int]]) -> dict:
    return {"page_id": "c03-p1", "case": 3, "text": TEXT, "links": links, "events": [
        {"type": "official_visit", "actor": "Ada Brenner", "visitor": "Ada Brenner", "counterparty": None,
         "evidence": "Chancellor Ada Brenner arrived in Lumaria on Monday."},
        {"type": "deal", "actor": "Orvane Motors", "visitor": None, "counterparty": None,
         "evidence": "Orvane Motors signed a bus order during the visit."}]}


def _answer(linked: bool) -> dict:
    return {"events": [
        {"id": "e1", "type": "official_visit", "actors": [{"role": "visitor", "text": "Brenner"}],
         "evidence": {"start": 0, "end": 52}},
        {"id": "e2", "type": "deal", "actors": [{"role": "company", "text": "Orvane Motors's"}],
         "evidence": {"start": 53, "end": len(TEXT)}}],
        "links": [{"events": ["e1", "e2"]}] if linked else []}


def test_found_visit_action_and_link() -> None:
    t = Tally()
    score_page(_page([[1, 0]]), _answer(True), t)
    assert t.visits == [1, 1] and t.actions == [1, 1] and t.links == [1, 1] and t.no_link_pages == [0, 0]
    assert t.types["deal"] == [1, 0, 0]


def test_link_on_a_page_without_gold_link_counts() -> None:
    t = Tally()
    score_page(_page([]), _answer(True), t)
    assert t.no_link_pages == [1, 1]


def test_names_and_split() -> None:
    assert names_match("President Ada Brenner", "Brenner's")
    assert not names_match("Ada Brenner", "Lumaria")
    assert half({"page_id": "c03-p2", "case": 3}) == "tune"
    assert half({"page_id": "neg-04", "case": None}) == "held-out"
