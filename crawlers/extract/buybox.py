"""The visible buy box of a product page: the add-to-cart control, the price nearest to it, and stock state.

Shops differ in markup but not in layout: the product's own price sits next to its buy button, while
prices elsewhere on the page belong to other products (carousels, "related"), to an older price
(struck through), to a unit ("/kg") or to shipping. So the price read here is the one closest in
the tree to an add-to-cart control, skipping those. Availability comes from the same box: a stock
line ("Out of stock", "Ausverkauft", "Нет в наличии", ...), else the button's own state (a disabled
button or one saying "Sold out"/"Notify me" means out of stock, an enabled "Add to cart" in stock).
Words are matched in the languages of the shops we meet most; nothing is tied to one site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.html

# An add-to-cart control's text, value, title or name, in many languages.
_ADD_TO_CART = re.compile(
    r"add(?:ing)? to (?:cart|basket|bag|trolley)|^\s*add\b.{1,80}\bto (?:cart|basket|bag|trolley)\b|"
    r"\badd to my bag|buy now|buy it now|\bbuy\b|purchase|order now|"
    r"in den (?:warenkorb|einkaufswagen)|in den korb|jetzt kaufen|ajouter au (?:panier|sac)|acheter|"
    r"añadir al (?:carrito|cesta)|agregar al carrito|comprar|aggiungi al carrello|acquista|"
    r"in winkel(?:wagen|mand)|lägg i (?:varukorg|kundvagn)|læg i kurv|legg i handlekurv|lisää ostoskoriin|"
    r"do košíku|do koszyka|kup teraz|kosárba|dodaj u košaricu|u košaricu|kupi|v košarico|"
    r"в корзину|купить|у кошик|купити|sepete ekle|adicionar ao carrinho|adicionar à sacola|"
    r"adaugă în coș|în coș|添加到购物车|加入购物车|立即购买|加入購物車|カートに入れる|カートに追加|장바구니|"
    r"أضف إلى السلة|הוסף לסל|bid now|place bid",
    re.IGNORECASE,
)
_ADD_TO_CART_NAME = re.compile(r"add[-_]?to[-_]?(?:cart|basket|bag)|addtocart|buy[-_]?(?:now|button|btn|box)|"
                               r"btn[-_]?buy|add[-_]?(?:service|product|item)|cart/add|\bbuy\(|"
                               r"btn[-_]?cart|cart[-_]?(?:add|button|btn|submit)|basket[-_]?(?:add|button|btn)",
                               re.IGNORECASE)
# Out-of-stock wording, of a stock line or of the button itself.
_OUT_OF_STOCK = re.compile(
    r"out of stock|sold out|currently unavailable|no longer available|not available|unavailable|notify me|"
    r"email me when|temporarily out|rupture de stock|épuisé|indisponible|plus disponible|ausverkauft|"
    r"nicht (?:auf lager|verfügbar|lieferbar)|derzeit nicht|agotado|sin stock|no disponible|esaurito|"
    r"non disponibile|niet (?:op voorraad|leverbaar|beschikbaar)|uitverkocht|slutsåld|ej i lager|"
    r"benachrichtigen|m'alerter|me prévenir|avísame|avisame|avisarme|avvisami|powiadom|到货通知|再入荷|入荷お知らせ|"
    r"udsolgt|utsolgt|loppuunmyyty|brak w magazynie|niedostępny|wyprzedan|nedostupn|vyprodáno|"
    r"rasprodano|nema na (?:stanju|zalihi)|нет в наличии|отсутствует|распродан|немає в наявності|"
    r"stokta yok|tükendi|esgotado|indisponível|sem estoque|stoc epuizat|缺货|已售罄|售完|無庫存|在庫切れ|売り切れ|품절|"
    # negated "in stock" phrases, read before the in-stock words they contain ("slut i lager", "ikke på lager")
    r"nicht vorrätig|vergriffen|not in stock|slut i lager|inte i lager|tillfälligt slut|ikke på lager|"
    r"ikke tilgjengelig|ikke tilgængelig|sin existencias|no hay existencias|hết hàng|在庫なし|库存不足|"
    r"غير متوفر|نفدت الكمية|אזל מהמלאי",
    re.IGNORECASE,
)
_IN_STOCK = re.compile(
    r"\bin stock\b|available (?:now|for delivery|to ship)|ships (?:today|in)|\ben stock\b|\bdisponible\b|"
    r"auf lager|sofort lieferbar|\bverfügbar\b|en existencia|\bdisponibile\b|op voorraad|i lager|på lager|"
    r"varastossa|na stanie|dostępny|skladem|na (?:stanju|zalihi)|в наличии|є в наявності|stokta|em estoque|"
    r"\bdisponível\b|în stoc|有货|现货|有庫存|在庫あり|재고|vorrätig|hay existencias|disponibilità immediata|"
    r"còn hàng|متوفر|במלאי",
    re.IGNORECASE,
)
_PRE_ORDER = re.compile(r"pre-?order|précommande|vorbestell|preventa|prenota|voorbestel|предзаказ|预售|予約", re.I)

# A price: a currency (symbol, ISO code or local word) next to a number.
_CURRENCY = (r"(?:US\$|HK\$|NT\$|CA\$|AU\$|NZ\$|CN¥|R\$|S/\.?|[$€£¥￥₹₩₽₸₴₺₫฿₱₪₦]|\b[A-Z]{3}\b|"
             r"\b(?:kn|Kn|zł|Kč|Ft|lei|Lei|kr\.?|Kr\.?|S?Fr\.|руб\.?|р\.|тг|грн|лв|TL|RM|Rp|Rs\.?|Lek)|元|円|원)")
_NUMBER = r"\d{1,3}(?:[\s\u00a0\u202f.,']\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
# "299,-" and "1.299,-- €": a whole amount written with a dash for its cents.
PRICE_TEXT = re.compile(rf"{_CURRENCY}\s?(?:{_NUMBER})|(?:{_NUMBER})(?:[.,]-{{1,2}})?\s?{_CURRENCY}")
_NOT_A_CURRENCY = frozenset({"SKU", "EAN", "UPC", "USB", "LED", "CPU", "GPU", "RAM", "SSD", "HDD", "GHZ", "MHZ",
                             "PCS", "QTY", "NEW", "FAQ", "VAT", "TAX", "MPN", "REF", "ART", "MAX", "MIN"})

# Classes, ids and words of prices that are not the price to pay.
_OTHER_PRICE = re.compile(r"old|was|strike|before|regular|list-?price|rrp|msrp|save|saving|per-?unit|unit-?price|"
                          r"base-?price|shipping|delivery|instal|monthly|crossed|original|compare|discount-?amount|"
                          r"you-?save|tax-?amount", re.IGNORECASE)
_OTHER_PRICE_TEXT = re.compile(r"^\s*(?:/|per\b|je\b|pro\b|за\b)|/\s*(?:kg|g|l|ml|m|100\s?g|100\s?ml|st|pc|unit|"
                               r"month|mo|mes|monat|mois)\b|\bx\s?\d+\s?(?:months|mois|monate|meses|rate)|"
                               r"shipping|versand|livraison|envío|spedizione|delivery|save\b|sparen|économisez|"
                               r"lieferung|frais de port|verzend|bezorg|frakt|dostawa|wysyłka|送料|运费|配送料",
                               re.IGNORECASE)
# Words that say the price after them is an old or reference one ("Ursprünglicher Preis war: 29,90 €",
# screen-reader texts beside a struck price; "UVP", "Prix conseillé", "MRP", "通常価格").
_OLD_PRICE_LEAD = re.compile(r"(?:\bwas|\bwar|\bstatt|\bvorher|\bbefore|regular price|original price|list price|"
                             r"\buvp|\brrp|\bmsrp|\bmrp|compare at|prix conseillé|ancien prix|prix barré|\bavant|"
                             r"\bantes|precio anterior|precio normal|prezzo consigliato|\bprima|\bfør|\bförr|"
                             r"ordinarie pris|normalpris|vóór|adviesprijs|通常価格|定価|市场价|原价|参考价)\W{0,12}$",
                             re.IGNORECASE)
_ELSEWHERE = re.compile(r"related|recommend|carousel|similar|also|upsell|cross-?sell|recently|viewed|suggest|"
                        r"accessor|bundle|header|footer|mini-?cart|cart-?(?:drawer|summary|popup|dropdown)|menu|nav",
                        re.IGNORECASE)
_STRUCK = ("del", "s", "strike")
_SKIPPED_TAGS = ("script", "style", "noscript", "template", "svg", "option", "head", "title")


@dataclass(frozen=True)
class BuyBox:
    price: str | None  # the price text nearest to the buy control ("270,00 Kn")
    availability: str | None  # "InStock" / "OutOfStock" / "PreOrder" / None
    has_control: bool


def _marker(el: lxml.html.HtmlElement) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}"


def _outside_main(el: lxml.html.HtmlElement) -> bool:
    """In navigation, header, footer, a carousel of other products or the mini cart."""
    for a in el.iterancestors():
        if a.tag in ("nav", "header", "footer", "aside", "body"):
            return a.tag != "body"
        if _ELSEWHERE.search(_marker(a)):
            return True
    return False


def buy_controls(tree: lxml.html.HtmlElement, url: str | None = None) -> list[lxml.html.HtmlElement]:
    """Add-to-cart buttons (and submit inputs, links styled as buttons) of the page's own product.

    A "Buy now" link to another site is an affiliate link of a review, not this page's offer."""
    host = urlsplit(url).hostname if url else None
    found = []
    for el in tree.iter("button", "input", "a", "form", "div", "span"):
        if el.tag in ("div", "span"):
            # Script-driven shops make a plain box their button: one whose own text is the whole label.
            own = " ".join((el.text or "").split())
            match = _ADD_TO_CART.search(own) if 0 < len(own) <= 30 else None
            if (match and len(match.group(0)) >= len(own) - 2 and len(el) <= 2 and _clickable(el)
                    and not _outside_main(el)):
                found.append(el)
            elif (0 < len(own) <= 30 and len(el) <= 2 and _ADD_TO_CART_NAME.search(_marker(el))
                  and _clickable(el) and not _outside_main(el)):
                # A box named for adding to the cart whatever it says now ("add-to-bag" saying "Notify me").
                found.append(el)
            continue
        if el.tag == "input" and (el.get("type") or "").lower() not in ("submit", "button", "image"):
            continue
        if el.tag == "form":
            action = el.get("action") or ""
            if re.search(r"cart|basket|checkout|korb|panier|carrito|carrello|koszyk|košar|korpa|корзин", action, re.I):
                found.append(el)
                # Its submit button is the buy button whatever it says now ("Sold out" in place of "Add to cart").
                found.extend(b for b in el.iter("button", "input") if (b.get("type") or "submit").lower() == "submit"
                             and (b.tag == "button" or b.get("type")) and not _outside_main(b))
            continue
        words = " ".join((el.text_content() if el.tag != "input" else "").split())[:80]
        label = f"{words} {el.get('value', '')} {el.get('title', '')} {el.get('aria-label', '')}"
        named = bool(_ADD_TO_CART_NAME.search(f"{_marker(el)} {el.get('name', '')} {el.get('data-action', '')} "
                                              f"{el.get('onclick', '')} {el.get('href', '') if el.tag == 'a' else ''}"))
        if el.tag == "a" and not named and not (el.get("role") == "button" or "btn" in _marker(el).lower()
                                                or "button" in _marker(el).lower()):
            continue  # a plain link saying "cart" is the header's link to the cart page
        if el.tag == "a" and host and _other_site(el.get("href") or "", host):
            continue
        if (named or _ADD_TO_CART.search(label)) and not _outside_main(el):
            found.append(el)
    return list(dict.fromkeys(found))


def sold_out_buttons(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Buttons of the main part saying only "Sold out", "Agotado", "Notify me" ...: a sold-out product's
    buy button often loses its add-to-cart label and name. Read only when no buy control is found (on a
    page in stock, a "Notify me" belongs to one size)."""
    found = []
    for el in tree.iter("button", "input"):
        if el.tag == "input" and (el.get("type") or "").lower() not in ("submit", "button"):
            continue
        label = _shown_label(el).strip()
        if 0 < len(label) <= 30 and _OUT_OF_STOCK.search(label) and not _outside_main(el):
            found.append(el)
    return found


_CLICKABLE_NAME = re.compile(r"buy|cart|basket|btn|button|order|purchase|kauf|panier|carrito|carrello|korzin",
                             re.IGNORECASE)


def _clickable(el: lxml.html.HtmlElement) -> bool:
    """A box made a button by its name or role, not a word in a sentence or an affiliate link's caption."""
    if el.xpath("ancestor::a[@href]"):
        return False
    return (el.get("role") == "button" or el.get("onclick") is not None
            or bool(_CLICKABLE_NAME.search(_marker(el))))


def _price_candidates(tree: lxml.html.HtmlElement) -> list[tuple[lxml.html.HtmlElement, str]]:
    """Elements holding exactly one price of their own (the innermost such), without old/unit/shipping prices."""
    out: list[tuple[lxml.html.HtmlElement, str]] = []
    body = tree.find("body")
    if body is None:
        return out
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIPPED_TAGS:
            continue
        text = " ".join(el.text_content().split())
        if not text or len(text) > 60 or not re.search(r"\d", text):
            continue
        match = PRICE_TEXT.search(text)
        if match is None or match.group(0).strip()[:3].upper() in _NOT_A_CURRENCY:
            continue
        if not re.search(r"[1-9]", match.group(0)):
            continue  # "0 €": an empty cart's total, never a product's price
        if any(PRICE_TEXT.search(" ".join(child.text_content().split())) for child in el if isinstance(child.tag, str)):
            continue  # a child holds the price: that one is the candidate
        if el.tag in _STRUCK or el.xpath("ancestor::*[self::del or self::s or self::strike]"):
            continue
        if _OTHER_PRICE.search(_marker(el)) or any(other_price_box(a) for a in el.iterancestors() if a.tag != "body"):
            continue
        style = (el.get("style") or "").replace(" ", "").lower()
        if "line-through" in style or _OTHER_PRICE_TEXT.search(text[match.end():match.end() + 20] + " " + text):
            continue
        if _OLD_PRICE_LEAD.search(text[:match.start()]) or _NOT_TO_PAY_LEAD.search(_lead_text(el, text, match.start())):
            continue
        out.append((el, match.group(0)))
    return out


# Words before a price that make it another offer's: instalments ("4 x", "3 payments of"), multi-buys
# ("Any 2 for"), used or refurbished copies ("Gebraucht kaufen", "d'occasion").
_NOT_TO_PAY_LEAD = re.compile(
    r"\b\d{1,2}\s?[x×]\W{0,3}$|\b\d+ (?:for|für|pour|por|per)\W{0,3}$|"
    r"(?:payments? of|instal?lments? of|\braten? (?:à|a|zu|von)|\brate da|cuotas de|mensualités de|\bused\b|"
    r"gebraucht|d'occasion|\busad[oa]s?\b|\busat[oi]\b|refurbished|reconditionné|generalüberholt|"
    r"reacondicionado|estimate|schätzpreis|estimation|estimación|stima|shipping|delivery|lieferung|versand|"
    r"livraison|frais de port|verzend|bezorg|frakt|porto|dostawa|wysyłka|envío|spedizione|送料|运费|配送料)"
    r"\W{0,20}(?:\w+\W{0,3}){0,2}$",
    re.IGNORECASE)


_STARTING_LEAD = re.compile(r"(?:(?:starting|opening) (?:price|bid)|start(?:preis|gebot)|prix de départ|mise à prix|"
                            r"precio de salida|puja inicial|prezzo di partenza|base d'asta)\W{0,20}$", re.IGNORECASE)


def _lead_text(el: lxml.html.HtmlElement, text: str, start: int) -> str:
    """The words just before a price: in its element, then in its parent before it (a label of its own,
    "Gebraucht kaufen" or "Starting Price", beside a price in a box of its own)."""
    lead = text[:start]
    parent = el.getparent()
    if parent is not None and parent.tag != "body":
        before = [parent.text or ""]
        for child in parent:
            if child is el:
                break
            if isinstance(child.tag, str):
                before.append(child.text_content())
            before.append(child.tail or "")
        lead = " ".join(" ".join(before).split())[-60:] + " " + lead
    return lead[-60:]


# Class names that file the whole product under a state or a taxonomy ("shipping-taxable",
# "product_cat-sale", "product_shipping_class-bulky" on a WooCommerce product): not a box of another price.
_TAXONOMY_CLASS = re.compile(r"taxable|^(?:product_(?:cat|tag|shipping_class)|tag|category|cat|post|status|type|has|"
                             r"pa|product-type)[-_]", re.IGNORECASE)


def other_price_box(el: lxml.html.HtmlElement) -> bool:
    """An element whose class or id names an old, unit, shipping or instalment price."""
    return any(_OTHER_PRICE.search(token) for token in _marker(el).split() if not _TAXONOMY_CLASS.search(token))


def _distance(a: lxml.html.HtmlElement, b: lxml.html.HtmlElement) -> int:
    """Steps from ``a`` up to the nearest common ancestor and down to ``b``."""
    # Held in a list while compared: lxml makes a new proxy object for an element each time one is asked for,
    # and the id of a freed proxy is given to the next one (ids of dropped ancestors matched b's ancestors).
    ups = [a, *a.iterancestors()]
    up = {id(x): i for i, x in enumerate(ups)}
    downs = [b, *b.iterancestors()]
    for j, x in enumerate(downs):
        if id(x) in up:
            return up[id(x)] + j
    return 10_000


def nearest_price(tree: lxml.html.HtmlElement, controls: list[lxml.html.HtmlElement]) -> str | None:
    """The price text closest in the tree to a buy control, outside other products' boxes."""
    candidates = [(el, text) for el, text in _price_candidates(tree) if not _outside_main(el)]
    if not candidates or not controls:
        return None
    # An auction's starting price is its price only until someone bids: a current bid shown beside it wins.
    bids = [c for c in candidates if not _STARTING_LEAD.search(_lead_text(c[0], " ".join(c[0].text_content().split()),
                                                                           0) or "")]
    candidates = bids or candidates
    order = {id(el): i for i, el in enumerate(tree.iter())}
    best = min(candidates, key=lambda c: (min(_distance(c[0], ctl) for ctl in controls),
                                          "price" not in _marker(c[0]).lower(),
                                          order.get(id(c[0]), 0)))
    return best[1]


def stock_state(tree: lxml.html.HtmlElement, controls: list[lxml.html.HtmlElement]) -> str | None:
    """Availability shown by the buy button's state: enabled "Add to cart" in stock, disabled or "Sold out" not.

    The text around the button is not read: it holds size and colour pickers whose "unavailable" or
    "out of stock" is about one variant, not the product (measured: reading it cost availability on
    unseen shops)."""
    enabled = [c for c in controls if c.tag != "form" and c.get("disabled") is None
               and "disabled" not in _marker(c).lower() and c.get("aria-disabled") != "true"]
    if enabled:
        label = _shown_label(enabled[0])
        if _OUT_OF_STOCK.search(label):
            # A button carrying a label for each state ("Add to cart", "Unavailable") that a stylesheet
            # or script toggles says nothing by its text alone.
            return None if _ADD_TO_CART.search(label) else "OutOfStock"
        return "InStock"
    buttons = [c for c in controls if c.tag != "form"]
    if buttons:
        if all(_awaits_choice(c) for c in buttons):
            return None  # disabled until a size or colour is chosen, still saying "Add to cart"
        return "OutOfStock"  # every buy button is disabled
    return None


_CHOICE_NEEDED = re.compile(r"selection-needed|select-?option|choose-?option|variant-?required", re.IGNORECASE)


def _awaits_choice(control: lxml.html.HtmlElement) -> bool:
    """A disabled buy button that waits for a variant to be chosen: it still says "Add to cart" (a sold-out
    one says so) and its form or box holds a size or colour picker with nothing chosen yet."""
    if _CHOICE_NEEDED.search(_marker(control)):
        return True
    label = _shown_label(control)
    if not _ADD_TO_CART.search(label) or _OUT_OF_STOCK.search(label):
        return False
    box = next(control.iterancestors("form"), None)
    if box is None:
        return False
    for select in box.iter("select"):
        options = select.findall(".//option")
        chosen = [o for o in options if o.get("selected") is not None]
        if not chosen and options and not (options[0].get("value") or "").strip():
            return True  # the first option is a "Choose an option" placeholder
    return False


_HIDDEN_CLASS = re.compile(r"(?:^|\s)(?:hidden|d-none|is-hidden|hide|invisible|display-none|u-hidden)(?:\s|$)",
                           re.IGNORECASE)


def _hidden(el: lxml.html.HtmlElement) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return (el.get("hidden") is not None or "display:none" in style or "visibility:hidden" in style
            or bool(_HIDDEN_CLASS.search(el.get("class") or "")))


def _shown_text(el: lxml.html.HtmlElement) -> str:
    """``el``'s text without the descendants marked hidden (a tail belongs to the parent, so it stays)."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and not _hidden(child):
            parts.append(_shown_text(child))
        parts.append(child.tail or "")
    return " ".join(parts)


def _shown_label(control: lxml.html.HtmlElement) -> str:
    """A control's text and value without the parts marked hidden (labels of its other states)."""
    return " ".join(_shown_text(control).split()) + " " + (control.get("value") or "")


def stock_text(text: str) -> str | None:
    """Availability said in a short text, any of the languages above."""
    if _OUT_OF_STOCK.search(text):
        return "OutOfStock"
    if _PRE_ORDER.search(text):
        return "PreOrder"
    if _IN_STOCK.search(text):
        return "InStock"
    return None


def price_in(text: str) -> str | None:
    """The first price in a short text that is the price to pay: not zero, not an old, unit or
    instalment price, not a code such as "SKU 12"."""
    for match in PRICE_TEXT.finditer(text):
        found = match.group(0)
        if found.strip()[:3].upper() in _NOT_A_CURRENCY or not re.search(r"[1-9]", found):
            continue
        lead = text[max(0, match.start() - 60):match.start()]
        if (_OLD_PRICE_LEAD.search(lead) or _NOT_TO_PAY_LEAD.search(lead)
                or _OTHER_PRICE_TEXT.search(text[match.end():match.end() + 20])):
            continue
        return found
    return None


def first_main_price(tree: lxml.html.HtmlElement) -> str | None:
    """The first price of the page's main part, outside other products' boxes, navigation and the cart."""
    for el, text in _price_candidates(tree):
        if not _outside_main(el):
            return text
    return None


_OTHER_PRODUCTS = re.compile(r"related|recommend|carousel|similar|upsell|cross-?sell|recently|viewed|also|suggest",
                             re.IGNORECASE)


def elsewhere_box(el: lxml.html.HtmlElement) -> bool:
    """A box of other products (related, recommended, a carousel), named by its class or id."""
    return bool(_OTHER_PRODUCTS.search(_marker(el)))


def outside_main(el: lxml.html.HtmlElement) -> bool:
    """In navigation, header, footer, a carousel of other products or the mini cart."""
    return _outside_main(el)


_STOCK_NAMED = ("//*[contains(translate(@id, 'AVAILBTYSOCK', 'availbtysock'), 'availab') or "
                "contains(translate(@class, 'AVAILBTYSOCK', 'availbtysock'), 'availab') or "
                "contains(translate(@id, 'STOCK', 'stock'), 'stock') or "
                "contains(translate(@class, 'STOCK', 'stock'), 'stock')]")


def stock_line(tree: lxml.html.HtmlElement) -> str | None:
    """The state a short stock line of the product's own box says ("Nicht auf Lager", "Agotado"), from an
    element named for stock or availability; not a wrapper of the whole product, not a size picker's line."""
    for el in tree.xpath(_STOCK_NAMED):
        if el.tag in ("select", "option", "script", "style", "body") or outside_main(el):
            continue
        if el.xpath("ancestor-or-self::*[self::select or self::label or self::option]"):
            continue
        text = " ".join(_shown_text(el).split())
        if not text or len(text) > 120:
            continue
        found = stock_text(text)
        if found:
            return found
    return None


def price_named(tree: lxml.html.HtmlElement) -> str | None:
    """Without a buy control: the first price whose element is named for a price, in the page's main part."""
    for el, text in _price_candidates(tree):
        if "price" in _marker(el).lower() and not _outside_main(el):
            return text
    return None


def _other_site(href: str, host: str) -> bool:
    target = urlsplit(href).hostname
    return target is not None and target.removeprefix("www.") != host.removeprefix("www.")


def read_buy_box(tree: lxml.html.HtmlElement, url: str | None = None) -> BuyBox:
    # Several buy buttons do not make a listing: product pages offer add-ons and bundles with their own
    # buttons (measured: treating more than three as a list cost price and availability on both halves).
    controls = buy_controls(tree, url)
    if all(c.tag == "form" for c in controls):
        controls += sold_out_buttons(tree)
    return BuyBox(nearest_price(tree, controls), stock_state(tree, controls) if controls else None, bool(controls))
