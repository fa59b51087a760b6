"""Forum threads and other pages of posts: recognise them, and read each post (author, date, text).

A thread is a run of similar boxes, each a post with its author and usually a date: that structure,
not a site's name, is what is looked for. Schema.org ``DiscussionForumPosting``/``QAPage`` and the
generator of the common forum engines say so directly. On such a page the replies are the content,
so the main-text extractor must keep what it would drop as comments on an article.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import lxml.html

from crawlers.extract.metadata import normalize_date

FORUM_LD_TYPES = frozenset({"DiscussionForumPosting", "SocialMediaPosting", "QAPage"})
_ARTICLE_LD_TYPES = frozenset({"NewsArticle", "Article", "BlogPosting", "ReportageNews", "AnalysisNewsArticle",
                               "OpinionNewsArticle", "TechArticle", "Report", "ScholarlyArticle"})
_FORUM_ENGINES = re.compile(r"vbulletin|phpbb|discourse|xenforo|invision|mybb|simple machines|smf|nodebb|"
                            r"vanilla|flarum|fluxbb|punbb|woltlab|burning board|phorum|lithium|khoros",
                            re.IGNORECASE)
_POST_BOX = re.compile(r"(?:^|[\s_-])(?:post|message|reply|answer|comment|topic-?post|postbody|post-?\d+|"
                       r"messagelist-?item|forum-?post|thread-?item)(?:$|[\s_-])", re.IGNORECASE)
_AUTHOR = re.compile(r"author|user-?name|username|poster|member|nick|byline|creator", re.IGNORECASE)
_BODY = re.compile(r"content|body|message-?text|post-?text|entry|cooked|bbwrapper|postbody|text", re.IGNORECASE)
_MIN_POSTS = 2
_MAX_POSTS = 200


def _marker(el: lxml.html.HtmlElement) -> str:
    return f"{el.get('class', '')} {el.get('id', '')} {el.get('itemtype', '')}"


def post_boxes(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The repeated boxes of one thread: same tag and class, named like posts, each with an author."""
    groups: Counter[tuple[str, str]] = Counter()
    boxes: dict[tuple[str, str], list[lxml.html.HtmlElement]] = {}
    for el in tree.iter("article", "div", "li", "section", "table", "tr"):
        marker = _marker(el)
        if not _POST_BOX.search(marker) and "Comment" not in marker and "Posting" not in marker:
            continue
        if _author_of(el) is None or len(" ".join(el.text_content().split())) < 20:
            continue
        key = (el.tag, re.sub(r"\d+", "", el.get("class", "")).strip())
        groups[key] += 1
        boxes.setdefault(key, []).append(el)
    if not groups:
        return []
    key, count = groups.most_common(1)[0]
    if count < _MIN_POSTS:
        return []
    found = boxes[key]
    # A post box inside another of the same group is its quote or its reply: keep the outer ones.
    found_ids = {id(b) for b in found}
    outer = [b for b in found if not any(id(a) in found_ids for a in b.iterancestors())]
    return outer[:_MAX_POSTS]


def _author_of(box: lxml.html.HtmlElement) -> str | None:
    for el in box.iter():
        if not isinstance(el.tag, str):
            continue
        if el.get("itemprop") == "author" or el.get("rel") == "author" or _AUTHOR.search(el.get("class", "")):
            name = " ".join(el.text_content().split())
            if 1 < len(name) <= 60:
                return name
    return None


def looks_like_forum(tree: lxml.html.HtmlElement, ld_types: set[str], meta: dict[str, str]) -> bool:
    if ld_types & FORUM_LD_TYPES:
        return True
    if _FORUM_ENGINES.search(meta.get("generator", "")):
        return True
    if ld_types & _ARTICLE_LD_TYPES or meta.get("og:type", "").lower() == "article":
        return False  # the publisher calls it an article: boxes of posts under it are its comments
    boxes = post_boxes(tree)
    if len(boxes) < _MIN_POSTS:
        return False
    # Comments under an article are posts too, but there the article's own paragraphs outweigh them.
    box_ids = {id(b) for b in boxes}
    inside = outside = 0
    for p in tree.iter("p"):
        size = len(" ".join(p.text_content().split()))
        if size < 80:
            continue
        if any(id(a) in box_ids for a in p.iterancestors()):
            inside += size
        else:
            outside += size
    return inside >= outside


def read_posts(tree: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    """Each post of the thread in page order: ``{"author", "published_at", "text"}``."""
    posts = []
    for box in post_boxes(tree):
        author = _author_of(box)
        published = None
        for raw in box.xpath(".//time/@datetime | .//*[@itemprop='datePublished']/@content"):
            published, _warning = normalize_date(str(raw))
            if published:
                break
        body = next((el for el in box.iter() if isinstance(el.tag, str) and el is not box
                     and _BODY.search(el.get("class", "")) and not _AUTHOR.search(el.get("class", ""))
                     and len(" ".join(el.text_content().split())) >= 2), box)
        text = "\n".join(line for line in (" ".join(t.split()) for t in body.itertext()) if line)
        if body is box and author:
            text = text.replace(author, "", 1).strip()
        if text:
            posts.append({"author": author, "published_at": published, "text": text})
    return posts
