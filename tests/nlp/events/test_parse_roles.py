"""Who travels and who acts, read from the dependency parse (issue 14), with sentences invented here (people
and companies are made up; countries are real because visits are about countries)."""

from __future__ import annotations

import pytest

from nlp.analyzer import Analyzer
from nlp.events.syntax import agents, load_parser, visitors


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer([])


def _ans(analyzer: Analyzer, text: str, published_at: str | None = "2026-03-11") -> dict:
    return next(analyzer.analyze_batch([{"id": "t", "text": text, "published_at": published_at, "lang": "en"}]))


def _visitors(ans: dict) -> set[str]:
    return {a["text"] for e in ans["events"] if e["type"] == "official_visit" for a in e["actors"]
            if a["role"] == "visitor"}


def test_the_parser_names_the_subject_of_a_travel_verb_and_the_owner_of_a_trip(analyzer: Analyzer) -> None:
    parser = load_parser(analyzer.nlp)
    assert parser is not None
    doc = parser("The premier said the trade minister would travel to Chile and that her trip was short.")
    travel = next(t for t in doc if t.text == "travel")
    trip = next(t for t in doc if t.text == "trip")
    assert [t.text for t in visitors(travel)] == ["minister"]
    assert [t.text for t in visitors(trip)] == ["her"]
    doc = parser("Rotavia imposed tariffs on steel.")
    assert [t.text for t in agents(doc[2])] == ["Rotavia"]


def test_the_traveller_is_the_subject_of_travel_not_the_speaker(analyzer: Analyzer) -> None:
    text = ("Chilean President Ana Duarte said Defence Minister Paulo Reis would travel to Japan next week "
            "to complete the purchase of the frigates.")
    assert _visitors(_ans(analyzer, text)) == {"Paulo Reis"}


def test_both_travellers_of_a_joint_subject_are_visitors(analyzer: Analyzer) -> None:
    text = ("Chilean President Ana Duarte said the talks had gone well and that she and Defence Minister "
            "Paulo Reis would travel to Tokyo in May.")
    assert _visitors(_ans(analyzer, text)) == {"Ana Duarte", "Paulo Reis"}


def test_the_host_receiving_the_visiting_president_is_not_a_visitor(analyzer: Analyzer) -> None:
    text = ("Kenyan President Daniel Otieno arrived in Seoul on Monday for a two-day state visit.\n\n"
            "South Korean Prime Minister Han Min-seo and senior ministers received the visiting president "
            "at an air base near Seoul.")
    assert _visitors(_ans(analyzer, text)) == {"Daniel Otieno"}


def test_a_later_leg_of_the_trip_names_the_traveller_who_flies_on(analyzer: Analyzer) -> None:
    text = ("Peruvian President Luis Campos held talks in Santiago on Monday.\n\n"
            "Campos later met Chilean President Ana Duarte in Santiago before flying to Ecuador for a summit.")
    assert _visitors(_ans(analyzer, text)) == {"Luis Campos"}


def test_a_title_as_subject_of_an_action_is_the_official_the_text_introduced(analyzer: Analyzer) -> None:
    text = ("Vietnamese Prime Minister Tran Minh Lam arrived in Paris on Monday for a three-day visit.\n\n"
            "On Tuesday the prime minister signed an agreement to buy 20 high-speed trains.")
    ans = _ans(analyzer, text)
    deal = next(e for e in ans["events"] if e["type"] == "deal")
    assert deal["actors"][0]["text"] == "Tran Minh Lam"
    assert deal["actors"][0]["role"] == "agency"


def test_an_undated_action_of_the_visitor_paragraphs_away_is_background_not_linked(analyzer: Analyzer) -> None:
    text = ("Indian Prime Minister Ravi Menon arrived in Tokyo on Monday for a three-day visit.\n\n"
            "He is expected to discuss rail links and maritime security with his hosts.\n\n"
            "Officials said the agenda was broad.\n\n"
            "Observers noted the warm tone of recent meetings.\n\n"
            "Menon, a former state governor, launched a national payments app for farmers.")
    assert _ans(analyzer, text)["links"] == []


def test_a_travel_word_that_only_qualifies_a_noun_is_no_trip(analyzer: Analyzer) -> None:
    text = "Brazilian President Lucia Ferraz eased travel restrictions for Japanese tourists on Monday."
    assert _visitors(_ans(analyzer, text)) == set()


def test_a_possessive_that_opens_the_sentence_is_the_main_subject(analyzer: Analyzer) -> None:
    text = ("Chilean President Ana Duarte spoke to reporters in Santiago.\n\n"
            "During his first official visit to Chile, German Chancellor Jonas Weber met business leaders.")
    assert _visitors(_ans(analyzer, text)) == {"Jonas Weber"}


def test_each_possessed_visit_of_a_sentence_names_its_visitor(analyzer: Analyzer) -> None:
    text = ("After Spanish Prime Minister Elena Ruiz's visit in May and French President Marc Dubois's visit "
            "in June, several leaders have visited Beijing this year.")
    assert {"Elena Ruiz", "Marc Dubois"} <= _visitors(_ans(analyzer, text))


def test_the_subject_of_a_purchase_commitment_is_its_party(analyzer: Analyzer) -> None:
    text = ("Indonesian President Budi Santoso arrived in Washington on Monday.\n\n"
            "Santoso reportedly arrived bearing offers: lower duties on farm goods, as well as commitments to "
            "buy American aircraft.")
    ans = _ans(analyzer, text)
    deal = next(e for e in ans["events"] if e["type"] == "deal")
    assert "Budi Santoso" in {a["text"] for a in deal["actors"]}


def _linked(ans: dict, etype: str) -> bool:
    ids = {e["id"] for e in ans["events"] if e["type"] == etype}
    visits = {e["id"] for e in ans["events"] if e["type"] == "official_visit"}
    return any(set(lk["events"]) & ids and set(lk["events"]) & visits for lk in ans["links"])


def test_talks_with_the_host_in_a_named_capital_place_the_visitor(analyzer: Analyzer) -> None:
    text = ("VIENNA, March 10 - Austrian Chancellor Petra Lang said after her talks with President Wu Chen in "
            "Beijing on Monday that China had agreed to buy 50 aircraft from Skyvane.")
    ans = _ans(analyzer, text)
    assert "Petra Lang" in _visitors(ans)
    assert _linked(ans, "deal")


def test_meeting_someone_in_a_named_foreign_capital_is_a_visit_and_at_home_is_not(analyzer: Analyzer) -> None:
    abroad = "Brazilian President Lucia Ferraz met South Korean Prime Minister Han Min-seo in Seoul on Monday."
    home = "South Korean Prime Minister Han Min-seo met business leaders in Seoul on Monday."
    assert _visitors(_ans(analyzer, abroad)) == {"Lucia Ferraz"}
    assert _visitors(_ans(analyzer, home)) == set()


def test_what_was_secured_when_the_official_went_abroad_is_linked_to_that_trip(analyzer: Analyzer) -> None:
    text = ("Kenya has long courted Asian lenders, and President Daniel Otieno secured promises of $5 billion of "
            "investment when he went to Seoul in March last year.")
    ans = _ans(analyzer, text)
    assert "Daniel Otieno" in _visitors(ans)
    assert _linked(ans, "investment")



def _hosts(ans: dict) -> set[str | None]:
    return {a["country"] for e in ans["events"] if e["type"] == "official_visit" for a in e["actors"]
            if a["role"] == "host"}


def test_speaking_in_a_foreign_city_places_the_official_there(analyzer: Analyzer) -> None:
    text = "Speaking in Paris on Friday, Indian Prime Minister Ravi Menon said the talks had gone well."
    ans = _ans(analyzer, text)
    assert _visitors(ans) == {"Ravi Menon"}
    assert _hosts(ans) == {"FR"}


def test_a_visit_to_the_island_is_to_the_country_named_before(analyzer: Analyzer) -> None:
    text = ("Portugal's trade with Cuba has grown fast this year.\n\n"
            "The news comes on the eve of Prime Minister Rui Matos's visit to the island, the first by a "
            "Portuguese prime minister in decades.")
    assert _hosts(_ans(analyzer, text)) == {"CU"}


def test_a_country_used_as_a_title_word_is_not_the_host(analyzer: Analyzer) -> None:
    text = "President Rui Matos will visit Havana next week, the first such trip by a US president in years."
    assert "US" not in _hosts(_ans(analyzer, text))


def test_a_takeover_bid_for_a_company_is_a_deal(analyzer: Analyzer) -> None:
    ans = _ans(analyzer, "Orvane Insurance has bid $9bn for the hotel group Lakemoor, topping a rival offer.")
    assert any(e["type"] == "deal" for e in ans["events"])


def test_a_trade_embargo_imposed_is_a_trade_measure_and_one_named_in_passing_is_not(analyzer: Analyzer) -> None:
    imposed = _ans(analyzer, "In 1962 the United States imposed a trade embargo on the island.")
    named = _ans(analyzer, "Such a deal is still unusual under the long-standing trade embargo.")
    assert any(e["type"] == "trade_measure" for e in imposed["events"])
    assert not any(e["type"] == "trade_measure" for e in named["events"])


def test_the_visit_named_as_the_occasion_links_the_action(analyzer: Analyzer) -> None:
    saw = ("Kenyan President Daniel Otieno arrived in Seoul on Monday for a three-day state visit.\n\n"
           "The visit saw the signing of a $2 billion deal between Kenya Railways and Hanjin Rail.")
    occasion = ("Chilean President Ana Duarte toured the Sumiko Metals plant in Osaka on Tuesday.\n\n"
                "The company used the occasion to unveil its new electric mining truck.")
    assert _linked(_ans(analyzer, saw), "deal")
    assert _linked(_ans(analyzer, occasion), "product_launch")


def test_a_nominal_deal_is_a_deal(analyzer: Analyzer) -> None:
    text = ("Kenyan President Daniel Otieno arrived in Seoul on Monday for a three-day state visit. "
            "Agreements worth $3 billion were also announced during the trip.")
    ans = _ans(analyzer, text)
    assert any(e["type"] == "deal" for e in ans["events"])
    assert _linked(ans, "deal")


def test_an_official_who_witnesses_a_signing_is_not_its_party_but_the_signing_is_linked(
        analyzer: Analyzer) -> None:
    text = ("Chilean President Ana Duarte flew to Tokyo on Sunday. On Monday she witnessed the signing of an "
            "agreement worth $500 million between two mining companies.")
    ans = _ans(analyzer, text)
    deal = next(e for e in ans["events"] if e["type"] == "deal")
    assert "Ana Duarte" not in {a["text"] for a in deal["actors"]}
    assert _linked(ans, "deal")


def test_an_investment_said_with_its_amount_first_is_an_investment(analyzer: Analyzer) -> None:
    text = ("Chilean President Ana Duarte was in Tokyo on Monday, where Sumiko Metals announced a $1 billion "
            "investment in a copper smelter in Chile.")
    ans = _ans(analyzer, text)
    assert any(e["type"] == "investment" for e in ans["events"])
    assert _linked(ans, "investment")


def test_the_company_as_a_party_is_the_company_named_before(analyzer: Analyzer) -> None:
    text = ("Chilean President Ana Duarte met executives of Toyota in Nagoya on Tuesday.\n\n"
            "The company used the occasion to unveil its new electric mining truck.")
    launch = next(e for e in _ans(analyzer, text)["events"] if e["type"] == "product_launch")
    assert "Toyota" in {a["text"] for a in launch["actors"]}
    assert "The company" not in {a["text"] for a in launch["actors"]}


def _actors(ans: dict, etype: str) -> set[str]:
    return {a["text"] for e in ans["events"] if e["type"] == etype for a in e["actors"]}


def test_it_as_the_subject_of_an_action_is_the_company_named_before(analyzer: Analyzer) -> None:
    text = ("Trade Minister Helena Duarte of Brazil arrived in Seoul on Monday for a three-day visit.\n\n"
            "Samsung Electronics welcomed the delegation at its plant in Suwon. On Tuesday it signed a $400 million "
            "contract to supply compressors to a Brazilian retailer.")
    assert "Samsung Electronics" in _actors(_ans(analyzer, text), "deal")
    assert "Trade" not in _actors(_ans(analyzer, text), "deal")  # "Trade| Minister" is a title, not a company


def test_a_maker_said_with_a_common_noun_is_the_party_of_goods_made_for_the_occasion(analyzer: Analyzer) -> None:
    ans = _ans(analyzer, "The Copper Kettle cafe in Lisbon is serving pastries inspired by the visiting premier.")
    assert "The Copper Kettle cafe" in _actors(ans, "product_launch")
    ans = _ans(analyzer, "A Madrid barber has been offering haircuts in the style of President Alvarez.")
    assert "A Madrid barber" in _actors(ans, "product_launch")
    assert "Madrid" not in _actors(ans, "product_launch")


def test_he_who_launches_goods_is_the_shopkeeper_named_before_not_the_leader_on_them(analyzer: Analyzer) -> None:
    text = ("President Ana Duarte of Chile will meet Prime Minister Kenji Sato in Tokyo next week.\n\n"
            "John Miller, who runs a souvenir stall near the station, expects a busy week.\n\n"
            "Sales have tripled since he launched his Duarte-Sato line, with each T-shirt selling for $5.")
    ans = _ans(analyzer, text)
    assert "John Miller" in _actors(ans, "product_launch")


def test_a_title_given_only_later_names_the_person_introduced_without_one(analyzer: Analyzer) -> None:
    text = ("Mirela Castro and President Tomas Bell announced on Tuesday that the Chilean Prime Minister had signed "
            "an agreement to buy 40 trucks from the United States.")
    deal = next(e for e in _ans(analyzer, text)["events"] if e["type"] == "deal")
    assert deal["actors"][0]["text"] == "Mirela Castro"
    assert deal["actors"][0]["role"] == "agency"


def _link_whys(ans: dict) -> list[str]:
    return [lk["explanation"] for lk in ans.get("links") or []]


def test_an_action_on_a_named_day_of_her_visit_paragraphs_later_is_linked(analyzer: Analyzer) -> None:
    text = ("Chilean President Ana Duarte arrived in Tokyo on Monday for a three-day state visit.\n\n"
            "Officials said the talks would cover trade and fisheries.\n\n"
            "Toyota signed a $2 billion contract to supply hydrogen buses on the second day of her visit.")
    assert any("second day of her visit" in w for w in _link_whys(_ans(analyzer, text, "2019-06-05")))


def test_a_measure_taken_for_organising_the_visitors_meetings_answers_that_visit(analyzer: Analyzer) -> None:
    text = ("Taiwan's President Lin Mei-hua met lawmakers in Los Angeles last week during a stopover in the "
            "United States.\n\nOn Friday China sanctioned two American think tanks for organising Lin's meetings "
            "in California.")
    assert any("in response to the visit" in w for w in _link_whys(_ans(analyzer, text, "2019-06-05")))


def test_a_cancelled_order_is_a_deal_and_commemorative_coins_are_merchandise(analyzer: Analyzer) -> None:
    ans = _ans(analyzer, "A Chinese piano buyer cancelled an order for 11 grand pianos from Petrof over the Czech "
                         "senate speaker Pavel Novak's visit to Taiwan.")
    assert any(e["type"] == "deal" and e["trigger"]["text"].startswith("cancelled") for e in ans["events"])
    assert _linked(ans, "deal")
    ans = _ans(analyzer, "Vendors in Nairobi are selling commemorative coins and portraits of President Barack Obama "
                         "during his visit on Friday.", "2019-06-05")
    assert "Barack Obama" in _actors(ans, "merchandise")
    assert _linked(ans, "merchandise")


def test_a_company_of_the_host_country_acting_on_a_day_of_the_visit_is_linked_and_a_foreign_one_is_not(
        analyzer: Analyzer) -> None:
    text = ("Indian Prime Minister Ravi Menon arrived in Tokyo on Monday for a three-day visit.\n\n"
            "Japan's Mitsubishi Heavy Industries said on Tuesday it had won a $1 billion order for turbines from NTPC.")
    assert any("company of the host country" in w for w in _link_whys(_ans(analyzer, text, "2019-06-05")))
    text = ("President Tom Baker began a state visit to the UK on Monday.\n\n"
            "Item: German chipmaker Infineon agreed on Monday to buy US rival Cypress for $9 billion.")
    assert not _link_whys(_ans(analyzer, text, "2019-06-05"))


def test_both_leaders_joined_at_a_leaders_meeting_abroad_are_visitors(analyzer: Analyzer) -> None:
    text = ("North Korean leader Kim Jong Un and President Donald Trump will hold a summit next week.\n\n"
            "A vendor in Hanoi is selling posters of Kim and Trump, which he hopes will mark the leaders' meeting in "
            "Hanoi on February 27-28.")
    assert _visitors(_ans(analyzer, text, "2019-02-20")) == {"Kim Jong Un", "Donald Trump"}


def test_the_official_received_by_a_host_is_the_visitor(analyzer: Analyzer) -> None:
    ans = _ans(analyzer, "Prime Minister Ravi Menon of India will receive Chinese President Li Wei next month.")
    assert _visitors(ans) == {"Li Wei"}
