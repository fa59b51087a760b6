"""The article lead (standfirst / teaser), which trafilatura drops, is put back in front of the body."""

from __future__ import annotations

import lxml.html

from crawlers.extract import extract_page
from crawlers.lead import find_lead

LEAD = "The council voted on Tuesday to close the old harbour bridge to cars for two years of repairs."
BODY = " ".join(["Work starts in spring and the city expects traffic on the ring road to grow noticeably."] * 4)


def _page(lead_html: str, description: str = "") -> str:
    meta = f'<meta name="description" content="{description}">' if description else ""
    return (f"<html><head><title>Bridge closes</title>{meta}</head><body>"
            "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
            f"<article><header><h1>Harbour bridge closes to cars</h1>{lead_html}</header>"
            + "".join(f"<p>{BODY} ({i})</p>" for i in range(4))
            + "</article><footer>Imprint</footer></body></html>")


def test_lead_named_like_a_lead_between_title_and_body() -> None:
    tree = lxml.html.document_fromstring(_page(f'<div class="article-lead">{LEAD}</div>'))
    assert find_lead(tree, f"{BODY} (0)\n{BODY} (1)", None) == LEAD


def test_lead_found_by_the_meta_description() -> None:
    tree = lxml.html.document_fromstring(_page(f"<div><b>{LEAD}</b></div>", description=LEAD))
    assert find_lead(tree, f"{BODY} (0)", LEAD) == LEAD


def test_no_lead_when_the_body_has_it_or_the_block_is_a_card() -> None:
    tree = lxml.html.document_fromstring(_page(f'<div class="intro">{LEAD}</div>'))
    assert find_lead(tree, f"{LEAD}\n{BODY} (0)", None) is None
    cards = lxml.html.document_fromstring(_page(f'<ul><li class="teaser">{LEAD}</li></ul>'))
    assert find_lead(cards, f"{BODY} (0)", None) is None


def test_extract_page_keeps_the_lead() -> None:
    answer = extract_page(_page(f'<p class="lead">{LEAD}</p>', description=LEAD), url="https://example.org/a")
    assert answer["page_type"] == "article"
    assert answer["text"].count(LEAD) == 1
    assert "Work starts in spring" in answer["text"]
