"""One page in, one ``extract`` answer out (the orchestrator); see the package docstring."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from crawlers.extract.article import drop_boilerplate_lines, main_text
from crawlers.extract.decode import _kind_of_text, decode_html, looks_binary
from crawlers.extract.feed import _extract_feed
from crawlers.extract.forum import looks_like_forum, read_posts
from crawlers.extract.learned import learned_text
from crawlers.extract.listing import listing_items
from crawlers.extract.metadata import _author, _canonical, _detect_lang, _html_lang, _meta_tags, _published
from crawlers.extract.pagetype import _listing_signals, classify_page
from crawlers.extract.product import _product
from crawlers.extract.structured import _first_of_type, _ld_str, _structured_data, _types
from crawlers.extract.text import _clean, _xpath_text
from crawlers.lead import find_lead
from crawlers.urls import canonicalize_url

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)

EXTRACTOR_NAME = "newswatch.extract"
EXTRACTOR_VERSION = "0.2.0"

PAGE_TYPES = ("article", "product", "post", "listing", "feed", "other")  # every value of an answer's page_type
ARTICLE_LD_TYPES = {"NewsArticle", "Article", "BlogPosting", "ReportageNews", "AnalysisNewsArticle",
                    "OpinionNewsArticle", "TechArticle", "WebPage", "SocialMediaPosting", "DiscussionForumPosting"}


def extract_version() -> str:
    """Version of this extractor and the libraries whose output it depends on, for provenance."""
    import extruct  # noqa: F401  (imported for its version only)
    import trafilatura

    extruct_version = getattr(extruct, "__version__", "?")
    return f"{EXTRACTOR_VERSION} (trafilatura {trafilatura.__version__}, extruct {extruct_version})"


def empty_answer() -> dict[str, Any]:
    return {
        "page_type": "other",
        "title": None,
        "text": "",
        "author": None,
        "published_at": None,
        "lang": None,
        "canonical_url": None,
        "product": None,
        "items": None,  # listing pages: [{"url", "title", "price", "currency"}]
        "posts": None,  # threads: [{"author", "published_at", "text"}]
        "warnings": [],
    }


def extract_page(html: str | bytes, url: str | None = None, *, line_model: bool = False) -> dict[str, Any]:
    """Extract one page. Returns the ``extract`` answer shape without ``id``; never raises.

    ``line_model=True`` refines an article's text with the learned line classifier
    (``crawlers.extract.learned``). It is off by default: it runs justext, readability and resiliparse
    on every article and scores each candidate line, about 0.5 s more per page on the crawl bench's
    pages (5x the extraction), for +0.004 segment F1 on both halves of the shared article set
    (docs/benchmarks.md); the crawl must keep its pages per minute."""
    answer = empty_answer()
    if url:
        answer["canonical_url"] = canonicalize_url(url)
    try:
        _extract_into(answer, html, url, line_model)
    except Exception as exc:  # fail soft: a page must never stop a batch or a crawl
        answer["warnings"].append(f"parse: extraction failed ({type(exc).__name__}: {exc})")
    answer["warnings"] = list(dict.fromkeys(answer["warnings"]))
    return answer


# --------------------------------------------------------------------------------------------
# input: bytes -> str, and what kind of input this is


def extract_bytes(body: bytes, content_type: str | None, url: str | None) -> dict[str, Any]:
    """``extract_page`` of a fetched body, decoded with its HTTP Content-Type (for worker processes)."""
    html, _warnings = decode_html(body, content_type)
    return extract_page(html, url=url)


def _extract_into(answer: dict[str, Any], html: str | bytes, url: str | None, line_model: bool = False) -> None:
    """The steps, in order: decode, parse, structured data and metadata, page type, then what that type holds."""
    warnings: list[str] = answer["warnings"]
    text = _decoded(html, warnings)
    if text is None:
        return
    kind = _kind_of_text(text)
    if kind != "html":
        _not_html(answer, kind, text)
        return
    text = _XML_DECL.sub("", text, count=1)
    try:
        tree = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        warnings.append(f"parse: not parseable as HTML ({exc})")
        return

    base = _base_url(tree, url)
    meta = _meta_tags(tree)
    structured = _structured_data(text, base, warnings)
    ld_types = {t for item in structured for t in _types(item)}
    article_ld = _first_of_type(structured, ARTICLE_LD_TYPES)
    answer["canonical_url"] = _canonical(tree, meta, base) or answer["canonical_url"]

    # A thread's replies are its content: tell the text extractor before it runs.
    forum = looks_like_forum(tree, ld_types, meta)
    main = main_text(text, tree, url, warnings, keep_comments=forum)

    answer["title"] = _title(main.metadata, article_ld, meta, tree)
    answer["author"] = _author(article_ld, meta, tree, main.metadata)
    answer["published_at"] = _published(article_ld, meta, tree, main.metadata, warnings)
    answer["lang"] = _html_lang(tree, meta)

    product, product_kind = _product(structured, tree, meta, answer, warnings, url)
    cards, priced = _listing_signals(tree, structured)
    page_type = classify_page(product_found=product is not None, product_kind=product_kind, ld_types=ld_types,
                              cards=cards, priced=priced, text_length=len(main.text), forum=forum,
                              article_ld=article_ld is not None)
    answer["page_type"] = page_type
    body = main.text
    if page_type == "article":
        body = _article_text(body, tree, meta)
        if line_model:
            body = learned_text(body, text, url, tree, main.text, warnings)
    elif page_type == "product" and product is not None:
        answer["product"] = product
        answer["title"] = answer["title"] or product.get("name")
        # a bare product page: its description, else its name, stands for the text
        body = body or _clean(_ld_str(_first_of_type(structured, {"Product"}), "description")) or \
            _clean(product.get("name")) or ""
    elif page_type == "listing":
        answer["items"] = listing_items(tree, structured, base)
    elif page_type == "post":
        answer["posts"] = read_posts(tree) or None
    answer["text"] = body

    if not body and page_type in ("article", "other"):
        warnings.append("text: JavaScript-only page (app shell or <noscript>); no server-rendered text"
                        if main.js_only else "text: no main text found")
    if answer["lang"] is None:
        answer["lang"] = _detect_lang(body or answer["title"] or "")


def _decoded(html: str | bytes | None, warnings: list[str]) -> str | None:
    """The page as text, or None (with a warning) when there is nothing to extract."""
    if html is None or (isinstance(html, str | bytes) and not html.strip()):
        warnings.append("input: empty page")
        return None
    if isinstance(html, bytes):
        if looks_binary(html):
            warnings.append("input: binary content, not HTML")
            return None
        text, enc_warnings = decode_html(html)
        warnings.extend(enc_warnings)
    else:
        text = str(html)
    return text.lstrip("\ufeff")


def _not_html(answer: dict[str, Any], kind: str, text: str) -> None:
    """A feed, JSON or plain text given where a page was expected."""
    if kind == "feed":
        _extract_feed(answer, text)
    elif kind == "json":
        answer["warnings"].append("input: JSON, not HTML")
    else:
        answer["warnings"].append("input: plain text, not HTML")
        body = " ".join(text.split()) if "\x00" not in text else ""
        answer["text"] = body
        answer["lang"] = _detect_lang(body)
        answer["page_type"] = "article" if len(body) >= 200 else "other"


def _base_url(tree: lxml.html.HtmlElement, url: str | None) -> str | None:
    base_href = tree.xpath("//base/@href")
    return urljoin(url, str(base_href[0])) if base_href and url else url


def _title(metadata: dict[str, Any], article_ld: dict[str, Any] | None, meta: dict[str, str],
           tree: lxml.html.HtmlElement) -> str | None:
    return (_clean(metadata.get("title")) or _clean(_ld_str(article_ld, "headline")) or _clean(meta.get("og:title"))
            or _clean(_xpath_text(tree, "//title")) or _clean(_xpath_text(tree, "//h1")))


def _article_text(body: str, tree: lxml.html.HtmlElement, meta: dict[str, str]) -> str:
    """An article's text without the in-article boilerplate lines extractors keep, with its lead in front
    (trafilatura takes the standfirst for boilerplate). Only for articles: on threads, shops and listings
    these lines can be content."""
    body = drop_boilerplate_lines(body)
    lead = find_lead(tree, body, meta.get("og:description") or meta.get("description")) if body else None
    return f"{lead}\n{body}" if lead else body
