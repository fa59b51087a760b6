"""One page in, one ``extract`` answer out: page type, title, body text, byline, date, language, product.

``extract_page`` follows the ``extract`` contract of CONTRACTS.md (minus ``id``). It never raises:
a bad page (empty, binary, not HTML, JavaScript-only, undecodable) gives the best it can plus
``warnings``, each starting with a short class (``input:``, ``encoding:``, ``text:``, ``date:``,
``product:``, ``lang:``) so that callers can count them.

Order of evidence: structured data first (JSON-LD, microdata, RDFa, OpenGraph via extruct), then
trafilatura for the main text and its metadata, then plain-HTML heuristics.
"""

from __future__ import annotations

import email.utils
import functools
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from crawlers.lead import find_lead
from crawlers.urls import canonicalize_url

EXTRACTOR_NAME = "newswatch.extract"
EXTRACTOR_VERSION = "0.2.0"

PAGE_TYPES = ("article", "product", "post", "listing", "feed", "other")
AVAILABILITY = {
    "instock": "InStock",
    "instoreonly": "InStock",
    "onlineonly": "InStock",
    "limitedavailability": "InStock",
    "outofstock": "OutOfStock",
    "soldout": "OutOfStock",
    "discontinued": "OutOfStock",
    "preorder": "PreOrder",
    "presale": "PreOrder",
}
# Unambiguous currency symbols and words; "¥" depends on the page's language (CNY or JPY).
CURRENCY_SYMBOLS = {
    "US$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "￥": "CNY", "元": "CNY", "RMB": "CNY",
    "CN¥": "CNY", "CNY": "CNY", "₹": "INR", "₩": "KRW", "₽": "RUB", "C$": "CAD", "CA$": "CAD",
    "A$": "AUD", "AU$": "AUD", "HK$": "HKD", "NT$": "TWD", "R$": "BRL", "CHF": "CHF", "zł": "PLN",
    "kr": "SEK", "円": "JPY", "₺": "TRY", "₫": "VND", "฿": "THB", "₱": "PHP",
}
_ISO_CURRENCY = re.compile(
    r"\b(USD|EUR|GBP|CNY|RMB|JPY|KRW|INR|CAD|AUD|HKD|TWD|CHF|SEK|NOK|DKK|PLN|BRL|RUB|MXN)\b"
)
_VISIBLE_PRICE = re.compile(
    r"(?:US\$|HK\$|NT\$|CA\$|AU\$|CN¥|R\$|[$€£¥￥₹₩₽])\s?\d[\d,.\s]*\d"
    r"|\d{1,3}(?:[\s\u00a0.,]\d{3})+(?:[.,]\d{1,2})?\s?(?:元|€|円|zł)|\d[\d,.]*\s?(?:元|€|円|zł)"
)
_CART_SIGNALS = re.compile(
    r"add to (?:cart|basket|bag)|buy now|in den warenkorb|ajouter au panier"
    r"|加入购物车|立即购买|カートに入れる",
    re.IGNORECASE,
)
_CARD_CLASS = re.compile(r"(product|item|card|tile|teaser|story|post|entry|result)", re.IGNORECASE)
_NOISE_TAGS = ("script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside")
_WESTERN_PUNCT = "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u20ac\u00a0\u00b7\u00ab\u00bb\u00a3\u00b0"
_WALL_RE = re.compile(r"(?:^|[\s_-])(?:paywall|pay-wall|regwall|reg-wall|subscribe-(?:box|prompt|wall)|"
                      r"subscription-(?:wall|prompt)|login-wall|piano-(?:container|offer)|tp-container|"
                      r"meter-(?:wall|prompt))(?:$|[\s_-])|^paywall|paywall$", re.IGNORECASE)
_RDFA_HINT = re.compile(r"\s(?:typeof|vocab)\s*=", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-:.]+)", re.IGNORECASE)


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


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, list[str]]:
    """Decode HTML bytes: BOM, then HTTP header, then ``<meta charset>``, then detection."""
    from w3lib.encoding import html_body_declared_encoding, html_to_unicode, read_bom

    warnings: list[str] = []
    if read_bom(data)[0] is not None:
        return html_to_unicode(content_type, data)[1], warnings
    declared = html_body_declared_encoding(data)
    if declared is None and content_type and "charset" in content_type.lower():
        declared = content_type.lower().split("charset", 1)[1].strip(" =\"';")
    if declared:
        enc, text = html_to_unicode(content_type, data, default_encoding="utf-8")
        if "\ufffd" not in text or _strict_decodes(data, enc):
            return text, warnings
        detected = detect_encoding(data)
        if detected and detected.replace("-", "").lower() != enc.replace("-", "").lower():
            warnings.append(
                f"encoding: page declares {declared} but its bytes are not; decoded as {detected}"
            )
            return data.decode(detected, errors="replace"), warnings
        warnings.append(f"encoding: bytes do not match the declared {declared}; undecodable bytes replaced")
        return text, warnings
    detected = detect_encoding(data) or "utf-8"
    if detected != "utf-8":
        warnings.append(f"encoding: no charset declared; detected {detected}")
    return data.decode(detected, errors="replace"), warnings


def _strict_decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_encoding(data: bytes) -> str | None:
    """Best guess at the encoding of undeclared bytes: UTF-8 if valid, else the likeliest legacy codec."""
    if _strict_decodes(data, "utf-8"):
        return "utf-8"
    # Candidates that cover most undeclared legacy pages; score each by how plausible its text is.
    best: tuple[float, str] | None = None
    for enc in ("gb18030", "big5", "shift_jis", "euc-kr", "cp1252", "cp1251", "iso-8859-2"):
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        score = _plausibility(text)
        if best is None or score > best[0]:
            best = (score, enc)
    if best is not None:
        return best[1]
    try:
        from charset_normalizer import from_bytes

        match = from_bytes(data).best()
        return match.encoding if match is not None else None
    except Exception:
        return None


def _plausibility(text: str) -> float:
    """Higher for text whose non-ASCII characters look like one real script."""
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return 0.0
    common_cjk = sum(1 for c in non_ascii if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f"
                     or "\uff00" <= c <= "\uffef")
    kana = sum(1 for c in non_ascii if "\u3040" <= c <= "\u30ff")
    hangul = sum(1 for c in non_ascii if "\uac00" <= c <= "\ud7af")
    latin = sum(1 for c in non_ascii if "\u00c0" <= c <= "\u017f" or c in _WESTERN_PUNCT)
    cyr = sum(1 for c in non_ascii if "\u0400" <= c <= "\u04ff")
    # CJK codecs decode as double-byte pairs: each character stands for two bytes, so a text that
    # is really Latin-1 rarely decodes into frequent hanzi; Latin letters next to ASCII letters are
    # the signal for single-byte codecs.
    cjk_score = (common_cjk + kana + hangul) / len(non_ascii)
    latin_score = (latin + cyr) / len(non_ascii)
    # A Latin letter glued to ASCII letters ("caf\xe9", "na\xefve") is the usual case in Western text.
    glued = len(re.findall(r"[A-Za-z][\u00c0-\u017f]|[\u00c0-\u017f][A-Za-z]", text))
    latin_score += min(glued / max(len(non_ascii), 1), 1.0) * 0.5
    # Rare CJK (extension blocks) and private-use code points are a sign of a wrong CJK guess.
    odd = sum(1 for c in non_ascii if "\ue000" <= c <= "\uf8ff" or "\u3400" <= c <= "\u4dbf"
              or "\u0080" <= c <= "\u009f")
    return max(cjk_score, latin_score) - odd / len(non_ascii)


def looks_binary(data: bytes) -> bool:
    """True for bytes that are no text at all (images, archives, random data), whatever the header said."""
    return _looks_binary(data)


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    if not head:
        return False
    if head.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")):
        return True
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 BOM: text with NULs
        return False
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control / len(head) > 0.05


def _kind_of_text(text: str) -> str:
    """``feed``, ``json``, ``html`` or ``text`` for decoded input."""
    head = text.lstrip("\ufeff \t\r\n")[:2048].lower()
    if re.match(r"(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|rdf:rdf)\b", head, re.DOTALL):
        return "feed"
    if head.startswith(("{", "[")):
        try:
            json.loads(text)
            return "json"
        except ValueError:
            pass
    if re.search(r"<(html|head|body|p|div|article|title|meta|span|h1|main|section|!doctype)\b", head):
        return "html"
    if "<" in head and ">" in head:
        return "html"
    return "text"


# --------------------------------------------------------------------------------------------
# the extraction proper


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


def _extract_feed(answer: dict[str, Any], text: str) -> None:
    import feedparser

    parsed = feedparser.parse(text)
    feed = parsed.get("feed", {})
    answer["page_type"] = "feed"
    answer["title"] = _clean(feed.get("title"))
    titles = [_clean(e.get("title")) for e in parsed.get("entries", [])]
    answer["text"] = "\n".join(t for t in titles if t)
    lang = feed.get("language")
    answer["lang"] = _lang_code(lang) if lang else _detect_lang(answer["text"])
    link = feed.get("link")
    if link and not answer["canonical_url"]:
        answer["canonical_url"] = canonicalize_url(link)
    if parsed.get("bozo"):
        answer["warnings"].append(f"parse: feed is not well-formed ({parsed.get('bozo_exception')})")
    answer["warnings"].append("input: a feed, not a page; text lists its entry titles")


_BOILERPLATE_LINE = re.compile(
    r"^\W*(?:"
    # "read also" links set inside the article, in the languages we meet most
    r"(?:lea|lee|léase|lire|à lire|voir|read|see|also read|leggi|lesen sie|czytaj|leia|veja|zie ook|les også|läs)"
    r"\s+(?:también|tambien|más|mas|aussi|also|more|anche|auch|też|także|również|mais|também|ook|også|mer)\b"
    r"|(?:le|te) puede interesar|related(?: articles?| stories| posts)?\s*:|mehr zum thema|"
    r"das (?:thema|könnte) .{0,40}interessieren|auch interessant|weitere (?:beiträge|artikel|meldungen|tipps)|"
    r"vorschau auf den nächsten artikel|(?:next|previous) (?:article|story|post)\b|"
    # comments, ads, paywall and newsletter prompts
    r"keine kommentare|no comments(?: yet)?\b|\d+\s+(?:comments?|kommentare|commentaires)\b|leave a (?:comment|reply)|"
    r"anzeige\b|advertisement\b|publicidad\b|werbung\b|sponsored\b|"
    r"pour (?:lire la suite|accéder)|to continue reading|subscribe to (?:read|continue)|"
    r"(?:kategorie|category|categories|tags?|schlagwörter|quellenangaben|release date)\s*:\s*\S{0,30}\s*$|"
    r"\(?alle angaben ohne gewähr\)?\s*$"
    r")",
    re.IGNORECASE,
)
# Short lines under or after the article that are never its text: picture credits and sources, copyright,
# share / "loading" widgets, "read more" and "recommended" links, login prompts.
_CREDIT_LINE = re.compile(
    r"^\W*(?:photo|photos|foto|fotos|bild|bilder|titelbild|image|images|picture|crédits? photos?|credits?|"
    r"source|sources|quelle|quellen|źródło|fuente|fonte|zdjęcie|fot\.)\s*:"
    r"|^\W*(?:©|\(c\)\s|copyright\b)|all rights reserved|alle rechte vorbehalten|tous droits réservés"
    r"|todos los derechos reservados|wszelkie prawa zastrzeżone|materiał chroniony prawem"
    r"|^\W*(?:share(?: this)?(?: article| post| story)?|teilen(?: mit)?|artikel teilen|partager|compartir|condividi"
    r"|udostępnij|podziel się|loading|wird geladen|chargement|cargando|ładowanie"
    r"|read more|mehr erfahren|weiterlesen|mehr lesen|lire la suite|leer más|leggi tutto|czytaj dalej"
    r"|dowiedz się więcej|view comments|show comments|kommentare anzeigen|bild anzeigen"
    r"|recommended|empfohlene beiträge|weitere themen|das könnte sie auch interessieren|you may also like"
    r"|you might also like|related posts|ähnliche beiträge|zobacz też|zobacz także|czytaj też|czytaj także"
    r"|polecamy)\W*$"
    r"|^\W*(?:sie sind (?:aktuell )?nicht eingeloggt|you are not logged in|log ?in to|anmelden|zaloguj się)",
    re.IGNORECASE,
)
_NEWSLETTER_LINE = re.compile(r"newsletter|sign up|subscribe|abonnier|abonnez|registrier|subskrypc|suscríb|iscriviti",
                              re.IGNORECASE)


def drop_boilerplate_lines(text: str) -> str:
    """Main text without the lines extractors are known to keep: in-article "read also" links, comment
    counters, ad labels, paywall and newsletter prompts (short lines only: a paragraph that merely
    mentions a newsletter stays)."""
    if not text:
        return text
    kept = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped and len(stripped) < 200 and _BOILERPLATE_LINE.search(stripped):
            continue
        if stripped and len(stripped) < 160 and _NEWSLETTER_LINE.search(stripped):
            continue
        if stripped and len(stripped) < 120 and _CREDIT_LINE.search(" ".join(stripped.split())):
            continue
        kept.append(line)
    out = "\n".join(kept).strip()
    return out or text


def _without_walls(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A copy of ``tree`` without paywall / login prompts, which trafilatura takes for article text."""
    import copy

    def is_wall(el: lxml.html.HtmlElement) -> bool:
        # A prompt is short; a long element named "paywall" is the container of the article itself.
        return bool(_WALL_RE.search(f"{el.get('class', '')} {el.get('id', '')}")) and \
            len(" ".join(el.text_content().split())) < 600

    if not any(is_wall(el) for el in tree.xpath("//*[@class or @id]")):
        return tree
    clone = copy.deepcopy(tree)
    for el in clone.xpath("//*[@class or @id]"):
        if el.getparent() is not None and is_wall(el):
            el.drop_tree()
    return clone


def _trafilatura(text: str | lxml.html.HtmlElement, url: str | None, warnings: list[str]) -> dict[str, Any]:
    import trafilatura

    try:
        result = trafilatura.bare_extraction(
            text, url=url, with_metadata=True, include_comments=False, include_tables=True,
        )
    except Exception as exc:
        warnings.append(f"text: trafilatura failed ({type(exc).__name__})")
        return {}
    if result is None:
        return {}
    if not isinstance(result, dict):
        result = result.as_dict() if hasattr(result, "as_dict") else {}
    return result


def _fallback_text(tree: lxml.html.HtmlElement) -> str:
    """Paragraph text of ``<article>``/``<main>``/``<body>`` without navigation and scripts."""
    for xp in ("//article", "//main", "//*[@role='main']", "//body"):
        nodes = tree.xpath(xp)
        if not nodes:
            continue
        node = _strip_noise(nodes[0])
        elements = node.xpath(".//p|.//li|.//h2|.//h3|.//blockquote")
        blocks = [" ".join(el.text_content().split()) for el in elements]
        blocks = [b for b in blocks if b]
        text = "\n".join(blocks) if blocks else " ".join(node.text_content().split())
        if text:
            return text
    return ""


def _strip_noise(node: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    node = lxml.html.fromstring(lxml.html.tostring(node))
    for el in node.xpath("|".join(f".//{t}" for t in _NOISE_TAGS)):
        el.drop_tree()
    return node


@functools.lru_cache(maxsize=4)
def _visible_text(tree: lxml.html.HtmlElement) -> str:
    """The body's text without scripts, navigation and forms (computed once per page: it is costly)."""
    body = tree.find("body")
    return " ".join(_strip_noise(body).text_content().split()) if body is not None else ""


def _js_only(tree: lxml.html.HtmlElement) -> bool:
    body = tree.find("body")
    if body is None:
        return bool(tree.xpath("//script"))
    # Only code is taken out here: a page whose text sits in <header>/<nav> is still server-rendered, and the
    # whole tree is read because broken markup can push the body's text into <head>.
    shown = " ".join(str(t) for t in tree.xpath("//text()[not(ancestor::script or ancestor::style or "
                                                "ancestor::noscript or ancestor::template or ancestor::title)]"))
    visible = " ".join(shown.split())
    has_app = bool(tree.xpath("//script|//noscript|//*[@id='root' or @id='app' or @id='__next']"))
    return has_app and len(visible) < 80


# --------------------------------------------------------------------------------------------
# metadata


def _meta_tags(tree: lxml.html.HtmlElement) -> dict[str, str]:
    out: dict[str, str] = {}
    for el in tree.xpath("//meta[@content]"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or ""
        key = key.strip()
        if key and key.lower() not in out:
            out[key.lower()] = el.get("content", "").strip()
    return out


def _canonical(tree: lxml.html.HtmlElement, meta: dict[str, str], base: str | None) -> str | None:
    for href in tree.xpath("//link[translate(@rel, 'CANONICAL', 'canonical')='canonical']/@href"):
        href = str(href).strip()
        if href:
            return canonicalize_url(href, base)
    if meta.get("og:url"):
        return canonicalize_url(meta["og:url"], base)
    return canonicalize_url(base) if base else None


def _html_lang(tree: lxml.html.HtmlElement, meta: dict[str, str]) -> str | None:
    for value in (tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
                  meta.get("content-language"), meta.get("og:locale")):
        code = _lang_code(value)
        if code:
            return code
    return None


def _lang_code(value: str | None) -> str | None:
    if not value:
        return None
    code = re.split(r"[-_,;\s]", value.strip().lower())[0]
    return code if re.fullmatch(r"[a-z]{2}", code) else None


def _detect_lang(text: str) -> str | None:
    if len(re.findall(r"\w", text)) < 12:
        return None
    try:
        import py3langid

        code, _score = py3langid.classify(text[:5000])
    except Exception:
        return None
    return _lang_code(str(code))


def _author(ld: dict[str, Any] | None, meta: dict[str, str], tree: lxml.html.HtmlElement,
            traf: dict[str, Any]) -> str | None:
    if ld:
        names = [_strip_by(n) for n in (_name_of(a) for a in _as_list(ld.get("author"))) if n]
        if names:
            return ", ".join(names)
    for key in ("author", "article:author", "byl", "dc.creator", "parsely-author", "sailthru.author"):
        value = meta.get(key)
        if value and not value.startswith("http"):
            return _strip_by(value)
    for xp in ("//*[@rel='author']", "//*[@itemprop='author']", "//*[contains(@class, 'byline')]",
               "//*[contains(@class, 'author')]"):
        nodes = tree.xpath(xp)
        if nodes:
            text = _clean(nodes[0].text_content())
            if text and len(text) < 120:
                return _strip_by(text)
    traf_author = _clean(traf.get("author"))
    return _strip_by(traf_author) if traf_author else None


def _strip_by(value: str) -> str:
    return re.sub(r"^(by|von|par|por|文/|记者)\s*[:：]?\s*", "", value.strip(), flags=re.IGNORECASE).strip()


def _published(ld: dict[str, Any] | None, meta: dict[str, str], tree: lxml.html.HtmlElement,
               traf: dict[str, Any], warnings: list[str]) -> str | None:
    candidates: list[str] = []
    if ld:
        candidates += [str(v) for v in (ld.get("datePublished"), ld.get("dateCreated")) if v]
    for key in ("article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
                "date", "dc.date", "dc.date.issued", "dcterms.created", "sailthru.date", "parsely-pub-date"):
        if meta.get(key):
            candidates.append(meta[key])
    candidates += [str(v) for v in tree.xpath("//article//time/@datetime | //time[@itemprop='datePublished']"
                                              "/@datetime | //time[@pubdate]/@datetime | //time/@datetime")]
    if traf.get("date"):
        candidates.append(str(traf["date"]))
    for raw in candidates:
        value, warning = normalize_date(raw)
        if value:
            if warning:
                warnings.append(warning)
            return value
    if candidates:
        warnings.append(f"date: could not read a date from {candidates[0]!r}")
    return None


def normalize_date(raw: str) -> tuple[str | None, str | None]:
    """ISO date, or UTC ``...Z`` timestamp when the source gives a time with a zone.

    A time without a zone keeps only its date (the day is known, the instant is not), with a warning.
    """
    raw = raw.strip()
    if not raw:
        return None, None
    dt: datetime | None = None
    iso = raw.replace("Z", "+00:00").replace("z", "+00:00")
    iso = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", iso)  # +0800 -> +08:00
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return date.fromisoformat(raw).isoformat(), None
        dt = datetime.fromisoformat(iso)
    except ValueError:
        try:
            dt = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            dt = None
    if dt is None:
        m = re.match(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", raw)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3])).isoformat(), None
            except ValueError:
                return None, None
        return None, None
    if dt.tzinfo is None:
        if (dt.hour, dt.minute, dt.second) == (0, 0, 0) and "T" not in raw and ":" not in raw:
            return dt.date().isoformat(), None
        return dt.date().isoformat(), f"date: {raw!r} has a time but no time zone; kept the date only"
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), None


# --------------------------------------------------------------------------------------------
# structured data


def _structured_data(text: str, base: str | None, warnings: list[str]) -> list[dict[str, Any]]:
    """Top-level schema.org items from JSON-LD, microdata and RDFa (``@graph`` flattened)."""
    try:
        import extruct

        # RDFa is by far the slowest syntax (about half of all extraction time on real pages) and
        # rare on news and shop pages: only read it when the page has RDFa typing attributes.
        syntaxes = ["json-ld", "microdata"]
        if _RDFA_HINT.search(text):
            syntaxes.append("rdfa")
        if "application/ld+json" not in text and "itemscope" not in text and len(syntaxes) == 2:
            return []
        data = extruct.extract(text, base_url=base, syntaxes=syntaxes, uniform=True, errors="ignore")
    except Exception as exc:
        warnings.append(f"parse: structured data unreadable ({type(exc).__name__})")
        return []
    items: list[dict[str, Any]] = []
    for syntax in ("json-ld", "microdata", "rdfa"):
        for item in data.get(syntax) or []:
            if not isinstance(item, dict):
                continue
            graph = item.get("@graph")
            if isinstance(graph, list):
                items.extend(g for g in graph if isinstance(g, dict))
            if item.get("@type"):
                items.append(item)
    return items


def _types(item: Any) -> list[str]:
    if not isinstance(item, dict):
        return []
    return [str(t).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] for t in _as_list(item.get("@type"))]


def _first_of_type(items: list[dict[str, Any]], wanted: set[str]) -> dict[str, Any] | None:
    for item in items:
        if set(_types(item)) & wanted:
            return item
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _name_of(value: Any) -> str | None:
    if isinstance(value, dict):
        return _clean(value.get("name") or value.get("@value") or value.get("legalName"))
    if isinstance(value, list):
        return _name_of(value[0]) if value else None
    return _clean(value) if isinstance(value, str | int | float) else None


def _ld_str(item: dict[str, Any] | None, key: str) -> str | None:
    if not item:
        return None
    value = item.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _name_of(value)
    return str(value) if value is not None else None


# --------------------------------------------------------------------------------------------
# products


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
        _fill_from_page(merged, tree, meta, lang, url)
        return merged, "single"
    if offers_alone:
        offer = offers_alone[0]
        offered = offer.get("itemOffered")
        item: dict[str, Any] = offered if isinstance(offered, dict) else {}
        return _product_from_ld({**item, "offers": offer}, lang, warnings), "single"
    heuristic = _product_heuristic(tree, meta, lang, warnings)
    if heuristic:
        _fill_from_page(heuristic, tree, meta, lang, url)
    return (heuristic, "single") if heuristic else (None, "none")


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
    if product.get("price") is None:
        found = _visible_price(tree)
        if found is not None:
            amount = _parse_amount(found, product.get("currency"))
            if amount is not None:
                product["price"] = _format_amount(amount)
                product["currency"] = product.get("currency") or _currency_from_text(found, lang, [])
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
        priced = [o for o in offers if _parse_amount(o.get("price"), o.get("priceCurrency")) is not None]
        if priced:
            priced.sort(key=lambda o: _parse_amount(o.get("price"), o.get("priceCurrency")) or Decimal(0))
            warnings.append(f"product: {len(offers)} offers; took the lowest price")
            offers = priced
    if offers:
        offer = offers[0]
        amount = _parse_amount(offer.get("price"), offer.get("priceCurrency"))
        product["price"] = _format_amount(amount)
        currency = _clean(_ld_str(offer, "priceCurrency"))
        if currency:
            product["currency"] = currency.upper()
        elif offer.get("price") is not None:
            product["currency"] = _currency_from_text(str(offer.get("price")), lang, warnings)
        product["availability"] = _availability(_ld_str(offer, "availability"), warnings)
        product["seller"] = _name_of(offer.get("seller"))
        if not product["sku"]:
            product["sku"] = _clean(_ld_str(offer, "sku"))
    if product["price"] is None:
        warnings.append("product: no price in the structured data")
    return product


def _product_heuristic(tree: lxml.html.HtmlElement, meta: dict[str, str], lang: str | None,
                       warnings: list[str]) -> dict[str, Any] | None:
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
    if not price_raw:
        if not (cart or og_type.endswith("product")):
            return None
        price_raw = _visible_price(tree)
        if not price_raw:
            match = _VISIBLE_PRICE.search(visible)
            price_raw = match.group(0) if match else None
        source = "visible price"
    if not price_raw:
        return None
    amount = _parse_amount(price_raw, currency)
    if amount is None:
        return None
    if not currency:
        currency = _currency_from_text(price_raw, lang, warnings)
    warnings.append(f"product: no schema.org Product; price read from {source}")
    name = (_clean(meta.get("og:title")) or _clean(_xpath_text(tree, "//h1"))
            or _clean(_xpath_text(tree, "//title")))
    sku = None  # filled by _fill_from_page (itemprop, data-sku, visible "SKU: ...", the URL)
    brand = _clean(meta.get("product:brand") or _xpath_attr_or_text(tree, "//*[@itemprop='brand']"))
    seller_m = re.search(r"\bSold by\s*:?\s*([^.|\n]{2,60}?)(?:\s{2,}|[.|]|$)", visible)
    availability_raw = _xpath_attr(tree, "//*[@itemprop='availability']", ("href", "content")) or \
        meta.get("product:availability") or meta.get("og:availability")
    availability = (_availability(availability_raw, warnings) if availability_raw
                    else _availability_on_page(tree, visible))
    return {"name": name, "price": _format_amount(amount), "currency": currency.upper() if currency else None,
            "availability": availability, "sku": sku, "brand": brand,
            "seller": _clean(seller_m.group(1)) if seller_m else None}


def parse_price(text: str, currency_hint: str | None = None) -> Decimal | None:
    """The amount of a price string (``"1 299,00 €"`` -> 1299.00); None when there is none."""
    return _parse_amount(text, currency_hint)


_OLD_PRICE = re.compile(r"old|was|strike|before|regular|list-?price|rrp|save|saving|per-?unit|unit-?price|"
                        r"shipping|delivery|instal|monthly|crossed|original|compare", re.IGNORECASE)


def _visible_price(tree: lxml.html.HtmlElement) -> str | None:
    """The page's own price: ``itemprop=price``, then the first price-named element that is not an old,
    unit, shipping or instalment price (nor inside a list of other products)."""
    for el in tree.xpath("//*[@itemprop='price']"):
        raw = el.get("content") or " ".join(el.text_content().split())
        if raw and re.search(r"\d", raw):
            return str(raw)
    for el in tree.xpath("//*[contains(translate(@class, 'PRICE', 'price'), 'price') or "
                         "contains(translate(@id, 'PRICE', 'price'), 'price')]"):
        marker = f"{el.get('class', '')} {el.get('id', '')}"
        if _OLD_PRICE.search(marker) or el.tag in ("script", "style", "del", "s", "strike"):
            continue
        if el.xpath("ancestor::*[self::del or self::s or self::strike or self::nav or self::footer]"):
            continue
        if any(_OLD_PRICE.search(f"{a.get('class', '')} {a.get('id', '')}") or
               re.search(r"related|recommend|carousel|similar|also|upsell", f"{a.get('class', '')} {a.get('id', '')}",
                         re.IGNORECASE) for a in el.iterancestors() if a.tag != "body"):
            continue
        match = _VISIBLE_PRICE.search(" ".join(el.text_content().split()))
        if match:
            return match.group(0)
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


def _parse_amount(value: Any, currency_hint: Any = None) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    from price_parser import Price

    price = Price.fromstring(str(value), currency_hint=str(currency_hint) if currency_hint else None)
    return price.amount


def _format_amount(amount: Decimal | None) -> str | None:
    if amount is None:
        return None
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return format(amount.normalize(), "f")
    return format(amount.quantize(Decimal("0.01")), "f")


def _currency_from_text(text: str, lang: str | None, warnings: list[str]) -> str | None:
    iso = _ISO_CURRENCY.search(text.upper())
    if iso:
        return "CNY" if iso.group(1) == "RMB" else iso.group(1)
    for symbol in sorted(CURRENCY_SYMBOLS, key=len, reverse=True):
        if symbol in text:
            code = CURRENCY_SYMBOLS[symbol]
            if symbol == "$":
                warnings.append("product: currency inferred from the '$' sign as USD")
            return code
    if "¥" in text:
        if lang in ("zh", "ja"):
            return "CNY" if lang == "zh" else "JPY"
        warnings.append("product: '¥' could be CNY or JPY and the page language does not say; "
                        "currency unknown")
        return None
    warnings.append(f"product: no currency found in {text.strip()[:40]!r}")
    return None


def _availability(value: str | None, warnings: list[str]) -> str | None:
    if not value:
        return None
    key = value.strip().rstrip("/").rsplit("/", 1)[-1].lower().replace("_", "").replace(" ", "")
    mapped = AVAILABILITY.get(key)
    if mapped is None:
        warnings.append(f"product: availability {value!r} has no contract value; left null")
    return mapped


def _availability_on_page(tree: lxml.html.HtmlElement, visible: str) -> str | None:
    """Availability from elements named for it (``#availability``, ``.stock``), else from strong English phrases
    anywhere (words like "indisponible" are too common elsewhere on a page to be read page-wide)."""
    for el in tree.xpath("//*[contains(translate(@id, 'AVAILBTYSOCK', 'availbtysock'), 'availab') or "
                         "contains(translate(@class, 'AVAILBTYSOCK', 'availbtysock'), 'availab') or "
                         "contains(translate(@id, 'STOCK', 'stock'), 'stock') or "
                         "contains(translate(@class, 'STOCK', 'stock'), 'stock')]"):
        found = _availability_text(" ".join(el.text_content().split())[:300])
        if found:
            return found
    low = visible.lower()
    if re.search(r"out of stock|sold out|currently unavailable", low):
        return "OutOfStock"
    if re.search(r"\bin stock\b", low):
        return "InStock"
    return None


def _availability_text(visible: str) -> str | None:
    low = visible.lower()
    if re.search(r"out of stock|sold out|currently unavailable|rupture de stock|épuisé|indisponible|ausverkauft"
                 r"|nicht (?:auf lager|verfügbar)|agotado|esaurito|缺货|已售罄", low):
        return "OutOfStock"
    if re.search(r"pre-?order|précommande|vorbestell|预售", low):
        return "PreOrder"
    if re.search(r"\bin stock\b|\ben stock\b|auf lager|disponible|en existencia|有货|现货", low):
        return "InStock"
    return None


def _listing_signals(tree: lxml.html.HtmlElement, structured: list[dict[str, Any]]) -> tuple[int, int]:
    """(distinct links in product/article cards, number of price-like elements)."""
    hrefs: set[str] = set()
    for card in tree.xpath("//article | //li | //div | //section"):
        cls = f"{card.get('class', '')} {card.get('itemtype', '')}"
        if card.tag not in ("article",) and not _CARD_CLASS.search(cls):
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


# --------------------------------------------------------------------------------------------
# small helpers


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _xpath_text(tree: lxml.html.HtmlElement, xp: str) -> str | None:
    nodes = tree.xpath(xp)
    return nodes[0].text_content() if nodes else None


def _xpath_attr(tree: lxml.html.HtmlElement, xp: str, attrs: tuple[str, ...]) -> str | None:
    for node in tree.xpath(xp):
        for attr in attrs:
            if node.get(attr):
                return str(node.get(attr))
    return None


def _xpath_attr_or_text(tree: lxml.html.HtmlElement, xp: str) -> str | None:
    nodes = tree.xpath(xp)
    if not nodes:
        return None
    return nodes[0].get("content") or nodes[0].text_content()


def iter_text_blocks(html_fragment: str) -> Iterator[str]:
    """Plain-text paragraphs of an HTML fragment (``<p>``/``<br>`` become line breaks)."""
    if not html_fragment.strip():
        return
    try:
        node = lxml.html.fragment_fromstring(html_fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        yield " ".join(re.sub(r"<[^>]+>", " ", html_fragment).split())
        return
    for br in node.xpath(".//br"):
        br.tail = "\n" + (br.tail or "")
    for block in node.xpath(".//p|.//li|.//blockquote"):
        block.tail = "\n" + (block.tail or "")
    for line in node.text_content().split("\n"):
        line = " ".join(line.split())
        if line:
            yield line


def html_to_text(html_fragment: str) -> str:
    """Plain text of an HTML fragment such as a Mastodon status ``content``."""
    return "\n".join(iter_text_blocks(html_fragment))
