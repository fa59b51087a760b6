"""A page's type from its structure: a product's offer, a thread's posts, a listing's cards, an article's text."""

from __future__ import annotations

import re
from typing import Any

import lxml.html

from crawlers.extract.patterns import _VISIBLE_PRICE
from crawlers.extract.structured import _as_list, _first_of_type

CARD_CLASS = re.compile(r"(product|item|card|tile|teaser|story|post|entry|result)", re.IGNORECASE)


def _listing_signals(tree: lxml.html.HtmlElement, structured: list[dict[str, Any]]) -> tuple[int, int]:
    """(distinct links in product/article cards, number of price-like elements)."""
    hrefs: set[str] = set()
    for card in tree.xpath("//article | //li | //div | //section"):
        cls = f"{card.get('class', '')} {card.get('itemtype', '')}"
        if card.tag not in ("article",) and not CARD_CLASS.search(cls):
            continue
        links = card.xpath(".//a[@href]")
        if links and len(links) <= 4:
            hrefs.add(str(links[0].get("href")))
    item_list = _first_of_type(structured, {"ItemList"})
    if item_list:
        hrefs.update(str(i) for i in range(len(_as_list(item_list.get("itemListElement")))))
    priced = sum(1 for el in tree.xpath("//*[contains(@class, 'price')]")
                 if _VISIBLE_PRICE.search(el.text_content() or "")
                 and not el.xpath(".//*[contains(@class, 'price')]"))
    return len(hrefs), priced


def classify_page(*, product_found: bool, product_kind: str, ld_types: set[str], cards: int, priced: int,
                  text_length: int, forum: bool, article_ld: bool) -> str:
    """``listing``, ``product``, ``post``, ``article`` or ``other``; strongest evidence first."""
    if product_kind == "list" or ("ItemList" in ld_types and not product_found and cards >= 2):
        return "listing"
    if product_found:
        return "product"
    if forum:
        return "post"
    if cards >= 4 and (text_length < 600 or priced >= 3) and not article_ld:
        return "listing"
    if text_length:
        return "article"
    return "other"
