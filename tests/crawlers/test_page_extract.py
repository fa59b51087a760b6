"""extract_page on saved, invented pages: one behaviour per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.extract import extract_page, extract_version, normalize_date

PAGES = Path(__file__).parent / "pages"
ANSWER_KEYS = {"page_type", "title", "text", "author", "published_at", "lang", "canonical_url", "product",
               "items", "posts", "warnings"}  # items and posts: additions to the contract
PRODUCT_KEYS = {"name", "price", "currency", "availability", "sku", "brand", "seller"}


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def test_article_byline_date_converted_to_utc_and_canonical_stripped():
    r = extract_page(page("article_byline.html"), url="https://quayside.example/n/1?utm_campaign=x")
    assert set(r) == ANSWER_KEYS
    assert r["page_type"] == "article"
    assert r["title"] == "Harbour cranes return to Kelvport after a quiet winter"
    assert r["author"] == "Mirela Oduya"
    assert r["published_at"] == "2026-03-04T01:30:00Z"  # 09:30 at +08:00
    assert r["lang"] == "en"
    assert r["canonical_url"] == "https://quayside.example/news/harbour-cranes-return?page=1"
    assert "feeder vessel carrying timber" in r["text"]
    assert "All rights reserved" not in r["text"]
    assert r["product"] is None


def test_product_jsonld_cny_price_as_decimal_string():
    r = extract_page(page("product_jsonld_cny.html"))
    assert r["page_type"] == "product"
    assert set(r["product"]) == PRODUCT_KEYS
    assert r["product"] == {"name": "青柚智能电水壶 1.7L", "price": "1299.00", "currency": "CNY",
                            "availability": "InStock", "sku": "QY-K17-W", "brand": "青柚",
                            "seller": "云集好物旗舰店"}
    assert r["lang"] == "zh"
    assert r["canonical_url"] == "https://shop.example.cn/item/qy-kettle-17?color=white"


def test_aggregate_offer_takes_low_price_with_warning():
    r = extract_page(page("product_aggregate.html"))
    assert r["page_type"] == "product"
    assert r["product"]["price"] == "18.50"
    assert r["product"]["currency"] == "EUR"
    assert r["product"]["availability"] == "PreOrder"
    assert r["product"]["brand"] == "Trailmark"
    assert any("AggregateOffer" in w and "lowPrice" in w for w in r["warnings"])


def test_microdata_product():
    r = extract_page(page("product_microdata.html"))
    assert r["page_type"] == "product"
    p = r["product"]
    assert (p["name"], p["price"], p["currency"], p["availability"], p["sku"], p["brand"]) == (
        "Lumen Desk Lamp", "74.50", "GBP", "OutOfStock", "LW-DL-200", "Lumenwerk")


def test_product_without_structured_data_reads_visible_price():
    r = extract_page(page("product_visible_price.html"))
    assert r["page_type"] == "product"
    p = r["product"]
    assert (p["name"], p["price"], p["currency"], p["sku"], p["availability"]) == (
        "Pebble Bluetooth Speaker", "49.99", "USD", "PBS-12-GRY", "InStock")
    assert any(w.startswith("product:") for w in r["warnings"])


def test_price_in_an_article_does_not_make_a_product():
    html = ("<html lang='en'><body><article><p>" + "The harbour café sells coffee for $3.50 a cup. " * 12
            + "</p></article></body></html>")
    r = extract_page(html)
    assert r["page_type"] == "article"
    assert r["product"] is None


def test_listing_page():
    r = extract_page(page("listing.html"), url="https://gadget.example/kitchen")
    assert r["page_type"] == "listing"
    assert r["product"] is None


def test_item_list_jsonld_is_a_listing():
    html = """<html><head><script type="application/ld+json">
    {"@context": "https://schema.org", "@type": "ItemList", "itemListElement": [
      {"@type": "ListItem", "position": 1, "url": "https://s.example/p/1"},
      {"@type": "ListItem", "position": 2, "url": "https://s.example/p/2"},
      {"@type": "ListItem", "position": 3, "url": "https://s.example/p/3"}]}
    </script></head><body><h1>Tea</h1><a href="/p/1">One</a><a href="/p/2">Two</a></body></html>"""
    assert extract_page(html)["page_type"] == "listing"


def test_rss_input_is_a_feed():
    r = extract_page(page("feed.xml"))
    assert r["page_type"] == "feed"
    assert r["title"] == "Quayside Gazette - Harbour"
    assert r["lang"] == "en"
    assert "Ferry timetable changes" in r["text"]


@pytest.mark.parametrize("empty", ["", "   \n", b"", b"\n"])
def test_empty_input_gives_other_with_warning(empty):
    r = extract_page(empty)
    assert set(r) == ANSWER_KEYS
    assert (r["page_type"], r["text"], r["product"]) == ("other", "", None)
    assert r["warnings"]


def test_binary_bytes_give_a_warning_not_an_exception():
    r = extract_page(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    assert r["page_type"] == "other"
    assert r["text"] == ""
    assert any("binary" in w for w in r["warnings"])


def test_js_only_page_is_other_with_warning():
    r = extract_page(page("js_only.html"))
    assert r["page_type"] == "other"
    assert r["text"] == ""
    assert any("JavaScript" in w for w in r["warnings"])


def test_non_html_json_is_warned():
    r = extract_page('{"status": "ok", "items": []}')
    assert r["page_type"] == "other"
    assert any("JSON" in w for w in r["warnings"])


ZH_PAGE = ("<html><head>{decl}<title>港口起重机恢复作业</title></head><body><article>"
           "<h1>港口起重机恢复作业</h1>"
           "<p>经过一个安静的冬天，北方小港的三台蓝色龙门起重机周二上午重新开始装卸集装箱。港务局表示，本季第一艘船在九"
           "小时内完成卸货，工人们对此感到非常高兴。</p><p>当地商店老板欢迎这一消息，面包店说夜班结束后早上的生意会翻倍。"
           "</p></article></body></html>")
FR_PAGE = ("<html><head>{decl}<title>Le café du port rouvre</title></head><body><article>"
           "<h1>Le café du port rouvre ses portes</h1>"
           "<p>Après un hiver très calme, le petit café du quai a rouvert "
           "mardi matin. « Nous avons préparé des crêpes pour tout le monde », a déclaré la gérante, Hélène "
           "Marchetti — visiblement émue. Les pêcheurs sont arrivés dès l’aube pour boire un café crème.</p>"
           "<p>Le prix du café reste fixé à 1,20 €, promet-elle.</p></article></body></html>")


@pytest.mark.parametrize("decl", ['<meta charset="gb2312">', '<meta charset="GB18030">', ""])
def test_gb18030_bytes_decoded_with_or_without_declaration(decl):
    r = extract_page(ZH_PAGE.format(decl=decl).encode("gb18030"))
    assert "北方小港的三台蓝色龙门起重机" in r["text"]
    assert r["lang"] == "zh"
    assert "\ufffd" not in r["text"]


CP1252_DECL = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'


@pytest.mark.parametrize("decl", [CP1252_DECL, '<meta charset="iso-8859-1">', ""])
def test_windows_1252_bytes_decoded_with_or_without_declaration(decl):
    r = extract_page(FR_PAGE.format(decl=decl).encode("cp1252"))
    assert "Hélène Marchetti — visiblement émue" in r["text"]
    assert "1,20 €" in r["text"]
    assert r["lang"] == "fr"


def test_wrong_charset_declaration_is_corrected_with_warning():
    r = extract_page(FR_PAGE.format(decl='<meta charset="utf-8">').encode("cp1252"))
    assert "Après un hiver très calme" in r["text"]
    assert any(w.startswith("encoding:") for w in r["warnings"])


def test_utf8_bom_is_honoured():
    r = extract_page(b"\xef\xbb\xbf" + FR_PAGE.format(decl="").encode("utf-8"))
    assert "Hélène" in r["text"]
    assert not any(w.startswith("encoding:") for w in r["warnings"])


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026-03-04", "2026-03-04"),
    ("2026-03-04T09:30:00Z", "2026-03-04T09:30:00Z"),
    ("2026-03-04T00:30:00+02:00", "2026-03-03T22:30:00Z"),
    ("Tue, 03 Mar 2026 10:00:00 +0100", "2026-03-03T09:00:00Z"),
    ("2026-03-04T09:30:00", "2026-03-04"),  # a time without a zone keeps only the day
    ("not a date", None),
])
def test_normalize_date(raw, expected):
    assert normalize_date(raw)[0] == expected


def test_extract_version_names_the_libraries():
    assert "trafilatura" in extract_version()


def test_product_described_in_jsonld_and_microdata_is_one_product():
    html = """<html lang="en"><head><script type="application/ld+json">
    {"@context": "https://schema.org", "@type": "Product", "name": "Harbour Print", "sku": "HP-1",
     "offers": {"@type": "Offer", "price": "15.00", "priceCurrency": "USD"}}</script></head>
    <body><main itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">Harbour Print</h1>
    <span itemprop="brand">Quay Prints</span><p>A print of the harbour at dusk.</p></main></body></html>"""
    r = extract_page(html)
    assert r["page_type"] == "product"
    assert (r["product"]["price"], r["product"]["sku"], r["product"]["brand"]) == ("15.00", "HP-1", "Quay Prints")


def test_by_prefix_is_stripped_from_structured_author():
    html = """<html lang="en"><body><article itemscope itemtype="https://schema.org/NewsArticle">
    <h1 itemprop="headline">Ferry back on time</h1><span itemprop="author">By Ona Reyes</span>
    <p>The morning ferry ran on time for the first week since the timetable changed in March.</p>
    </article></body></html>"""
    assert extract_page(html)["author"] == "Ona Reyes"
