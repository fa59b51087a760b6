"""One page in, one ``extract`` answer out (the orchestrator); see the package docstring."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from crawlers.extract.article import _fallback_text, _js_only, _trafilatura, _without_walls, drop_boilerplate_lines
from crawlers.extract.decode import _kind_of_text, _looks_binary, decode_html
from crawlers.extract.feed import _extract_feed
from crawlers.extract.metadata import _author, _canonical, _detect_lang, _html_lang, _meta_tags, _published
from crawlers.extract.pagetype import _listing_signals
from crawlers.extract.product import _product
from crawlers.extract.structured import _first_of_type, _ld_str, _structured_data, _types
from crawlers.extract.text import _clean, _xpath_text
from crawlers.lead import find_lead
from crawlers.urls import canonicalize_url

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)

EXTRACTOR_NAME = "newswatch.extract"
EXTRACTOR_VERSION = "0.2.0"

PAGE_TYPES = ("article", "product", "post", "listing", "feed", "other")


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
        "warnings": [],
    }


def extract_page(html: str | bytes, url: str | None = None) -> dict[str, Any]:
    """Extract one page. Returns the ``extract`` answer shape without ``id``; never raises."""
    answer = empty_answer()
    if url:
        answer["canonical_url"] = canonicalize_url(url)
    try:
        _extract_into(answer, html, url)
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


def _extract_into(answer: dict[str, Any], html: str | bytes, url: str | None) -> None:
    warnings: list[str] = answer["warnings"]
    if html is None or (isinstance(html, str | bytes) and not html.strip()):
        warnings.append("input: empty page")
        return
    if isinstance(html, bytes):
        if _looks_binary(html):
            warnings.append("input: binary content, not HTML")
            return
        text, enc_warnings = decode_html(html)
        warnings.extend(enc_warnings)
    else:
        text = str(html)
    text = text.lstrip("\ufeff")
    kind = _kind_of_text(text)
    if kind == "feed":
        _extract_feed(answer, text)
        return
    if kind == "json":
        warnings.append("input: JSON, not HTML")
        return
    if kind == "text":
        warnings.append("input: plain text, not HTML")
        body = " ".join(text.split()) if "\x00" not in text else ""
        answer["text"] = body
        answer["lang"] = _detect_lang(body)
        answer["page_type"] = "article" if len(body) >= 200 else "other"
        return

    text = _XML_DECL.sub("", text, count=1)
    try:
        tree = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        warnings.append(f"parse: not parseable as HTML ({exc})")
        return

    base = url
    base_href = tree.xpath("//base/@href")
    if base_href and url:
        base = urljoin(url, str(base_href[0]))

    meta = _meta_tags(tree)
    structured = _structured_data(text, base, warnings)
    article_ld = _first_of_type(structured, {"NewsArticle", "Article", "BlogPosting", "ReportageNews",
                                             "AnalysisNewsArticle", "OpinionNewsArticle", "TechArticle",
                                             "WebPage", "SocialMediaPosting", "DiscussionForumPosting"})

    canonical = _canonical(tree, meta, base)
    if canonical:
        answer["canonical_url"] = canonical

    walled = _without_walls(tree)
    traf = _trafilatura(text if walled is tree else lxml.html.tostring(walled, encoding="unicode"), url, warnings)
    body = drop_boilerplate_lines((traf.get("text") or "").strip())
    # An app shell: almost no text outside scripts, and what the extractor found is a "enable JavaScript" line.
    js_only = len(body) < 200 and _js_only(tree)
    body = "" if js_only else body
    if not body and not js_only:
        body = _fallback_text(tree)
        if body:
            warnings.append("text: trafilatura found no main text; used the fallback heuristic")

    answer["title"] = _clean(traf.get("title")) or _clean(_ld_str(article_ld, "headline")) or _clean(
        meta.get("og:title")) or _clean(_xpath_text(tree, "//title")) or _clean(_xpath_text(tree, "//h1"))
    answer["author"] = _author(article_ld, meta, tree, traf)
    answer["published_at"] = _published(article_ld, meta, tree, traf, warnings)
    answer["lang"] = _html_lang(tree, meta)

    product, product_kind = _product(structured, tree, meta, answer, warnings, url)
    items, priced = _listing_signals(tree, structured)

    # page type ---------------------------------------------------------------------------
    ld_types = {t for item in structured for t in _types(item)}
    if product_kind == "list" or "ItemList" in ld_types and product is None and items >= 2:
        page_type = "listing"
    elif product is not None:
        page_type = "product"
    elif items >= 4 and (len(body) < 600 or priced >= 3) and not article_ld:
        page_type = "listing"
    elif ld_types & {"SocialMediaPosting", "DiscussionForumPosting"}:
        page_type = "post"
    elif body:
        page_type = "article"
    else:
        page_type = "other"

    if page_type == "product" and product is not None:
        answer["product"] = product
        if product.get("name") and not answer["title"]:
            answer["title"] = product["name"]
        if not body:  # a bare product page: its description, else its name, stands for the text
            body = (_clean(_ld_str(_first_of_type(structured, {"Product"}), "description"))
                    or _clean(product.get("name")) or "")
    if page_type in ("article", "post") and body and not js_only:
        # trafilatura takes the lead (standfirst, teaser) for boilerplate; put it back in front of the body
        lead = find_lead(tree, body, meta.get("og:description") or meta.get("description"))
        if lead:
            body = f"{lead}\n{body}"
    answer["page_type"] = page_type
    answer["text"] = body

    if not body and page_type in ("article", "other"):
        if js_only:
            warnings.append("text: JavaScript-only page (app shell or <noscript>); no server-rendered text")
        else:
            warnings.append("text: no main text found")
    if answer["lang"] is None:
        answer["lang"] = _detect_lang(body or answer["title"] or "")
