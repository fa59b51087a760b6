"""The visible buy box: the price next to the add-to-cart control, old / unit / other products' prices skipped,
stock from the button's state. Pages are invented here."""

from __future__ import annotations

from crawlers.extract import extract_page

_SHOP = """<html lang="{lang}"><head><title>Lantern Shop</title></head><body>
<header><a href="/cart" class="cart-link">Cart (0) 0,00 €</a></header>
<main><h1>Brass harbour lantern</h1>
<div class="gallery"><img src="/l.jpg" alt="lantern"></div>
<div class="buy">
  <span class="price-old"><del>89,00 €</del></span>
  <span class="amount">64,50 €</span>
  <span class="per-unit">(12,90 € / kg)</span>
  {button}
</div>
<p>A lantern of solid brass, hand finished, for quays, porches and boats.</p>
<section class="related-products"><h2>You may also like</h2>
  <div class="card"><a href="/p/2">Tide clock</a><span class="amount">19,99 €</span>
    <button class="btn">{label}</button></div>
</section></main>
<footer>Free delivery from 50,00 €</footer></body></html>"""


def _page(button: str, lang: str = "de", label: str = "In den Warenkorb") -> dict:
    html = _SHOP.format(button=button, lang=lang, label=label)
    return extract_page(html, url="https://shop.example/p/1")


def test_price_is_the_one_next_to_the_buy_button_not_old_unit_or_related() -> None:
    answer = _page('<button class="btn btn-primary" type="submit">In den Warenkorb</button>')
    assert answer["page_type"] == "product"
    assert answer["product"]["price"] == "64.50"
    assert answer["product"]["currency"] == "EUR"
    assert answer["product"]["availability"] == "InStock"


def test_disabled_or_sold_out_button_means_out_of_stock() -> None:
    disabled = _page('<button class="btn add-to-cart" disabled>Add to cart</button>', "en", "Add to cart")
    assert disabled["product"]["availability"] == "OutOfStock"
    sold_out = _page('<button class="btn add-to-cart">Sold out</button>', "en", "Add to cart")
    assert sold_out["product"]["availability"] == "OutOfStock"


def test_a_header_link_to_the_cart_is_no_buy_button() -> None:
    html = ("<html><body><header><a href='/cart'>Cart 12,00 €</a></header><article><h1>Harbour news</h1>"
            + "<p>The ferry timetable changes on Monday; the council met the harbour master.</p>" * 5
            + "</article></body></html>")
    answer = extract_page(html, url="https://news.example/a")
    assert answer["page_type"] == "article"
    assert answer["product"] is None



def test_a_product_described_once_per_size_is_in_stock_when_any_size_is() -> None:
    sizes = "".join(
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product",'
        f' "name": "Felt sailing cap", "sku": "CAP-{size}", "offers": {{"@type": "Offer", "price": "24.00",'
        f' "priceCurrency": "EUR", "availability": "https://schema.org/{state}"}}}}</script>'
        for size, state in (("S", "OutOfStock"), ("M", "InStock"), ("L", "OutOfStock")))
    html = f"<html><head>{sizes}</head><body><h1>Felt sailing cap</h1><p>Warm and light.</p></body></html>"
    product = extract_page(html, url="https://caps.example/p/felt")["product"]
    assert product["price"] == "24.00"
    assert product["availability"] == "InStock"


def test_a_button_carrying_a_label_for_each_state_is_not_read_as_sold_out() -> None:
    button = ('<a href="#" class="btn add-to-basket"><span class="when-buyable">Add to basket</span>'
              '<span class="when-not">Currently unavailable</span></a>')
    assert _page(button, "en", "Add to basket")["product"]["availability"] is None  # unclear, not sold out
    hidden = ('<a href="#" class="btn add-to-basket"><span>Add to basket</span>'
              '<span style="display: none">Sold out</span></a>')
    assert _page(hidden, "en", "Add to basket")["product"]["availability"] == "InStock"
    shown = ('<a href="#" class="btn add-to-basket"><span class="hidden">Add to basket</span>'
             '<span>Sold out</span></a>')
    assert _page(shown, "en", "Add to basket")["product"]["availability"] == "OutOfStock"


def test_a_plain_box_saying_buy_is_a_buy_button() -> None:
    html = """<html lang="ru"><body><main><h1>Чайник стальной 2 л</h1>
    <div class="offer"><s class="price-was">3 490 руб.</s><span class="now">2 990 руб.</span>
      <div class="js-buy" data-id="77">Купить</div></div>
    <p>Стальной чайник для газовой и электрической плиты.</p>
    <div class="similar"><span class="now">1 990 руб.</span><div class="js-buy">Купить</div></div>
    </main></body></html>"""
    product = extract_page(html, url="https://kettles.example/p/77")["product"]
    assert product["price"] == "2990.00"
    assert product["availability"] == "InStock"
