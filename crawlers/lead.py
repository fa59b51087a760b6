"""The article's lead (standfirst, teaser, intro paragraph), which trafilatura often drops.

Sites set the lead apart from the body: in the article header, in an element named ``lead``/``intro``/
``teaser``/``summary``..., and usually repeat it as the page's meta description. Trafilatura takes such
blocks for boilerplate, so the extracted text starts with the second paragraph. ``find_lead`` finds the
lead from page structure alone (no per-site rules) and returns it when the body does not hold it yet:

1. a visible block in ``<body>`` whose text is the page's (og:)description;
2. else a block named like a lead that sits between the first ``<h1>`` and the body's first paragraph.
"""

from __future__ import annotations

import re

import lxml.html

_LEAD_NAME = re.compile(
    r"(?:^|[\s_-])(?:lead|lede|intro|teaser|summary|excerpt|standfirst|chapo|deck|abstract|short-info|sapo)"
    r"(?:$|[\s_-])",
    re.IGNORECASE,
)
# Blocks that are navigation, sidebars, forms or list items (teaser cards of other articles) are never the lead.
_OUTSIDE = ("nav", "aside", "footer", "form", "li", "script", "style", "noscript", "template")
_BLOCKS = ("p", "div", "section", "span", "header", "h2", "strong")
_MIN_LEAD, _MAX_LEAD = 40, 800


def _norm(text: str) -> str:
    return " ".join(text.split())


def _outside(el: lxml.html.HtmlElement) -> bool:
    return any(a.tag in _OUTSIDE for a in el.iterancestors()) or el.tag in _OUTSIDE


def _text_nodes(tree: lxml.html.HtmlElement) -> list[lxml.etree._ElementUnicodeResult]:
    body = tree.find("body")
    if body is None:
        return []
    return list(body.xpath(".//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]"))


def _holder(node: lxml.etree._ElementUnicodeResult) -> lxml.html.HtmlElement | None:
    """The element a text node belongs to (its parent, or for a tail the tail's parent)."""
    el = node.getparent()
    if el is None:
        return None
    return el if node.is_text else el.getparent()


def _by_description(nodes: list[lxml.etree._ElementUnicodeResult], description: str) -> str | None:
    desc = _norm(description)
    if len(desc) < _MIN_LEAD:
        return None
    head = re.sub(r"[.…\s]+$", "", desc)[:60]
    probe = head[:30]
    for node in nodes:
        if probe not in _norm(str(node)):
            continue
        el = _holder(node)
        while el is not None and el.tag != "body":
            text = _norm(el.text_content())
            if len(text) > len(desc) * 1.3:
                break
            if el.tag in _BLOCKS and (text == desc or head in text):
                return None if _outside(el) else text
            el = el.getparent()
        return None
    return None


def _by_name(tree: lxml.html.HtmlElement, nodes: list[lxml.etree._ElementUnicodeResult], body: str) -> str | None:
    h1 = tree.find(".//body//h1") if tree.find("body") is not None else None
    lines = [_norm(line) for line in body.split("\n") if len(_norm(line)) >= _MIN_LEAD]
    if h1 is None or not lines:
        return None
    probe = lines[0][:30]
    first = next((_holder(n) for n in nodes if probe in _norm(str(n))), None)
    if first is None:
        return None
    order = {el: i for i, el in enumerate(tree.iter())}
    lo, hi = order.get(h1), order.get(first)
    if lo is None or hi is None or hi <= lo:
        return None
    for el in tree.iter(*_BLOCKS):
        i = order.get(el, -1)
        if i <= lo:
            continue
        if i >= hi:
            break
        if not _LEAD_NAME.search(f"{el.get('class', '')} {el.get('id', '')}") or _outside(el):
            continue
        text = _norm(el.text_content())
        if _MIN_LEAD <= len(text) <= _MAX_LEAD:
            return text
    return None


def find_lead(tree: lxml.html.HtmlElement, body: str, description: str | None) -> str | None:
    """The page's lead when ``body`` (the extracted main text) lacks it, else None."""
    if not body:
        return None
    nodes = _text_nodes(tree)
    if not nodes:
        return None
    flat = _norm(body)
    lead = _by_description(nodes, description) if description else None
    if lead is None or lead in flat:
        lead = _by_name(tree, nodes, body)
    if lead is None or lead in flat:
        return None
    return lead
