"""Backend-neutral full-text pieces: tokens, CJK bigrams, safe query parsing, plain snippets.

Both stores must agree on what a "word" is, or a query that finds a document in SQLite would
miss it in PostgreSQL and highlights would point at the wrong characters. So the rules live
here once:

* Unsegmented scripts (Han, kana, Hangul, Thai, Lao, Khmer, Myanmar) have no spaces between
  words, so a run of them is indexed as overlapping character bigrams; every character starts
  one token (the last one of a run is a unigram), which lets a one-character query match as a
  prefix and a two-character name (``维创``, ``索尼``) match inside any longer run.
* Other scripts are split into words, lower-cased and stripped of diacritics (``é`` -> ``e``),
  which is what SQLite's ``unicode61 remove_diacritics 2`` does.
* User queries become these terms in :mod:`storage.query` and never reach ``MATCH`` / ``to_tsquery`` raw.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

# Scripts written without spaces between words (plus Hangul, whose words carry attached
# particles: 삼성전자가 must be found by 삼성). Katakana middle dot (U+30FB) is punctuation.
CJK_CHARS = (
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u1000-\u109f"  # Myanmar
    "\u1100-\u11ff"  # Hangul jamo
    "\u1780-\u17ff"  # Khmer
    "\u2e80-\u2fdf"  # CJK radicals
    "\u3005-\u3007"  # 々 〆 〇
    "\u3021-\u3029"  # Hangzhou numerals
    "\u3031-\u3035"  # kana repeat marks
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30fa\u30fc-\u30ff"  # Katakana
    "\u3100-\u312f"  # Bopomofo
    "\u3130-\u318f"  # Hangul compatibility jamo
    "\u31f0-\u31ff"  # Katakana extension
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # half-width Katakana
    "\U00020000-\U0003134f"  # CJK extensions B-H
)
CJK_RUN_RE = re.compile(f"[{CJK_CHARS}]+")
HAS_CJK_RE = re.compile(f"[{CJK_CHARS}]")
# A word: letters/digits (not underscore, not CJK) with any combining marks attached.
_WORD_RE = re.compile(f"(?:[^\\W_{CJK_CHARS}][\u0300-\u036f]*)+")
_TOKEN_RE = re.compile(f"(?P<cjk>[{CJK_CHARS}]+)|(?P<word>(?:[^\\W_{CJK_CHARS}][\u0300-\u036f]*)+)")

Token = tuple[int, int, str]
"""``(start, end, token)``: code-point offsets into the text and the folded token."""


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Lower-case and strip diacritics, so ``Élysée`` and ``elysee`` are one token."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def cjk_bigrams(run: str, offset: int = 0, query: bool = False) -> list[Token]:
    """Tokens of one run of unsegmented script.

    In a document every character starts a token: the bigram it opens, or itself when it ends
    the run. In a query a run of two or more characters becomes only its bigrams (a phrase),
    so ``维创`` matches the bigram ``维创`` wherever it sits in a longer run.
    """
    n = len(run)
    if n == 1:
        return [(offset, offset + 1, run)]
    out = [(offset + i, offset + i + 2, run[i : i + 2]) for i in range(n - 1)]
    if not query:
        out.append((offset + n - 1, offset + n, run[-1]))
    return out


def tokenize(text: str, query: bool = False) -> list[Token]:
    """Split ``text`` into folded word tokens and CJK bigrams, with code-point offsets."""
    out: list[Token] = []
    for m in _TOKEN_RE.finditer(text):
        if m.lastgroup == "cjk":
            out.extend(cjk_bigrams(m.group(), m.start(), query))
        else:
            out.append((m.start(), m.end(), fold(m.group())))
    return out


# --------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class Term:
    """One thing to look for: a word, a phrase, or a CJK run (a phrase of bigrams).

    ``text`` is what the user typed (the SQLite tokenizer re-tokenizes it identically);
    ``tokens`` are the folded query tokens, in order, that must appear adjacent.
    """

    text: str
    tokens: tuple[str, ...]
    prefix: bool = False


# Limits that keep one query cheap to run and to snippet on every backend (and within
# PostgreSQL's lexeme size): longer or larger queries are refused with a clear message.
MAX_QUERY_CHARS = 2000
MAX_QUERY_TERMS = 64
MAX_TERM_CHARS = 400


def _ts_lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


# PostgreSQL caps positions at 16383 and lexemes at 2 KB; longer texts are indexed up to there.
PG_MAX_POSITION = 16383
PG_FIELD_GAP = 256  # more than the longest NEAR distance plus the longest phrase
_PG_MAX_LEXEME_CHARS = 400


def tsvector(fields: Iterable[tuple[str | None, str]]) -> str:
    """A ``tsvector`` literal built from our own tokens, so PostgreSQL never re-splits words.

    ``fields`` are ``(text, weight)`` pairs (weight ``A``..``D``). A gap of :data:`PG_FIELD_GAP`
    positions between fields keeps a phrase or a ``NEAR/n`` (at most 100 apart) from matching
    across the title/body boundary, as FTS5, which matches within one column, never does.
    """
    positions: dict[str, list[str]] = {}
    pos = 0
    for text, weight in fields:
        if not text:
            continue
        pos += PG_FIELD_GAP if pos else 1
        w = "" if weight == "D" else weight
        for _, _, tok in tokenize(text):
            pos += 1
            if pos > PG_MAX_POSITION:
                break
            if len(tok) <= _PG_MAX_LEXEME_CHARS:
                positions.setdefault(tok, []).append(f"{pos}{w}")
    return " ".join(f"{_ts_lexeme(tok)}:{','.join(p)}" for tok, p in positions.items())


# --------------------------------------------------------------------------- snippets

SNIPPET_CHARS = 200
_SNIPPET_SCAN_CHARS = 200_000
_SPACE_RUN_RE = re.compile(r"\s+")


def find_matches(tokens: list[Token], terms: list[Term]) -> list[tuple[int, int, int]]:
    """Where each term occurs in ``tokens``: ``(start, end, term index)`` in text offsets.

    Looks each term up in an index of the tokens (position lists by token), so the cost grows
    with the text plus the matches, not with the text times the number of terms.
    """
    out: list[tuple[int, int, int]] = []
    n = len(tokens)
    where: dict[str, list[int]] = {}
    for i, (_, _, tok) in enumerate(tokens):
        where.setdefault(tok, []).append(i)
    for ti, term in enumerate(terms):
        want = term.tokens
        k = len(want)
        last = k - 1
        if k == 1 and term.prefix:
            starts = sorted(i for tok, pos in where.items() if tok.startswith(want[0]) for i in pos)
        else:
            starts = where.get(want[0], [])
        for i in starts:
            if i + k > n:
                continue
            ok = True
            for j in range(1, k):
                tok = tokens[i + j][2]
                if j == last and term.prefix:
                    if not tok.startswith(want[j]):
                        ok = False
                        break
                elif tok != want[j]:
                    ok = False
                    break
            if ok:
                start = tokens[i][0]
                end = tokens[i + last][1]
                if term.prefix and len(want[last]) == 1 and HAS_CJK_RE.match(want[last]):
                    end = tokens[i + last][0] + 1  # a lone CJK char: highlight the char only
                out.append((start, end, ti))
    out.sort()
    return out


_ASCII_ALNUM = "A-Za-z0-9"


@lru_cache(maxsize=4096)
def _ascii_pattern(tokens: tuple[str, ...], prefix: bool) -> re.Pattern[str] | None:
    """A regex finding ``tokens`` adjacent in lower-cased ASCII text as :func:`find_matches` would.

    In ASCII text a token is a maximal run of letters and digits, lower-cased; so adjacency is
    "separated by one or more other characters". The pattern starts with the literal token (so
    the regex engine can skip ahead fast); the character before a match is checked by the caller.
    None when a token is not plain ASCII letters and digits (then it cannot occur in ASCII text).
    """
    if not all(t.isascii() and t.isalnum() for t in tokens):
        return None
    body = f"[^{_ASCII_ALNUM}]+".join(re.escape(t) for t in tokens)
    tail = f"[{_ASCII_ALNUM}]*" if prefix else f"(?![{_ASCII_ALNUM}])"
    return re.compile(body + tail)


def _ascii_word_spans(low: str, word: str, prefix: bool) -> Iterator[tuple[int, int]]:
    """Where the token ``word`` (or, with ``prefix``, a token starting with it) stands in ``low``."""
    n, k = len(low), len(word)
    pos = low.find(word)
    while pos != -1:
        end = pos + k
        if pos == 0 or not low[pos - 1].isalnum():
            if prefix:
                while end < n and low[end].isalnum():
                    end += 1
                yield pos, end
            elif end == n or not low[end].isalnum():
                yield pos, end
        pos = low.find(word, pos + 1)


def text_matches(text: str, terms: list[Term]) -> list[tuple[int, int, int]]:
    """:func:`find_matches` over ``text`` itself: the same answer, but for ASCII text (most news)
    found by regular expressions in C instead of tokenizing the whole text in Python."""
    if not text.isascii():
        return find_matches(tokenize(text), terms)
    low = text.lower()  # ASCII: the same offsets, and fold() of an ASCII word is its lower case
    out: list[tuple[int, int, int]] = []
    for ti, term in enumerate(terms):
        if len(term.tokens) == 1 and term.tokens[0].isascii() and term.tokens[0].isalnum():
            out.extend((s, e, ti) for s, e in _ascii_word_spans(low, term.tokens[0], term.prefix))
            continue
        pattern = _ascii_pattern(term.tokens, term.prefix)
        if pattern is None:
            continue
        pos = 0
        while (m := pattern.search(low, pos)) is not None:
            start = m.start()
            if start == 0 or not low[start - 1].isalnum():  # a token starts here, not inside a longer one
                out.append((start, m.end(), ti))
            pos = start + 1  # overlapping occurrences count, as they do over tokens ("a a" in "a a a")
    out.sort()
    return out


def _best_window(matches: list[tuple[int, int, int]], width: int) -> int:
    """Start offset of the window of ``width`` chars that shows the most distinct terms.

    Only the matches near the first one are weighed (a few snippet widths): the cost stays
    bounded however often a long text repeats the query's words.
    """
    near = [m for m in matches[:2000] if m[0] < matches[0][0] + 8 * width]
    best_start, best_key = near[0][0], (-1, -1)
    first = 0
    for i, (s, _, _) in enumerate(near[:200]):
        if near[first][0] != s:
            first = i  # matches are sorted by start: the window's matches begin at the first starting at s
        limit = s + width
        terms: set[int] = set()
        count = 0
        for m in near[first:]:
            if m[0] > limit:
                break
            if m[1] <= limit:
                terms.add(m[2])
                count += 1
        key = (len(terms), count)
        if key > best_key:
            best_start, best_key = s, key
    return best_start


def _rfind_space(text: str, lo: int, hi: int) -> int:
    """Index of the last whitespace character (space, newline, tab...) in ``text[lo:hi]``, or -1."""
    for i in range(min(hi, len(text)) - 1, max(lo, 0) - 1, -1):
        if text[i].isspace():
            return i
    return -1


def _find_space(text: str, lo: int, hi: int) -> int:
    """Index of the first whitespace character in ``text[lo:hi]``, or -1."""
    for i in range(max(lo, 0), min(hi, len(text))):
        if text[i].isspace():
            return i
    return -1


def make_snippet(
    text: str, terms: list[Term] | None, width: int = SNIPPET_CHARS
) -> tuple[str, list[tuple[int, int]]]:
    """A plain-text excerpt of about ``width`` chars around the best match, and highlight offsets.

    No markup is ever added (callers escape it for HTML); whitespace runs become single spaces
    and an ellipsis marks a cut. Highlights are ``(start, end)`` offsets into the snippet of the
    query's (non-excluded) terms, computed from the same tokens the index uses, so they are right
    for CJK bigrams and folded diacritics alike.
    """
    scan = text[:_SNIPPET_SCAN_CHARS]
    terms = list(terms or [])
    matches = text_matches(scan, terms) if terms else []
    if matches:
        first = _best_window(matches, width)
        # Some context before the first match, but never a cut when the rest would fit.
        start = max(0, min(first - width // 5, len(scan) - width))
        if start > 0:  # start at a word boundary if one is near
            space = _rfind_space(scan, max(0, start - 15), start + 1)
            if space == -1:
                space = _find_space(scan, start, min(first, start + 15))
            if space != -1:
                start = space + 1
    else:
        start = 0
    end = min(len(scan), start + width)
    if end < len(scan):
        space = _rfind_space(scan, end - 20, end)
        if space > start and not any(s < space < e for s, e, _ in matches):
            end = space
    # Whitespace runs become one space (none at the start). A lone " " stays as it is, so only the
    # other runs (paragraph breaks, indents: few in a window) shift offsets; match boundaries are
    # mapped through those shifts.
    head = "… " if start > 0 else ""
    pieces: list[str] = [head]
    shift_at: list[int] = [start]
    shift: list[int] = [len(head) - start]
    pos = start
    for m in _SPACE_RUN_RE.finditer(scan, start, end):
        a, b = m.span()
        if b - a == 1 and scan[a] == " " and a > start:
            continue
        kept = 1 if a > start else 0
        pieces += [scan[pos:a], " " * kept]
        shift_at.append(b)
        shift.append(shift[-1] - (b - a) + kept)
        pos = b
    pieces.append(scan[pos:end])

    def mapped(i: int) -> int:
        return i + shift[bisect_right(shift_at, i) - 1]

    snippet = "".join(pieces).rstrip()
    if end < len(scan):
        snippet += " …"
    highlights: list[tuple[int, int]] = []
    for s, e, _ in matches:
        if s >= start and e <= end:
            hs, he = mapped(s), mapped(e)
            if highlights and hs < highlights[-1][1]:
                highlights[-1] = (highlights[-1][0], max(he, highlights[-1][1]))
            else:
                highlights.append((hs, he))
    return snippet, highlights
