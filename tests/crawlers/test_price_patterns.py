"""Availability values in the forms shops write them, and prices in local currency words."""

from __future__ import annotations

import pytest

from crawlers.extract.buybox import price_in, stock_text
from crawlers.extract.patterns import _availability, _currency_from_text, parse_price


@pytest.mark.parametrize(("value", "expected"), [
    ("https://schema.org/InStock", "InStock"), ("http://schema.org/OutOfStock/", "OutOfStock"),
    ("schema:InStock", "InStock"), ("instock", "InStock"), ("in stock", "InStock"), ("in_stock", "InStock"),
    ("Out-of-stock", "OutOfStock"), ("OUT_OF_STOCK", "OutOfStock"), ("oos", "OutOfStock"),
    ("http://schema.org/SoldOut", "OutOfStock"), ("https://schema.org/Discontinued", "OutOfStock"),
    ("https://schema.org/PreOrder", "PreOrder"), ("backorder", "InStock"), ("LimitedAvailability", "InStock"),
    ("http://schema.org/BackOrder", "InStock"), ("available for order", "InStock"),
])
def test_schema_org_availability_in_any_case_and_form(value: str, expected: str) -> None:
    assert _availability(value, []) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Nicht vorrätig", "OutOfStock"), ("Vorrätig", "InStock"), ("Slut i lager", "OutOfStock"),
    ("Finns i lager", "InStock"), ("Ikke på lager", "OutOfStock"), ("På lager", "InStock"),
    ("Rupture de stock", "OutOfStock"), ("Ausverkauft", "OutOfStock"), ("在庫切れ", "OutOfStock"),
    ("Agotado", "OutOfStock"), ("Hay existencias", "InStock"), ("Benachrichtigen, wenn verfügbar", "OutOfStock"),
    ("Pre-order now", "PreOrder"),
])
def test_stock_lines_in_several_languages(text: str, expected: str) -> None:
    assert stock_text(text) == expected


@pytest.mark.parametrize(("text", "amount"), [
    ("7,480円", "7480"), ("售价：168元", "168"), ("₹1,299", "1299"), ("129,00 zł", "129.00"), ("1 249 kr", "1249"),
    ("kr. 249,95", "249.95"), ("Fr. 89.90", "89.90"), ("kr 299,-", "299"), ("42.50 CHF", "42.50"),
    ("Ursprünglicher Preis war: 29,90 €. Aktueller Preis ist: 19,90 €.", "19.90"),
    ("€3.20/kg €1.60", "1.60"), ("Warenkorb 0,00 € Preis 12,00 €", "12.00"),
])
def test_the_price_to_pay_in_a_short_text(text: str, amount: str) -> None:
    found = price_in(text)
    assert found is not None and parse_price(found) == parse_price(amount), found


@pytest.mark.parametrize(("text", "lang", "code"), [
    ("1 249 kr", "sv", "SEK"), ("kr. 249,95", "da", "DKK"), ("kr 299,-", "nb", "NOK"), ("Fr. 89.90", "de", "CHF"),
    ("2 990 Kč", "cs", "CZK"), ("129,00 zł", "pl", "PLN"), ("7,480円", "ja", "JPY"), ("168元", "zh", "CNY"),
])
def test_currency_words(text: str, lang: str, code: str) -> None:
    assert _currency_from_text(text, lang, []) == code


def test_the_dollar_sign_is_read_by_the_page_region() -> None:
    assert _currency_from_text("$ 4.590", "es", [], "AR") == "ARS"
    assert _currency_from_text("$12.00", "en", [], "CA") == "CAD"
    warnings: list[str] = []
    assert _currency_from_text("$12.00", "en", warnings, None) == "USD" and warnings


@pytest.mark.parametrize(("text", "found"), [
    ("Or 3 interest-free payments of £40.00 with Klarna", None), ("ou payez en 4 x 112,48 €", None),
    ("Any 2 for €3.00", None), ("Gebraucht kaufen 8,50 €", None), ("Pack of 2 x 500 ml £6.00", "£6.00"),
])
def test_instalment_multibuy_and_used_prices_are_not_the_price(text: str, found: str | None) -> None:
    from crawlers.extract.buybox import _NOT_TO_PAY_LEAD, PRICE_TEXT

    match = PRICE_TEXT.search(text)
    assert match is not None
    assert (None if _NOT_TO_PAY_LEAD.search(text[:match.start()]) else match.group(0)) == found


@pytest.mark.parametrize("text", ["Lieferung für 3,99 € Donnerstag", "Frais de port 4,90 €", "Verzendkosten € 4,95",
                                  "Frakt 49 kr", "Dostawa 9,99 zł", "送料 550円", "Envío 3,95 €"])
def test_a_shipping_cost_is_not_the_price(text: str) -> None:
    assert price_in(text) is None
