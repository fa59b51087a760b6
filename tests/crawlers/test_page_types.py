"""Page type first: a thread keeps its posts, a listing yields its items, a docs page is an article; every
extractor in the mix fails soft. Pages are invented here."""

from __future__ import annotations

import pytest

from crawlers.extract import extract_page
from crawlers.extract.engines import ENGINES, run_engine

_PARAGRAPH = ("The harbour council agreed on Tuesday to extend the ferry timetable into the winter months, "
              "after a season in which the island route carried more passengers than in any year before.")

_THREAD = """<html lang="en"><head><title>Best bait for harbour mackerel? - Quayside Anglers Forum</title>
<meta name="generator" content="a forum engine"></head><body>
<nav><a href="/">Forums</a> <a href="/fishing">Sea fishing</a></nav>
<h1>Best bait for harbour mackerel?</h1>
<div class="post" id="post-101"><div class="post-author"><span class="username">tidewalker</span></div>
  <time datetime="2026-05-02T08:00:00Z">2 May</time>
  <div class="post-content"><p>I have been fishing off the north pier for three weekends with feathers and caught
  nothing but weed. Does anyone have a better bait for mackerel this early in the season?</p></div></div>
<div class="post" id="post-102"><div class="post-author"><span class="username">gullwatcher</span></div>
  <time datetime="2026-05-02T09:30:00Z">2 May</time>
  <div class="post-content"><p>Strips of fresh squid on a small hook worked for me last May, always on the
  rising tide and near the lantern at the end of the quay.</p></div></div>
<div class="post" id="post-103"><div class="post-author"><span class="username">old_pier_hand</span></div>
  <time datetime="2026-05-03T07:10:00Z">3 May</time>
  <div class="post-content"><p>Squid strips, yes. And subscribe to the tide tables newsletter from the harbour
  office, it tells you when the water is warmest.</p></div></div>
<footer>Forum rules | Privacy</footer></body></html>"""

_LISTING = """<html lang="en"><head><title>Lanterns | Quay Shop</title></head><body>
<nav><a href="/">Home</a><a href="/lanterns">Lanterns</a><a href="/clocks">Clocks</a></nav>
<h1>Lanterns</h1><ul class="grid">
{cards}
</ul><footer>Quay Shop</footer></body></html>"""
_CARD = ('<li class="product-card"><a href="/p/{i}"><h3>Harbour lantern model {i}</h3></a>'
         '<span class="price">€{i}9.00</span></li>')

_DOCS = """<html lang="en"><head><title>Configuring sources - Harbourwatch docs</title></head><body>
<nav class="sidebar"><a href="/docs/install">Install</a><a href="/docs/sources">Sources</a></nav>
<main><h1>Configuring sources</h1>
<p>Each source is a table in the configuration file with a name, a start address and the kind of reader to use;
the crawler reads them in order and keeps one state file per source between runs.</p>
<pre><code>[[sources]]
name = "quay-gazette"
url = "https://quay.example/news"</code></pre>
<p>A source that fails three times in a row is paused for an hour, and its errors are counted by class so that
the health report can say which sites need attention and why.</p></main>
<footer>Docs licence</footer></body></html>"""


def test_a_forum_thread_keeps_every_post_with_its_author_and_date() -> None:
    answer = extract_page(_THREAD, url="https://anglers.example/t/42")
    assert answer["page_type"] == "post"
    assert [p["author"] for p in answer["posts"]] == ["tidewalker", "gullwatcher", "old_pier_hand"]
    assert answer["posts"][1]["published_at"] == "2026-05-02T09:30:00Z"
    assert "squid on a small hook" in answer["posts"][1]["text"]
    # replies are content on a thread: the text keeps them, newsletter mention included
    assert "north pier" in answer["text"] and "rising tide" in answer["text"]
    assert "tide tables newsletter" in answer["text"]


def test_a_listing_yields_its_items_links_and_prices() -> None:
    html = _LISTING.format(cards="\n".join(_CARD.format(i=i) for i in range(1, 7)))
    answer = extract_page(html, url="https://shop.example/lanterns")
    assert answer["page_type"] == "listing"
    assert answer["product"] is None
    items = answer["items"]
    assert [i["url"] for i in items] == [f"https://shop.example/p/{i}" for i in range(1, 7)]
    assert items[0]["title"] == "Harbour lantern model 1"
    assert (items[2]["price"], items[2]["currency"]) == ("39.00", "EUR")


def test_a_docs_page_is_an_article_with_its_code() -> None:
    answer = extract_page(_DOCS, url="https://docs.example/sources")
    assert answer["page_type"] == "article"
    assert "one state file per source" in answer["text"]
    assert "paused for an hour" in answer["text"]
    assert answer["posts"] is None and answer["items"] is None


def test_comments_under_an_article_do_not_make_it_a_thread() -> None:
    comments = "".join(f'<div class="comment"><span class="comment-author">reader{i}</span><p>Nice one.</p></div>'
                       for i in range(4))
    html = (f"<html><body><article><h1>Ferry timetable extended</h1>{('<p>' + _PARAGRAPH + '</p>') * 4}"
            f"</article><section class='comments'>{comments}</section></body></html>")
    answer = extract_page(html, url="https://news.example/ferry")
    assert answer["page_type"] == "article"
    assert "Nice one." not in answer["text"]


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_every_engine_fails_soft(name: str) -> None:
    page = f"<html><body><article><h1>Ferry</h1>{('<p>' + _PARAGRAPH + '</p>') * 3}</article></body></html>"
    # A generous budget: the first call of an engine imports it, which a busy machine can make slow;
    # what is under test is the answer, not the speed (the budget itself is tested on its own).
    good = run_engine(name, page, budget_s=120)
    assert "island route" in good.text or good.error == "returned no text"  # justext wants longer pages
    broken = run_engine(name, "\x00\x01<<<>>>" * 10, budget_s=120)  # must not raise, whatever the engine makes
    assert broken.error is None or broken.error.startswith(("crashed", "timed out", "returned no text"))


def test_trafilatura_failing_falls_back_to_another_engine_and_says_which(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(trafilatura, "bare_extraction", broken)
    html = f"<html><body><article><h1>Ferry</h1>{('<p>' + _PARAGRAPH + '</p>') * 3}</article></body></html>"
    answer = extract_page(html, url="https://news.example/ferry")
    assert "island route" in answer["text"]
    assert any(w.startswith("text: trafilatura crashed (RuntimeError); used readability") for w in answer["warnings"])


def test_an_engine_past_its_budget_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setitem(ENGINES, "slow", lambda _html, _url: time.sleep(5) or "late")
    result = run_engine("slow", "<p>x</p>", budget_s=0.2)
    assert (result.text, result.error) == ("", "timed out after 0.2 s")
