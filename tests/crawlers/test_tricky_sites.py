"""One crawl over invented tricky sites: charsets, gzip, duplicates, paywalls, comments, feeds, shops, social.

Every page here is written for this test (no real site's text). The crawl runs in a subprocess
against a local server; each test checks one behaviour of the result.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_crawl_subprocess
from live_site import Answer, LiveSite, article

pytestmark = pytest.mark.slow

FR = ["Les dockers du port imaginaire de Saint-Aubel ont voté une grève de deux jours à partir de lundi.",
      "Le syndicat réclame des horaires fixes et une prime pour le travail de nuit, selon la déléguée Léa Marchand."]
ZH = ["海湾市新港口周一正式开放，首批集装箱船已经靠岸。",
      "市政府表示，新码头每年可处理两百万个标准箱，并将创造约三千个就业岗位。"]
CAFE = ["The caf\u00e9 on Pier Road reopened with a na\u00efve mural of the old ferry \u2014 "
        "\u201cour best year yet\u201d, said owner Ma\u00eblle Dufr\u00eane.",
        "Regulars queued from seven for the first espresso, and the council promised new benches by the slipway."]
LONG = ["The invented town council approved a new timetable for the island ferry on Thursday evening.",
        "Boats will leave every forty minutes in summer and every hour in winter, starting in April."]


def page_bytes(html: str, encoding: str) -> bytes:
    return html.encode(encoding)


def gz_route(body: bytes) -> Any:
    def route(site: LiveSite, headers: dict[str, str]) -> Answer:
        return 200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}, gzip.compress(body)

    return route


def slow_route(seconds: float) -> Any:
    def route(site: LiveSite, headers: dict[str, str]) -> Answer:
        import time

        time.sleep(seconds)
        return 200, {"Content-Type": "text/html"}, b"<html><body><p>late</p></body></html>"

    return route


def comments_page() -> str:
    comments = "".join(
        f'<li class="comment"><p class="comment-author">Reader {i}</p><p>I have opinions about ferries, number {i}: '
        f"the old boat was better, the seats were softer and the coffee on board was hotter than now.</p></li>"
        for i in range(60))
    return article("Ferry timetable approved", LONG).replace(
        "</article>", f'</article><section id="comments" class="comments"><h2>60 comments</h2><ol>{comments}</ol>'
                      "</section>")


def paywall_page() -> str:
    teaser = ["The invented harbour authority quietly sold two tugboats to a buyer in the north, documents show."]
    return article("Harbour sells its tugboats", teaser).replace(
        "</article>", '<div class="paywall"><p>Subscribe to keep reading. Already a subscriber? Log in.</p></div>'
                      "</article>")


def product(name: str, jsonld: dict[str, Any] | None = None, body: str = "", lang: str = "en") -> str:
    ld = f'<script type="application/ld+json">{json.dumps(jsonld, ensure_ascii=False)}</script>' if jsonld else ""
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{name}</title>{ld}</head>'
            f"<body><nav><a href='/'>Shop</a></nav><main><h1>{name}</h1>{body}</main></body></html>")


def ld(name: str, offers: dict[str, Any]) -> dict[str, Any]:
    return {"@context": "https://schema.org", "@type": "Product", "name": name, "sku": name[:3].upper() + "-1",
            "brand": {"@type": "Brand", "name": "Quayware"}, "offers": {"@type": "Offer", **offers}}


def build_site() -> LiveSite:
    s = LiveSite()
    s.page("/robots.txt", "User-agent: *\nDisallow: /admin/\nSitemap: {{BASE_URL}}/sitemap_index.xml\n", "text/plain")
    s.page("/sitemap_index.xml",
           '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
           "<sitemap><loc>{{BASE_URL}}/sitemaps/news.xml</loc></sitemap>"
           "<sitemap><loc>{{BASE_URL}}/sitemaps/pages.xml.gz</loc></sitemap></sitemapindex>", "application/xml")
    s.page("/sitemaps/news.xml",
           '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
           'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
           + "".join(f"<url><loc>{{{{BASE_URL}}}}{p}</loc><news:news><news:publication><news:name>Gazette"
                     "</news:name><news:language>en</news:language></news:publication>"
                     "<news:publication_date>2026-03-02T08:00:00Z</news:publication_date><news:title>t</news:title>"
                     "</news:news></url>"
                     for p in ("/fr/greve.html", "/zh/gangkou.html", "/zh/nocharset.html", "/en/cafe.html",
                               "/en/gzip.html"))
           + "</urlset>", "application/xml")
    pages = ("/en/paywall.html", "/en/comments.html", "/en/dup-a.html", "/en/dup-b.html?ref=home", "/en/slow.html",
             "/en/gone.html", "/en/error.html", "/en/moved.html")
    pages_xml = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                 + "".join(f"<url><loc>{{{{BASE_URL}}}}{p.replace('&', '&amp;')}</loc></url>" for p in pages)
                 + "</urlset>")
    s.routes["/sitemaps/pages.xml.gz"] = lambda site, h: (
        200, {"Content-Type": "application/x-gzip"},
        gzip.compress(pages_xml.replace("{{BASE_URL}}", site.base_url).encode()))
    s.page("/fr/greve.html", article("Grève au port de Saint-Aubel", FR, author="Léa Marchand", lang="fr"))
    zh = article("海湾市新港口开放", ZH, author="王小明", lang="zh").replace('<meta charset="utf-8">',
                                                                        '<meta charset="gb18030">')
    s.page("/zh/gangkou.html", page_bytes(zh, "gb18030"), "text/html")
    s.page("/zh/nocharset.html", article("新港口第二篇报道", ZH, lang="zh").replace('<meta charset="utf-8">', "")
           .encode("utf-8"), "text/html")
    cafe = article("Caf\u00e9 reopens on Pier Road", CAFE).replace('<meta charset="utf-8">', "")
    s.page("/en/cafe.html", cafe.encode("cp1252"), "text/html; charset=utf-8")  # the header lies
    s.routes["/en/gzip.html"] = gz_route(article("Compressed news of the lighthouse", LONG).encode())
    s.page("/en/paywall.html", paywall_page())
    s.page("/en/comments.html", comments_page())
    dup = article("Ferry fares frozen", LONG, extra_head='<link rel="canonical" href="{{BASE_URL}}/en/dup.html">')
    s.page("/en/dup-a.html", dup)
    s.page("/en/dup-b.html?ref=home", dup)
    s.routes["/en/slow.html"] = slow_route(3.0)
    s.routes["/en/gone.html"] = lambda site, h: (410, {"Content-Type": "text/html"}, b"gone")
    s.routes["/en/error.html"] = lambda site, h: (500, {"Content-Type": "text/html"}, b"oops")
    s.routes["/en/moved.html"] = lambda site, h: (302, {"Location": "/en/comments.html?from=moved"}, b"")
    # feeds
    s.page("/atom.xml",
           '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Quay Atom</title>'
           '<entry><title>Atom story</title><link href="{{BASE_URL}}/feedpages/atom-story.html"/>'
           "<id>urn:quay:1</id><updated>2026-03-03T10:00:00+01:00</updated><summary>Short</summary></entry>"
           "<entry><title>Atom note without a page</title><id>urn:quay:2</id>"
           "<link href=\"{{BASE_URL}}/feedpages/missing.html\"/>"
           "<updated>2026-03-03T11:00:00Z</updated><summary>A note about buoys that only lives in the feed."
           "</summary></entry></feed>", "application/atom+xml")
    s.page("/feedpages/atom-story.html", article("Atom story", LONG))
    s.page("/feed.json", json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Quay JSON", "items": [
            {"id": "j1", "url": "{{BASE_URL}}/feedpages/json-story.html", "title": "JSON story",
             "date_published": "2026-03-04T09:30:00Z", "content_text": "Short"}]}), "application/feed+json")
    s.page("/feedpages/json-story.html", article("JSON story", LONG))
    # shop: prices in CNY, USD, EUR, a range; a category page without structured data
    s.page("/shop/cny.html", product("青花瓷茶杯", ld("青花瓷茶杯", {"price": "268.00", "priceCurrency": "CNY",
                                                             "availability": "https://schema.org/InStock"}),
                                      lang="zh"))
    s.page("/shop/usd.html", product("Rope Lamp", body='<div itemscope itemtype="https://schema.org/Product">'
                                     '<span itemprop="name">Rope Lamp</span><div itemprop="offers" itemscope '
                                     'itemtype="https://schema.org/Offer"><span itemprop="price" content="49.90">'
                                     '$49.90</span><meta itemprop="priceCurrency" content="USD"><link '
                                     'itemprop="availability" href="https://schema.org/OutOfStock"></div></div>'))
    s.page("/shop/eur.html", product("Lanterne de quai", lang="fr", body='<p class="price">Prix : 1 299,00 €</p>'
                                     "<p>En stock</p><button>Ajouter au panier</button>"))
    s.page("/shop/range.html", product("Buoy Set", {"@context": "https://schema.org", "@type": "Product",
                                                    "name": "Buoy Set", "offers": {
                                                        "@type": "AggregateOffer", "lowPrice": "12.00",
                                                        "highPrice": "30.00", "priceCurrency": "EUR"}}))
    s.page("/shop/category.html", '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>All</title>'
           '</head><body><ul class="products">'
           + "".join(f'<li class="product-card"><a href="/shop/{p}.html">{p}</a></li>'
                     for p in ("cny", "usd", "eur", "range")) + "</ul></body></html>")
    s.page("/shop/search?q=Ansel+Morrow", '<!doctype html><html lang="en"><head><meta charset="utf-8">'
           '<title>Search</title></head><body><div class="results"><div class="product-tile">'
           '<a href="/shop/morrow-mug.html">Ansel Morrow mug</a></div></div></body></html>')
    s.page("/shop/morrow-mug.html", product("Ansel Morrow portrait mug", ld("Ansel Morrow portrait mug", {
        "price": "14.50", "priceCurrency": "USD", "availability": "https://schema.org/InStock"})))
    # social APIs
    s.page("/mastodon/api/v1/timelines/tag/harbour", json.dumps([
        {"id": "101", "created_at": "2026-03-05T08:00:00.000Z", "language": "en", "url": "{{BASE_URL}}/@quay/101",
         "content": '<p>New buoys at the harbour mouth! <a href="https://quay.example/buoys">quay.example/buoys</a>'
                    "</p>", "spoiler_text": "", "replies_count": 2, "reblogs_count": 5, "favourites_count": 9,
         "account": {"acct": "quay", "display_name": "Quay Watch"}, "reblog": None, "card": None}]),
        "application/json")
    s.page("/xrpc/app.bsky.feed.searchPosts?q=harbour", json.dumps({"cursor": "c2", "posts": [
        {"uri": "at://did:plc:abc/app.bsky.feed.post/3k1", "cid": "x",
         "author": {"did": "did:plc:abc", "handle": "quay.bsky.social", "displayName": "Quay"},
         "record": {"$type": "app.bsky.feed.post", "text": "Harbour lights fixed at last https://quay.example/lights",
                    "createdAt": "2026-03-05T09:00:00.000Z", "langs": ["en"]},
         "replyCount": 1, "repostCount": 3, "likeCount": 7, "indexedAt": "2026-03-05T09:00:01.000Z"}]}),
        "application/json")
    s.page("/xrpc/app.bsky.feed.searchPosts?q=harbour&cursor=c2", json.dumps({"posts": [
        {"uri": "at://did:plc:def/app.bsky.feed.post/3k2", "cid": "y",
         "author": {"did": "did:plc:def", "handle": "gull.bsky.social"},
         "record": {"$type": "app.bsky.feed.post", "text": "港口的灯修好了", "createdAt": "2026-03-05T10:00:00Z",
                    "langs": ["zh"]}, "replyCount": 0, "repostCount": 0, "likeCount": 1}]}), "application/json")
    s.page("/xrpc/app.bsky.feed.getAuthorFeed?actor=quay.bsky.social", json.dumps({"feed": [
        {"post": {"uri": "at://did:plc:abc/app.bsky.feed.post/3k3", "cid": "z",
                  "author": {"did": "did:plc:abc", "handle": "quay.bsky.social", "displayName": "Quay"},
                  "record": {"text": "Ferry runs late today.", "createdAt": "2026-03-06T07:00:00Z"},
                  "replyCount": 4, "repostCount": 0, "likeCount": 2}}]}), "application/json")
    s.page("/r/harbour/new.json", json.dumps({"kind": "Listing", "data": {"after": "t3_b", "children": [
        {"kind": "t3", "data": {"name": "t3_a", "title": "Harbour festival this weekend?", "selftext": "Anyone going?",
                                "author": "gullfan", "created_utc": 1772700000, "permalink": "/r/harbour/comments/a/x/",
                                "num_comments": 12, "score": 40, "subreddit": "harbour", "is_self": True}}]}}),
        "application/json")
    s.page("/r/harbour/new.json?after=t3_b", json.dumps({"kind": "Listing", "data": {"after": None, "children": [
        {"kind": "t3", "data": {"name": "t3_b", "title": "Photo of the new crane", "selftext": "",
                                "url": "https://img.example/crane.jpg", "author": "[deleted]",
                                "created_utc": 1772600000, "permalink": "/r/harbour/comments/b/y/", "num_comments": 3,
                                "score": 11, "subreddit": "harbour", "is_self": False}}]}}), "application/json")
    s.page("/r/broken.json", "{not json", "application/json")
    return s


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    site = build_site().start()
    b = site.base_url
    sources = [
        {"name": "gazette", "type": "sitemap", "url": f"{b}/robots.txt"},
        {"name": "atom", "type": "feed", "url": f"{b}/atom.xml"},
        {"name": "jsonfeed", "type": "feed", "url": f"{b}/feed.json"},
        {"name": "shop", "type": "listing", "url": f"{b}/shop/category.html"},
        {"name": "shop-search", "type": "listing", "url": f"{b}/shop/search?q={{query}}",
         "queries": ["Ansel Morrow", "Nobody Here"]},
        {"name": "masto", "type": "mastodon", "url": f"{b}/mastodon/api/v1/timelines/tag/harbour"},
        {"name": "bsky", "type": "bluesky", "url": f"{b}/xrpc/app.bsky.feed.searchPosts?q=harbour", "max_pages": 3},
        {"name": "bsky-author", "type": "bluesky",
         "url": f"{b}/xrpc/app.bsky.feed.getAuthorFeed?actor=quay.bsky.social"},
        {"name": "reddit", "type": "reddit", "url": f"{b}/r/harbour/new.json", "max_pages": 3},
        {"name": "reddit-broken", "type": "reddit", "url": f"{b}/r/broken.json"},
    ]
    result = run_crawl_subprocess(sources, Path(tmp_path_factory.mktemp("tricky")), {"DOWNLOAD_TIMEOUT": 1})
    result["base"] = b
    result["site"] = site
    yield result
    site.stop()


def docs(crawl: dict[str, Any], source: str) -> dict[str, dict[str, Any]]:
    return {i["canonical_url"].removeprefix(crawl["base"]): i for i in crawl["items"]
            if i["item_type"] == "Document" and i["source"] == source}


def errors(crawl: dict[str, Any], source: str) -> dict[str, str]:
    return {i["url"].removeprefix(crawl["base"]): i["reason"] for i in crawl["items"]
            if i["item_type"] == "Quarantined" and i["source"] == source}


def test_sitemap_index_news_and_gzip_sitemaps_are_all_followed(crawl: dict[str, Any]) -> None:
    got = docs(crawl, "gazette")
    assert {"/fr/greve.html", "/zh/gangkou.html", "/en/cafe.html", "/en/gzip.html", "/en/paywall.html",
            "/en/comments.html", "/en/dup.html"} <= set(got)


def test_french_and_chinese_articles_decode_and_know_their_language(crawl: dict[str, Any]) -> None:
    got = docs(crawl, "gazette")
    assert got["/fr/greve.html"]["lang"] == "fr" and "déléguée Léa Marchand" in got["/fr/greve.html"]["text"]
    for path in ("/zh/gangkou.html", "/zh/nocharset.html"):
        assert got[path]["lang"] == "zh" and "集装箱船" in got[path]["text"], path


def test_wrong_charset_header_is_overruled_by_the_bytes(crawl: dict[str, Any]) -> None:
    text = docs(crawl, "gazette")["/en/cafe.html"]["text"]
    assert "café" in text and "Maëlle Dufrêne" in text and "\ufffd" not in text


def test_gzip_encoded_page_is_read(crawl: dict[str, Any]) -> None:
    assert "every forty minutes" in docs(crawl, "gazette")["/en/gzip.html"]["text"]


def test_comments_larger_than_the_article_are_left_out(crawl: dict[str, Any]) -> None:
    text = docs(crawl, "gazette")["/en/comments.html"]["text"]
    assert "every forty minutes" in text and "I have opinions about ferries" not in text


def test_paywall_teaser_keeps_the_teaser_not_the_login_prompt(crawl: dict[str, Any]) -> None:
    text = docs(crawl, "gazette")["/en/paywall.html"]["text"]
    assert "sold two tugboats" in text and "Subscribe" not in text


def test_duplicates_under_several_urls_are_one_document(crawl: dict[str, Any]) -> None:
    assert len([i for i in crawl["items"] if i["item_type"] == "Document" and
                i["canonical_url"].endswith("/en/dup.html")]) == 1


def test_slow_gone_and_failing_pages_are_quarantined_by_class(crawl: dict[str, Any]) -> None:
    got = errors(crawl, "gazette")
    assert (got["/en/slow.html"], got["/en/gone.html"], got["/en/error.html"]) == ("timeout", "http_4xx", "http_5xx")


def test_atom_and_json_feeds_are_followed_and_a_dead_link_keeps_the_entry(crawl: dict[str, Any]) -> None:
    atom = docs(crawl, "atom")
    assert atom["/feedpages/atom-story.html"]["kind"] == "article"
    assert atom["/feedpages/missing.html"]["kind"] == "feed_item"
    assert atom["/feedpages/missing.html"]["published_at"] == "2026-03-03T11:00:00Z"
    assert docs(crawl, "jsonfeed")["/feedpages/json-story.html"]["title"] == "JSON story"


def test_products_in_cny_usd_eur_and_ranges(crawl: dict[str, Any]) -> None:
    got = {p: d["product"] for p, d in docs(crawl, "shop").items()}
    assert (got["/shop/cny.html"]["price"], got["/shop/cny.html"]["currency"]) == ("268.00", "CNY")
    assert got["/shop/cny.html"]["availability"] == "InStock"
    assert (got["/shop/usd.html"]["price"], got["/shop/usd.html"]["currency"]) == ("49.90", "USD")
    assert got["/shop/usd.html"]["availability"] == "OutOfStock"
    assert (got["/shop/eur.html"]["price"], got["/shop/eur.html"]["currency"]) == ("1299.00", "EUR")
    assert (got["/shop/range.html"]["price"], got["/shop/range.html"]["currency"]) == ("12.00", "EUR")


def test_mastodon_tag_timeline_posts_with_counts_and_links(crawl: dict[str, Any]) -> None:
    [post] = docs(crawl, "masto").values()
    assert post["kind"] == "post" and post["author"] == "Quay Watch" and post["published_at"] == "2026-03-05T08:00:00Z"
    meta = post["provenance"]["source_meta"]
    assert (meta["replies"], meta["reposts"], meta["links"]) == (2, 5, ["https://quay.example/buoys"])


def test_bluesky_search_pages_by_cursor_and_author_feed(crawl: dict[str, Any]) -> None:
    got = {d["url"]: d for d in docs(crawl, "bsky").values()}
    assert set(got) == {"https://bsky.app/profile/quay.bsky.social/post/3k1",
                        "https://bsky.app/profile/gull.bsky.social/post/3k2"}
    first = got["https://bsky.app/profile/quay.bsky.social/post/3k1"]
    assert first["provenance"]["source_meta"]["links"] == ["https://quay.example/lights"]
    assert got["https://bsky.app/profile/gull.bsky.social/post/3k2"]["lang"] == "zh"
    [author_post] = docs(crawl, "bsky-author").values()
    assert author_post["provenance"]["source_meta"]["replies"] == 4


def test_reddit_listing_pages_by_after(crawl: dict[str, Any]) -> None:
    got = {d["title"]: d for d in docs(crawl, "reddit").values()}
    assert set(got) == {"Harbour festival this weekend?", "Photo of the new crane"}
    assert got["Harbour festival this weekend?"]["author"] == "gullfan"
    assert got["Photo of the new crane"]["author"] is None
    assert got["Photo of the new crane"]["provenance"]["source_meta"]["links"] == ["https://img.example/crane.jpg"]


def test_invalid_json_from_a_social_api_is_quarantined(crawl: dict[str, Any]) -> None:
    assert errors(crawl, "reddit-broken") == {"/r/broken.json": "parse"}
    assert crawl["stats"]["finish_reason"] == "finished"


def test_listing_search_by_keyword_finds_merchandise_of_a_watched_name(crawl: dict[str, Any]) -> None:
    [mug] = docs(crawl, "shop-search").values()
    assert mug["product"]["name"] == "Ansel Morrow portrait mug"
    assert mug["provenance"]["source_meta"]["query"] == "Ansel Morrow"
    assert errors(crawl, "shop-search") == {"/shop/search?q=Nobody+Here": "http_4xx"}
