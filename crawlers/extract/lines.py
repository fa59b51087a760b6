"""Which lines of a page are its main text: features of candidate lines for the learned line classifier.

The article text is trafilatura's (``article.main_text``); other engines keep lines it drops and drop
lines it keeps. Rules over their agreement did not beat trafilatura (docs/benchmarks.md), so a small
model decides instead, web2text-style: every candidate line (trafilatura's, and the other engines'
lines it lacks) gets features of its text (length, punctuation, stop words, boilerplate patterns), of
the engines that hold it, of its neighbours and of the DOM block it sits in (tag, link density, names
of its ancestors), and ``crawlers.extract.line_model`` scores it. The features are the only contract
between the trainer (``pipeline/evals/train_article_lines.py``) and the runtime: both call
``candidate_lines`` and ``features`` here.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import lxml.html

from crawlers.extract.article import _BOILERPLATE_LINE, _CREDIT_LINE, _NEWSLETTER_LINE
from crawlers.extract.vote import Shingles

_WORD = re.compile(r"\w+")
_DATEISH = re.compile(r"\b(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}:\d{2})\b")
_SEPARATORS = re.compile(r"[|»›•·→]")
# Names of containers that hold page furniture rather than the article (class/id words).
_FURNITURE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|footer|header|sidebar|side|widget|breadcrumbs?|share|sharing|social|"
    r"related|recommended|teaser|promo|ad|ads|advert|banner|cookie|newsletter|subscribe|comments?|reply|"
    r"tags?|categor(?:y|ies)|meta|byline|author|date|caption|credit|copyright|legal|pagination|pager)"
    r"(?:$|[\s_-])", re.IGNORECASE)
_CONTENT_NAME = re.compile(r"(?:^|[\s_-])(?:article|content|entry|post|story|body|text|main)(?:$|[\s_-])",
                           re.IGNORECASE)
# Leaf-level blocks only (a container's text is its blocks' text): reading every container's text would
# cost time quadratic in the page's depth.
_BLOCK_TAGS = frozenset("p li h1 h2 h3 h4 h5 h6 td th dd dt blockquote pre figcaption caption a address".split())
_LEAF_DIV_TAGS = frozenset(("div", "span", "section"))
_CONTAINER_CHILDREN = frozenset("p div li ul ol table section article h1 h2 h3 h4 h5 h6 blockquote pre".split())
_OUTSIDE_TAGS = frozenset(("nav", "header", "footer", "aside", "form"))
_TAG_GROUPS = {"p": 0, "li": 1, "h1": 2, "h2": 2, "h3": 2, "h4": 2, "h5": 2, "h6": 2, "td": 3, "th": 3,
               "div": 4, "a": 5, "span": 5}
_MAX_BLOCK_CHARS = 5000


@functools.cache
def _stopwords() -> frozenset[str]:
    """Every language's stop words at once (the page's language is not known here); from justext's lists."""
    try:
        import justext
    except ImportError:  # the feature is then 0 everywhere, in training as at run time
        return frozenset()
    return frozenset().union(*(justext.get_stoplist(lang) for lang in justext.get_stoplists()))


@dataclass(frozen=True)
class Block:
    """What the DOM says about the block a line sits in."""

    tag_group: int  # _TAG_GROUPS, 6 for any other tag
    link_density: float  # share of the block's characters inside <a>
    depth: int
    furniture: int  # ancestors (and itself) named like page furniture
    content: int  # ancestors named like article content, or <article>/<main>/articleBody
    outside: int  # an ancestor is <nav>/<header>/<footer>/<aside>/<form>
    in_figure: int


_NO_BLOCK = Block(-1, -1.0, -1, -1, -1, -1, -1)


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


class BlockIndex:
    """The normalised text of every block-level element of the body -> its ``Block`` (innermost wins),
    and the same by the block's first six words, for lines an engine cut or joined differently.
    A block's ancestors are read only when a line asks for it: most blocks of a page are never asked."""

    def __init__(self, tree: lxml.html.HtmlElement | None) -> None:
        self.exact: dict[str, tuple[lxml.html.HtmlElement, str]] = {}
        self.prefix: dict[str, str] = {}  # first six words -> the text of the shortest block starting so
        self._blocks: dict[str, Block] = {}
        body = tree.find("body") if tree is not None else None
        if body is None:
            return
        for el in body.iter():
            tag = el.tag if isinstance(el.tag, str) else ""
            if tag not in _BLOCK_TAGS and not (tag in _LEAF_DIV_TAGS and
                                               not any(child.tag in _CONTAINER_CHILDREN for child in el)):
                continue
            text = _norm(el.text_content())
            if not text or len(text) > _MAX_BLOCK_CHARS or text in self.exact:
                continue
            self.exact[text] = (el, tag)
        for text in sorted(self.exact, key=len):  # shortest (innermost) first
            self.prefix.setdefault(" ".join(text.split()[:6]), text)

    def of(self, line: str) -> Block:
        key = _norm(line)
        if key not in self.exact:
            key = self.prefix.get(" ".join(key.split()[:6]), "")
            if not key:
                return _NO_BLOCK
        found = self._blocks.get(key)
        if found is None:
            el, tag = self.exact[key]
            found = self._blocks[key] = _block(el, tag, key)
        return found


def _block(el: lxml.html.HtmlElement, tag: str, text: str) -> Block:
    links = sum(len(_norm(a.text_content())) for a in el.iter("a")) if tag != "a" else len(text)
    furniture = content = outside = figure = depth = 0
    for node in [el, *el.iterancestors()]:
        depth += 1
        name = f"{node.get('class', '')} {node.get('id', '')}"
        furniture += bool(_FURNITURE.search(name))
        content += bool(_CONTENT_NAME.search(name)) or node.tag in ("article", "main") or \
            node.get("itemprop") == "articleBody"
        outside |= node.tag in _OUTSIDE_TAGS
        figure |= node.tag in ("figure", "figcaption")
    return Block(_TAG_GROUPS.get(tag, 6), min(links / len(text), 1.0), depth, furniture, content, outside, figure)


@dataclass
class Candidate:
    text: str
    from_base: bool  # a line of trafilatura's text (else another engine's that it lacks)
    source: str  # "base" or the engine that proposed it
    index: int  # position in the source's lines
    of: int  # number of lines of the source


def candidate_lines(base: str, others: Mapping[str, str]) -> list[Candidate]:
    """The base text's lines, then each other engine's lines that neither the base nor an earlier
    candidate holds (engines in the order given)."""
    lines = [ln for ln in base.split("\n") if ln.strip()]
    out = [Candidate(ln, True, "base", i, len(lines)) for i, ln in enumerate(lines)]
    have = Shingles(base)
    added: list[str] = []
    for name, text in others.items():
        extra = [ln for ln in text.split("\n") if ln.strip()]
        added_sh = Shingles("\n".join(added))
        for i, ln in enumerate(extra):
            if have.holds(ln) or (added and added_sh.holds(ln)):
                continue
            out.append(Candidate(ln, False, name, i, len(extra)))
            added.append(ln)
    return out


def features(cands: Sequence[Candidate], base: str, others: Mapping[str, str], voters: Sequence[str],
             blocks: BlockIndex) -> list[list[float]]:
    """One row of numbers per candidate, in ``feature_names(voters)`` order. ``voters`` fixes which engines'
    agreement columns exist (the same list in training and at run time; a missing engine text counts as empty)."""
    stop = _stopwords()
    shingles = {v: Shingles(others.get(v, "")) for v in voters}
    base_len = len(base)
    other_lens = [len(others.get(v, "")) for v in voters]
    med = sorted(other_lens)[len(other_lens) // 2] if other_lens else 0
    ratio = math.log((base_len + 50) / (med + 50))
    n_base = sum(c.from_base for c in cands)
    held_rows = [[float(shingles[v].holds(c.text)) for v in voters] for c in cands]
    rows = []
    for k, c in enumerate(cands):
        text = " ".join(c.text.split())
        words = _WORD.findall(text)
        n_words = len(words)
        lower = [w.lower() for w in words]
        letters = sum(map(str.isalpha, text)) or 1
        held = held_rows[k]
        prev_held = sum(held_rows[k - 1]) if k > 0 and cands[k - 1].source == c.source else -1.0
        next_held = sum(held_rows[k + 1]) if k + 1 < len(cands) and cands[k + 1].source == c.source else -1.0
        blk = blocks.of(text)
        rows.append([
            float(c.from_base), *held, sum(held),
            math.log1p(len(text)), float(n_words),
            sum(map(text.count, ".,;:!?")) / max(n_words, 1),
            float(text[-1:] in ".!?\"'”»)"),
            sum(map(str.isdigit, text)) / max(len(text), 1),
            sum(w[:1].isupper() for w in words) / max(n_words, 1),
            sum(map(stop.__contains__, lower)) / max(n_words, 1),
            sum(map(str.isupper, text)) / letters,
            c.index / max(c.of, 1), float(c.index), float(c.of - 1 - c.index),
            float(bool(_BOILERPLATE_LINE.search(text))), float(bool(_CREDIT_LINE.search(text))),
            float(bool(_NEWSLETTER_LINE.search(text))), float(bool(_DATEISH.search(text))),
            float(bool(_SEPARATORS.search(text))),
            ratio, math.log1p(base_len), float(n_base), prev_held, next_held,
            float(blk.tag_group), blk.link_density, float(blk.depth), float(blk.furniture), float(blk.content),
            float(blk.outside), float(blk.in_figure),
        ])
    return rows


def feature_names(voters: Sequence[str]) -> list[str]:
    return ["from_base", *(f"held_{v}" for v in voters), "n_held", "log_chars", "words", "punct_per_word",
            "ends_sentence", "digit_share", "capitalised_share", "stopword_share", "upper_share", "rel_pos",
            "index", "index_from_end", "boilerplate_re", "credit_re", "newsletter_re", "dateish", "separators",
            "base_vs_median", "log_base_chars", "base_lines", "prev_held", "next_held", "tag_group",
            "link_density", "depth", "furniture", "content_named", "outside", "in_figure"]
