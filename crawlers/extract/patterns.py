"""Prices, currencies and availability values: the patterns and parsers product extraction is built on."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

AVAILABILITY = {
    "instock": "InStock",
    "instoreonly": "InStock",
    "onlineonly": "InStock",
    "limitedavailability": "InStock",
    "outofstock": "OutOfStock",
    "soldout": "OutOfStock",
    "discontinued": "OutOfStock",
    "preorder": "PreOrder",
    "presale": "PreOrder",
    "presell": "PreOrder",
    # Merchant-feed and shop-system spellings (Google's "in stock", "backorder", OpenGraph's "oos"):
    # a product one can order now, to be shipped later, is offered.
    "backorder": "InStock",
    "madetoorder": "InStock",
    "available": "InStock",
    "availablefororder": "InStock",
    "oos": "OutOfStock",
    "unavailable": "OutOfStock",
    "notavailable": "OutOfStock",
}
# Unambiguous currency symbols and words; "¥" depends on the page's language (CNY or JPY).
CURRENCY_SYMBOLS = {
    "US$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "￥": "CNY", "元": "CNY", "RMB": "CNY",
    "CN¥": "CNY", "CNY": "CNY", "₹": "INR", "₩": "KRW", "₽": "RUB", "C$": "CAD", "CA$": "CAD",
    "A$": "AUD", "AU$": "AUD", "HK$": "HKD", "NT$": "TWD", "R$": "BRL", "CHF": "CHF", "zł": "PLN",
    "kr": "SEK", "Fr.": "CHF", "SFr.": "CHF", "Kč": "CZK", "Ft": "HUF", "₴": "UAH", "₸": "KZT", "₪": "ILS",
    "円": "JPY", "₺": "TRY", "₫": "VND", "฿": "THB", "₱": "PHP",
}
_ISO_CURRENCY = re.compile(
    r"\b(USD|EUR|GBP|CNY|RMB|JPY|KRW|INR|CAD|AUD|HKD|TWD|CHF|SEK|NOK|DKK|PLN|BRL|RUB|MXN|CZK|HUF|RON|BGN|HRK|UAH|BYN|KZT|TRY|ILS|"
    r"ZAR|NZD|SGD|MYR|IDR|THB|VND|PHP|ARS|CLP|COP|PEN|AED|SAR|ISK)\b"
)
_VISIBLE_PRICE = re.compile(
    r"(?:US\$|HK\$|NT\$|CA\$|AU\$|CN¥|R\$|[$€£¥￥₹₩₽])\s?\d[\d,.\s]*\d"
    r"|\d{1,3}(?:[\s\u00a0.,]\d{3})+(?:[.,]\d{1,2})?\s?(?:元|€|円|zł)|\d[\d,.]*\s?(?:元|€|円|zł)"
)


def parse_price(value: Any, currency_hint: Any = None) -> Decimal | None:
    """The amount of a price string or number (``"1 299,00 €"`` -> 1299.00); None when there is none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    from price_parser import Price

    price = Price.fromstring(str(value), currency_hint=str(currency_hint) if currency_hint else None)
    return price.amount


def _format_amount(amount: Decimal | None) -> str | None:
    if amount is None:
        return None
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return format(amount.normalize(), "f")
    return format(amount.quantize(Decimal("0.01")), "f")


# "kr" is the crown of several countries: the page's language tells which.
_CROWN_BY_LANG = {"sv": "SEK", "da": "DKK", "nb": "NOK", "nn": "NOK", "no": "NOK", "is": "ISK", "fo": "DKK"}


# "$" is the dollar or peso of many countries: the page's region ("es-AR", og:locale "en_CA") tells which.
_DOLLAR_BY_REGION = {"US": "USD", "CA": "CAD", "AU": "AUD", "NZ": "NZD", "SG": "SGD", "HK": "HKD", "TW": "TWD",
                     "MX": "MXN", "AR": "ARS", "CL": "CLP", "CO": "COP", "UY": "UYU", "BR": "BRL"}


def page_region(locale: str | None) -> str | None:
    """The country of a locale such as ``es-AR`` or ``en_CA`` (None when it names none)."""
    parts = re.split(r"[-_]", (locale or "").strip())
    return parts[1].upper() if len(parts) > 1 and re.fullmatch(r"[A-Za-z]{2}", parts[1]) else None


def _currency_from_text(text: str, lang: str | None, warnings: list[str], region: str | None = None) -> str | None:
    iso = _ISO_CURRENCY.search(text.upper())
    if iso:
        return "CNY" if iso.group(1) == "RMB" else iso.group(1)
    for symbol in sorted(CURRENCY_SYMBOLS, key=len, reverse=True):
        if symbol in text:
            code = CURRENCY_SYMBOLS[symbol]
            if symbol == "kr":
                code = _CROWN_BY_LANG.get(lang or "", code)
            if symbol == "$":
                code = _DOLLAR_BY_REGION.get(region or "", "USD")
                if region not in _DOLLAR_BY_REGION:
                    warnings.append("product: currency inferred from the '$' sign as USD")
            return code
    if "¥" in text:
        if lang in ("zh", "ja"):
            return "CNY" if lang == "zh" else "JPY"
        warnings.append("product: '¥' could be CNY or JPY and the page language does not say; "
                        "currency unknown")
        return None
    warnings.append(f"product: no currency found in {text.strip()[:40]!r}")
    return None


def _availability(value: str | None, warnings: list[str]) -> str | None:
    if not value:
        return None
    # Any case and form: "https://schema.org/InStock", "schema:OutOfStock", "in_stock", "Out-of-stock".
    key = re.split(r"[/:#]", value.strip().rstrip("/"))[-1].lower()
    mapped = AVAILABILITY.get(re.sub(r"[\s_\-]", "", key))
    if mapped is None:
        warnings.append(f"product: availability {value!r} has no contract value; left null")
    return mapped
