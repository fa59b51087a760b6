"""The items of a listing page (a shop's category, search results, a section front): link, title, price.

Items come from an ``ItemList`` in the structured data when there is one, else from the page's cards:
repeated boxes named like items (``product``, ``card``, ``tile``...) each with a link of its own and,
on shops, a price (read with the same price pattern as the buy box, struck-through prices skipped).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

import lxml.html

from crawlers.extract.buybox import PRICE_TEXT
from crawlers.extract.pagetype import CARD_CLASS
from crawlers.extract.patterns import _currency_from_text, _format_amount, parse_price
from crawlers.extract.structured import _as_list, _first_of_type, _ld_str
from crawlers.extract.text import _clean

_MAX_ITEMS = 200


def _absolute(href: str | None, base: str | None) -> str | None:
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return None
    return urljoin(base, href) if base else href


def _card_item(card: lxml.html.HtmlElement, base: str | None) -> dict[str, Any] | None:
    links = [a for a in card.iter("a") if _absolute(a.get("href"), base)]
    if not links or len(links) > 6:
        return None
    heading = next((h for h in card.iter("h1", "h2", "h3", "h4", "h5") if h.text_content().strip()), None)
    link = next((a for a in links if heading is not None and (a in heading.iterancestors() or
                                                              heading in a.iterancestors() or a is heading)),
                max(links, key=lambda a: len(a.text_content().strip())))
    title = _clean(heading.text_content() if heading is not None else link.text_content()) or _clean(link.get("title"))
    price = currency = None
    for el in card.iter():
        if not isinstance(el.tag, str) or el.tag in ("del", "s", "strike") or \
                el.xpath("ancestor::*[self::del or self::s or self::strike]"):
            continue
        own = " ".join((el.text_content() if len(el) == 0 else el.text or "").split())
        match = PRICE_TEXT.search(own) if len(own) <= 40 else None
        if match and re.search(r"[1-9]", match.group(0)):
            price = _format_amount(parse_price(match.group(0)))
            currency = _currency_from_text(match.group(0), None, [])
            break
    if not title:
        return None
    return {"url": _absolute(link.get("href"), base), "title": title, "price": price, "currency": currency}


def listing_items(tree: lxml.html.HtmlElement, structured: list[dict[str, Any]], base: str | None
                  ) -> list[dict[str, Any]]:
    """``[{"url", "title", "price", "currency"}]`` in page order, one per distinct link."""
    items: list[dict[str, Any]] = []
    item_list = _first_of_type(structured, {"ItemList", "OfferCatalog"})
    for element in _as_list(item_list.get("itemListElement")) if item_list else []:
        if not isinstance(element, dict):
            continue
        inner = element.get("item") if isinstance(element.get("item"), dict) else element
        url = _ld_str(inner, "url") or (element.get("item") if isinstance(element.get("item"), str) else None)
        items.append({"url": _absolute(url, base), "title": _clean(_ld_str(inner, "name")), "price": None,
                      "currency": None})
    if not items:
        for card in tree.iter("article", "li", "div", "section"):
            if card.tag != "article" and not CARD_CLASS.search(f"{card.get('class', '')} {card.get('itemtype', '')}"):
                continue
            item = _card_item(card, base)
            if item:
                items.append(item)
    seen: set[str] = set()
    distinct = []
    for item in items:
        key = item["url"] or item["title"] or ""
        if key and key not in seen:
            seen.add(key)
            distinct.append(item)
    return distinct[:_MAX_ITEMS]
