"""The product a page offers: structured data first, then the visible buy box."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import lxml.html

from crawlers.extract.buybox import (
    elsewhere_box,
    first_main_price,
    other_price_box,
    outside_main,
    price_in,
    price_named,
    read_buy_box,
    stock_line,
    stock_text,
)
from crawlers.extract.metadata import _html_lang
from crawlers.extract.patterns import (
    _VISIBLE_PRICE,
    _availability,
    _currency_from_text,
    _format_amount,
    page_region,
    parse_price,
)
from crawlers.extract.structured import _as_list, _first_of_type, _ld_str, _name_of, _types
from crawlers.extract.text import _clean, _strip_noise, _visible_text, _xpath_attr, _xpath_attr_or_text, _xpath_text

_CART_SIGNALS = re.compile(
    r"add to (?:cart|basket|bag)|buy now|in den warenkorb|ajouter au panier"
    r"|加入购物车|立即购买|カートに入れる",
    re.IGNORECASE,
)


def _product(structured: list[dict[str, Any]], tree: lxml.html.HtmlElement, meta: dict[str, str],
             answer: dict[str, Any], warnings: list[str], url: str | None = None
             ) -> tuple[dict[str, Any] | None, str]:
    """(product dict or None, ``single``|``list``|``none``)."""
    products = [i for i in structured if "Product" in _types(i) or "ProductGroup" in _types(i)]
    offers_alone = [i for i in structured if set(_types(i)) & {"Offer", "AggregateOffer"}]
    # The same product is often described twice (JSON-LD and microdata): count distinct names.
    distinct = {" ".join((_ld_str(p, "name") or "").lower().split()) for p in products} - {""}
    item_list = _first_of_type(structured, {"ItemList", "OfferCatalog", "CollectionPage"})
    lang = _html_lang(tree, meta)
    if len(distinct) >= 2:
        # A product page often carries "related products" too: the main one is named by the page.
        main = _main_product(products, tree, meta)
        if main is None:
            return None, "list"
        products = main
    elif item_list is not None and not products:
        return None, "list"
    if products:
        # Richest description first (one with offers), the others fill its gaps.
        products.sort(key=lambda p: (p.get("offers") is None, -len(p)))
        merged = _product_from_ld(products[0], lang, warnings)
        for other in products[1:]:
            extra = _product_from_ld(other, lang, [])
            for key, value in extra.items():
                if merged.get(key) is None and value is not None:
                    merged[key] = value
            # Shops that describe each size or colour as its own Product (one name, one offer each):
            # the product is in stock when any variant is, as with several offers of one Product.
            if extra.get("availability") == "InStock":
                merged["availability"] = "InStock"
        _fill_from_page(merged, tree, meta, lang, url)
        return merged, "single"
    if offers_alone:
        offer = offers_alone[0]
        offered = offer.get("itemOffered")
        item: dict[str, Any] = offered if isinstance(offered, dict) else {}
        return _product_from_ld({**item, "offers": offer}, lang, warnings), "single"
    heuristic = _product_heuristic(tree, meta, lang, warnings, url)
    if heuristic:
        _fill_from_page(heuristic, tree, meta, lang, url)
    return (heuristic, "single") if heuristic else (None, "none")


def _region(tree: lxml.html.HtmlElement, meta: dict[str, str]) -> str | None:
    return page_region(tree.get("lang")) or page_region(meta.get("og:locale"))


def _main_product(products: list[dict[str, Any]], tree: lxml.html.HtmlElement,
                  meta: dict[str, str]) -> list[dict[str, Any]] | None:
    """The descriptions of the product the page is about (its name is the page's h1 / title), if any."""
    heads = [_clean(meta.get("og:title")), _clean(_xpath_text(tree, "//h1")), _clean(_xpath_text(tree, "//title"))]
    keys = [" ".join(h.lower().split()) for h in heads if h]
    if not keys:
        return None
    named = []
    for p in products:
        name = " ".join((_ld_str(p, "name") or "").lower().split())
        if name and any(name in k or (len(k) > 8 and k in name) for k in keys):
            named.append(p)
    names = {" ".join((_ld_str(p, "name") or "").lower().split()) for p in named}
    return named if len(names) == 1 else None


def _fill_from_page(product: dict[str, Any], tree: lxml.html.HtmlElement, meta: dict[str, str],
                    lang: str | None, url: str | None) -> None:
    """Fill what structured data left out (price, sku, availability) from the page and its URL."""
    box = read_buy_box(tree, url)
    if product.get("availability") is None and box.availability is not None:
        product["availability"] = box.availability
    if product.get("price") is None:
        found = box.price or _visible_price(tree)
        if found is not None:
            amount = parse_price(found, product.get("currency"))
            if amount is not None:
                product["price"] = _format_amount(amount)
                product["currency"] = (product.get("currency")
                                       or _currency_from_text(found, lang, [], _region(tree, meta)))
    if not product.get("sku"):
        product["sku"] = _sku_from_page(tree, url)


def _product_from_ld(item: dict[str, Any], lang: str | None, warnings: list[str]) -> dict[str, Any]:
    product = {"name": _clean(_ld_str(item, "name")), "price": None, "currency": None, "availability": None,
               "sku": _clean(_ld_str(item, "sku") or _ld_str(item, "mpn") or _ld_str(item, "productID")),
               "brand": _name_of(item.get("brand")), "seller": None}
    offers: list[dict[str, Any]] = []
    for offer in _as_list(item.get("offers")):
        if not isinstance(offer, dict):
            continue
        if "AggregateOffer" in _types(offer):
            low, high = offer.get("lowPrice"), offer.get("highPrice")
            currency = offer.get("priceCurrency")
            if low is None and offer.get("price") is None:
                inner = [o for o in _as_list(offer.get("offers")) if isinstance(o, dict)]
                offers.extend({"priceCurrency": currency, **o} for o in inner)
                continue
            offers.append({**offer, "price": low if low is not None else offer.get("price")})
            if high is not None and str(high) != str(low):
                warnings.append(f"product: AggregateOffer price range {low}-{high} {currency or ''}".rstrip()
                                + "; took lowPrice")
        else:
            spec = offer.get("priceSpecification")
            if offer.get("price") is None and isinstance(spec, dict | list):
                spec0 = _as_list(spec)[0] if _as_list(spec) else {}
                if isinstance(spec0, dict):
                    offer = {**offer, "price": spec0.get("price"),
                             "priceCurrency": offer.get("priceCurrency") or spec0.get("priceCurrency")}
            offers.append(offer)
    if len(offers) > 1:
        priced = [o for o in offers if parse_price(o.get("price"), o.get("priceCurrency"))]
        if priced:
            priced.sort(key=lambda o: parse_price(o.get("price"), o.get("priceCurrency")) or Decimal(0))
            warnings.append(f"product: {len(offers)} offers; took the lowest price")
            offers = priced
    if offers:
        offer = offers[0]
        amount = parse_price(offer.get("price"), offer.get("priceCurrency"))
        if amount == 0:
            # "0.00" is a theme's placeholder (the price is set by script per variant), never the price:
            # the page's buy box is read instead.
            warnings.append("product: structured data price is 0; read from the page")
            amount = None
        product["price"] = _format_amount(amount)
        currency = _clean(_ld_str(offer, "priceCurrency"))
        if currency:
            product["currency"] = currency.upper()
        elif offer.get("price") is not None:
            product["currency"] = _currency_from_text(str(offer.get("price")), lang, warnings)
        # One offer per size or colour: the product is in stock when any of them is.
        states = {_availability(_ld_str(o, "availability"), []) for o in offers} - {None}
        product["availability"] = ("InStock" if "InStock" in states else
                                   _availability(_ld_str(offer, "availability"), warnings))
        product["seller"] = _name_of(offer.get("seller"))
        if not product["sku"]:
            product["sku"] = _clean(_ld_str(offer, "sku"))
    if product["price"] is None:
        warnings.append("product: no price in the structured data")
    return product


def _product_heuristic(tree: lxml.html.HtmlElement, meta: dict[str, str], lang: str | None,
                       warnings: list[str], url: str | None = None) -> dict[str, Any] | None:
    """A product from plain HTML: itemprop/og price tags, then a visible price near a buy button."""
    og_type = meta.get("og:type", "").lower()
    price_raw = meta.get("product:price:amount") or meta.get("og:price:amount")
    currency = meta.get("product:price:currency") or meta.get("og:price:currency")
    source = "og:price"
    if not price_raw:
        nodes = tree.xpath("//*[@itemprop='price']")
        if nodes:
            price_raw = nodes[0].get("content") or nodes[0].text_content()
            cur = tree.xpath("//*[@itemprop='priceCurrency']")
            currency = currency or (cur[0].get("content") or cur[0].text_content() if cur else None)
            source = "itemprop=price"
    visible = _visible_text(tree)
    cart = bool(_CART_SIGNALS.search(visible)) or bool(tree.xpath(
        "//form[contains(@action, 'cart') or contains(@action, 'basket')]"
        " | //*[self::button or self::input or self::a][contains(translate(concat(@id, ' ', @class, ' ', @name,"
        " ' ', @value), 'CARTBASKET', 'cartbasket'), 'cart') or contains(translate(concat(@id, ' ', @class, ' ',"
        " @name), 'BASKET', 'basket'), 'basket') or contains(translate(concat(@id, ' ', @class), 'BUY', 'buy'),"
        " 'buy')]"))
    box = read_buy_box(tree, url)
    if not price_raw and box.price:
        price_raw, source = box.price, "the price nearest the buy button"
    line = stock_line(tree)
    if not price_raw:
        # A product without a buy control (sold out, the button removed) still has its price and its stock line.
        if not (cart or og_type.endswith("product") or (line and price_named(tree))):
            return None
        # The first price of the main part, never one of a carousel of other products: a page-wide first
        # price is as often another product's as this one's.
        price_raw = _visible_price(tree) or first_main_price(tree)
        if not price_raw:
            match = _VISIBLE_PRICE.search(_main_visible_text(tree))
            price_raw = match.group(0) if match else None
        source = "visible price"
    availability_raw = _xpath_attr(tree, "//*[@itemprop='availability']", ("href", "content")) or \
        meta.get("product:availability") or meta.get("og:availability")
    if availability_raw:
        availability = _availability(availability_raw, warnings)
    else:
        # The button's state first: a stock line saying "sold out" beside an enabled button is often a size's
        # or another offer's (measured: putting the line first cost held-out availability 1.000 -> 0.921).
        availability = box.availability or line or _availability_on_page(tree, visible, page_wide=not box.has_control)
    amount = parse_price(price_raw, currency) if price_raw else None
    if amount is None:
        # A product shown as sold out often shows no price at all (the shop hides it): the page is still
        # the product's, when a buy control or the product's markup says so.
        if availability != "OutOfStock" or not (cart or box.has_control or og_type.endswith("product")):
            return None
        warnings.append("product: no price shown (out of stock)")
    elif not currency:
        currency = _currency_from_text(price_raw or "", lang, warnings, _region(tree, meta))
    warnings.append(f"product: no schema.org Product; price read from {source}" if amount is not None
                    else "product: no schema.org Product; read from the buy box")
    name = (_clean(meta.get("og:title")) or _clean(_xpath_text(tree, "//h1"))
            or _clean(_xpath_text(tree, "//title")))
    sku = None  # filled by _fill_from_page (itemprop, data-sku, visible "SKU: ...", the URL)
    brand = _clean(meta.get("product:brand") or _xpath_attr_or_text(tree, "//*[@itemprop='brand']"))
    seller_m = re.search(r"\bSold by\s*:?\s*([^.|\n]{2,60}?)(?:\s{2,}|[.|]|$)", visible)
    return {"name": name, "price": _format_amount(amount), "currency": currency.upper() if currency else None,
            "availability": availability, "sku": sku, "brand": brand,
            "seller": _clean(seller_m.group(1)) if seller_m else None}


def _main_visible_text(tree: lxml.html.HtmlElement) -> str:
    """The visible text of the page's main part: without navigation, header, footer, and without carousels
    and lists of other products."""
    body = tree.find("body")
    if body is None:
        return ""
    node = _strip_noise(body)
    for el in [e for e in node.iter() if isinstance(e.tag, str) and e is not node and elsewhere_box(e)]:
        if el.getparent() is not None:
            el.drop_tree()
    return " ".join(node.text_content().split())


_OLD_PRICE = re.compile(r"old|was|strike|before|regular|list-?price|rrp|save|saving|per-?unit|unit-?price|"
                        r"shipping|delivery|instal|monthly|crossed|original|compare", re.IGNORECASE)


def _visible_price(tree: lxml.html.HtmlElement) -> str | None:
    """The page's own price: ``itemprop=price``, then the first price-named element that is not an old,
    unit, shipping or instalment price (nor inside a list of other products)."""
    for el in tree.xpath("//*[@itemprop='price']"):
        raw = el.get("content") or " ".join(el.text_content().split())
        if raw and re.search(r"[1-9]", raw):
            return str(raw)
    for el in tree.xpath("//*[contains(translate(@class, 'PRICE', 'price'), 'price') or "
                         "contains(translate(@id, 'PRICE', 'price'), 'price')]"):
        marker = f"{el.get('class', '')} {el.get('id', '')}"
        if _OLD_PRICE.search(marker) or el.tag in ("script", "style", "del", "s", "strike"):
            continue
        if el.xpath("ancestor::*[self::del or self::s or self::strike]") or outside_main(el):
            continue  # struck through, or the header's cart total, a menu, the footer's shipping threshold
        if any(other_price_box(a) or
               re.search(r"related|recommend|carousel|similar|also|upsell", f"{a.get('class', '')} {a.get('id', '')}",
                         re.IGNORECASE) for a in el.iterancestors() if a.tag != "body"):
            continue
        found = price_in(" ".join(el.text_content().split()))
        if found:
            return found
    # Magento writes the final price as a number on its wrapper (and its text by script, on some themes).
    for el in tree.xpath("//*[@data-price-type='finalPrice'][@data-price-amount]"):
        raw = el.get("data-price-amount") or ""
        if re.search(r"[1-9]", raw) and not outside_main(el):
            return raw
    return None


_SKU_IN_URL = (re.compile(r"/(?:dp|gp/product)/([A-Z0-9]{10})(?:[/?]|$)"), re.compile(r"/itm/(?:[^/?]+/)?(\d{9,15})"))
_SKU_TEXT = re.compile(r"\b(?:SKU|Item(?: No\.?| number| #)|Art(?:ikel)?\.?-?(?:Nr|nummer)\.?|Product code|"
                       r"Réf(?:érence)?\.?|Codice|Código|Model(?:o)? (?:No|number))\s*[:#.]?\s*"
                       r"([A-Za-z0-9][\w\-./]{2,40})",
                       re.IGNORECASE)


def _sku_from_page(tree: lxml.html.HtmlElement, url: str | None) -> str | None:
    for pattern in _SKU_IN_URL:
        m = pattern.search(url or "")
        if m:
            return m.group(1)
    for xp in ("//*[@itemprop='sku']", "//*[@itemprop='productID']", "//*[@data-sku]"):
        nodes = tree.xpath(xp)
        if nodes:
            value = nodes[0].get("content") or nodes[0].get("data-sku") or nodes[0].text_content()
            tokens = (value or "").split()
            if tokens:
                return tokens[0] if not (nodes[0].get("content") or nodes[0].get("data-sku")) else _clean(value)
    body = tree.find("body")
    if body is None:
        return None
    m = _SKU_TEXT.search(_visible_text(tree))
    return m.group(1) if m else None


def _availability_on_page(tree: lxml.html.HtmlElement, visible: str, page_wide: bool = True) -> str | None:
    """Availability from elements named for it (``#availability``, ``.stock``), else from strong English phrases
    anywhere (words like "indisponible" are too common elsewhere on a page to be read page-wide). A page
    with a buy button is not read page-wide: when the button said nothing clear, a "sold out" elsewhere is
    another product's or another state's."""
    for el in tree.xpath("//*[contains(translate(@id, 'AVAILBTYSOCK', 'availbtysock'), 'availab') or "
                         "contains(translate(@class, 'AVAILBTYSOCK', 'availbtysock'), 'availab') or "
                         "contains(translate(@id, 'STOCK', 'stock'), 'stock') or "
                         "contains(translate(@class, 'STOCK', 'stock'), 'stock')]"):
        found = stock_text(" ".join(el.text_content().split())[:300])
        if found:
            return found
    if not page_wide:
        return None
    low = visible.lower()
    if re.search(r"out of stock|sold out|currently unavailable", low):
        return "OutOfStock"
    if re.search(r"\bin stock\b", low):
        return "InStock"
    return None
