"""Small text and tree helpers shared by the extraction modules: whitespace, XPath reads, visible text."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import lxml.html
from lxml import etree

_NOISE_TAGS = ("script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside")


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
