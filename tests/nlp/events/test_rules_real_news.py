"""Event rules for phrasings seen in real wire copy: possessive visits, agreed share purchases,
commodity export licences, wishes and predictions. Every sentence here is invented for the test."""

from __future__ import annotations

import pytest

from nlp.analyzer import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer([])


def _types(analyzer: Analyzer, *texts: str) -> list[set[str]]:
    reqs = [{"id": str(i), "text": t, "published_at": "2026-05-14", "lang": "en"} for i, t in enumerate(texts)]
    return [{e["type"] for e in ans["events"]} for ans in analyzer.analyze_batch(reqs)]


def _events(analyzer: Analyzer, text: str) -> list[dict]:
    return next(analyzer.analyze_batch([{"id": "t", "text": text, "published_at": "2026-05-14", "lang": "en"}]))[
        "events"]


def test_possessive_and_title_only_visits_are_visits(analyzer: Analyzer) -> None:
    texts = ("Premier Ostrava's visit to Oslo next week will focus on fishing rights.",
             "The prime minister's visit to Nairobi starts on Monday.",
             "The President visits Ottawa next month for talks on acid rain.",
             "Undersecretary of State Rena Kowalski will visit Manila on Friday.")
    assert _types(analyzer, *texts) == [{"official_visit"}] * len(texts)


def test_visit_taken_as_given_inside_a_would_clause_keeps_its_owner_and_host(analyzer: Analyzer) -> None:
    (visit,) = _events(analyzer, "John Carver added that during his Tokyo visit he would raise the rice issue.")
    assert visit["type"] == "official_visit"
    roles = {a["role"]: a["text"] for a in visit["actors"]}
    assert roles == {"visitor": "John Carver", "host": "Tokyo"}


def test_reported_mission_visit_is_an_announcement(analyzer: Analyzer) -> None:
    assert _types(analyzer, "The ministry said a World Bank mission would visit Freetown this week.") == [
        {"official_visit"}]


def test_agreed_share_purchases_sales_and_passive_agreements_are_deals(analyzer: Analyzer) -> None:
    texts = ("Halvorsen Corp said it agreed to buy the shares of Brindle Foods it does not already own.",
             "Tessaro Inc said it agreed in principle to sell its pump division to Varga Holdings for 40 mln dlrs.",
             "The agency said the accord was reached between Kenya's energy minister and Veltrix Power.",
             "Peru signed a 200 mln dlr loan with the Andean Development Corp.",
             "Dalmore Group launched a recommended offer for Pellow Engineering.",
             "Norvale said it has sold its Delta pumps unit to Brisco Inc for 40 mln dlrs.")
    assert _types(analyzer, *texts) == [{"deal"}] * len(texts)


def test_buying_on_the_market_is_not_a_deal(analyzer: Analyzer) -> None:
    assert _types(analyzer, "The central bank intervened to buy dollars for yen.",
                  "Investors were eager to buy bonds before the auction.") == [set(), set()]


def test_commodity_tender_export_licences_are_not_export_controls(analyzer: Analyzer) -> None:
    assert _types(analyzer,
                  "The EC Commission granted export licences for 40,000 tonnes of barley at a maximum rebate "
                  "of 130 Ecus.",
                  "All requests for export licences for feed wheat were rejected at the tender.") == [set(), set()]


def test_export_licences_for_strategic_goods_and_export_quotas_set_by_a_government_are(analyzer: Analyzer) -> None:
    assert _types(analyzer,
                  "The Commerce Department granted export licences for two supercomputers to a Chinese institute.",
                  "The Mexican government authorized an export quota of 500,000 head of cattle.") == [
        {"export_control"}, {"export_control"}]


def test_wishes_predictions_and_modal_measures_are_not_events(analyzer: Analyzer) -> None:
    texts = ('"We want to lift the sanctions," the foreign minister said.',
             "The union said sanctions should be imposed on the shipyard's owners.",
             "The government is prepared to lift the sanctions when the regime frees prisoners.",
             "The company denied reports that it planned to build a plant in Ohio.")
    assert _types(analyzer, *texts) == [set()] * len(texts)


def test_a_measure_said_to_be_imposed_counts_even_inside_a_wish(analyzer: Analyzer) -> None:
    text = "Ferrand urged the commission to lift the trade sanctions imposed on Norwegian salmon."
    assert _types(analyzer, text) == [{"sanction", "trade_measure"}]


def test_securities_and_the_noun_launch_are_not_product_launches(analyzer: Analyzer) -> None:
    texts = ("The bank launched a 200 mln dlr bond issue on Tuesday.",
             "Ostrava Bank launched a 100 mln dlr eurobond on Monday.",
             "The notes yield 8.5 pct at launch.",
             "The timing of the launch was poor, dealers said.",
             "The tax reform plan introduced in 1984 cut corporate rates.")
    assert _types(analyzer, *texts) == [set()] * len(texts)


def test_new_products_still_launch(analyzer: Analyzer) -> None:
    assert _types(analyzer, "Velmont Foods said it will introduce a new line of frozen pizzas called Crusto.",
                  "The Arvo Savings Bank introduced a fixed rate mortgage loan.") == [
        {"product_launch"}, {"product_launch"}]


def test_import_taxes_and_retaliation_decided_are_trade_measures(analyzer: Analyzer) -> None:
    assert _types(analyzer, "The ministry announced a new 20 pct tax on goods imported by air.",
                  "The council decided to take retaliatory action against Korea over steel.") == [
        {"trade_measure"}, {"trade_measure"}]


def test_possessive_visit_names_its_owner_as_visitor(analyzer: Analyzer) -> None:
    (visit,) = _events(analyzer, "Delacroix's visit to Hanoi next week will be closely watched.")
    assert {a["role"]: a["text"] for a in visit["actors"]} == {"visitor": "Delacroix", "host": "Hanoi"}


def test_an_expected_action_is_an_event_marked_planned_and_never_linked(analyzer: Analyzer) -> None:
    text = ("Japanese Prime Minister Ken Arata arrived in Nairobi on Monday for a two-day visit, during which "
            "Kenya is expected to sign agreements worth $2 billion with Japanese lenders.")
    ans = next(analyzer.analyze_batch([{"id": "t", "text": text, "published_at": "2026-05-14", "lang": "en"}]))
    deal = next(e for e in ans["events"] if e["type"] == "deal")
    assert deal["attributes"]["status"] == "planned"
    assert not any(deal["id"] in lk["events"] for lk in ans["links"])
    (measure,) = _events(analyzer, "Washington is likely to announce tariffs on Canadian lumber today.")
    assert measure["type"] == "trade_measure" and measure["attributes"]["status"] == "planned"


def test_a_company_named_beside_its_kind_is_the_party_not_its_nationality(analyzer: Analyzer) -> None:
    (deal,) = _events(analyzer, "Finnish elevator maker Korvalo agreed to buy its Spanish rival for €2 billion.")
    company = next(a for a in deal["actors"] if a["role"] == "company")
    assert (company["text"], company["country"]) == ("Korvalo", "FI")
    (deal,) = _events(analyzer, "Brentmoor, the British hotel chain, signed a contract to run a resort in Lima.")
    company = next(a for a in deal["actors"] if a["role"] == "company")
    assert company["text"] == "Brentmoor" and company["country"] == "GB"


def test_a_place_after_the_verb_is_not_the_party_of_a_deal(analyzer: Analyzer) -> None:
    (deal,) = _events(analyzer, "It has signed contracts to run two hotels in Lima.")
    assert all(not (a["role"] == "company" and a["text"] == "Lima") for a in deal["actors"])


def test_products_announced_revealed_or_made_available_are_launches(analyzer: Analyzer) -> None:
    texts = ("Korvalo announced its new Tessa smartphone at a press event in Madrid.",
             "The Orvane X2 headset is now available in stores across Canada.",
             "Brentmoor Motors revealed its first electric van on Tuesday.")
    assert _types(analyzer, *texts) == [{"product_launch"}] * len(texts)


def test_details_offerings_and_initiatives_are_not_product_launches(analyzer: Analyzer) -> None:
    texts = ("Korvalo released details of its new server chip on Monday.",
             "Brentmoor launched a planned initial public offering of 20 million shares.",
             "Orvane launched a nationwide hiring initiative with 40 partner firms.")
    assert _types(analyzer, *texts) == [set()] * len(texts)


def test_a_launch_a_company_plans_is_a_planned_launch(analyzer: Analyzer) -> None:
    (launch,) = _events(analyzer, "Korvalo plans to launch a cheaper Tessa smartphone later this year.")
    assert launch["type"] == "product_launch" and launch["attributes"]["status"] == "planned"


def test_launches_said_in_other_words_are_launches(analyzer: Analyzer) -> None:
    texts = ("Halvark Motors delivered its first Tarsa sedan to a customer in Oslo on Tuesday.",
             "Quellon Labs said it will bring two new asthma inhalers to market next year.",
             "Brindle Audio is now shipping its Orbis headphones.",
             "Veltrix Corp. revamped Pingly, its messaging app, to look like a photo app.",
             "Corvane Systems announced its newest Vela tablets at a show in Berlin.",
             "Tessaro began production of its Nimbus electric van at the Gdansk plant.",
             "As expected, Dalmore launched the Kestrel 9 phone on Monday.")
    assert _types(analyzer, *texts) == [{"product_launch"}] * len(texts)


def test_launch_phrases_that_name_no_product_stay_out(analyzer: Analyzer) -> None:
    texts = ("Corvane Systems announced a new chief executive on Monday.",
             "The crew delivered the first speech of the evening.",
             "Halvark redesigned the kitchen of its head office.")
    assert _types(analyzer, *texts) == [set()] * len(texts)


def test_a_clause_after_the_launch_is_not_what_was_launched(analyzer: Analyzer) -> None:
    (ev,) = [e for e in _events(analyzer, "It has been six months since the Tarsa sedan by Halvark Motors went on "
                                          "sale and the results have been modest.") if e["type"] == "product_launch"]
    assert ev["trigger"]["text"] == "went on sale"
