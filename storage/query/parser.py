"""The query language: a lexer and a recursive-descent parser producing a :class:`Query` tree.

Grammar (EBNF; tightest binding last; keywords are upper-case, lower-case ``and``/``or`` are words)::

    query    = [ and_expr ] EOF
    and_expr = or_expr { [ "AND" ] or_expr }          (* juxtaposition is AND *)
    or_expr  = unary { ( "OR" | "|" ) unary }         (* OR binds tighter than AND: a b OR c = a (b OR c) *)
    unary    = ( "NOT" | "-" ) unary | near
    near     = primary { "NEAR" [ "/" digits ] primary }
    primary  = "(" and_expr ")" | PHRASE [ "*" ] | WORD | FIELD
    PHRASE   = '"' { any char but '"' } '"'
    WORD     = { any char but space, '(', ')', '"' }  (* a trailing * makes a prefix *)
    FIELD    = name ":" ( value | PHRASE )            (* source kind lang entity stance event link story published *)

A word splits into the same tokens the index holds (:func:`storage.text_search.tokenize`), so
``e-commerce`` is the phrase ``e commerce`` and a CJK run is a phrase of character bigrams.

Why hand-written rather than a parser generator: the language is LL(1) and small, but its lexing
is context-dependent (``-`` negates only at the start of a word, ``name:`` is a field only for
known names, ``NEAR/5`` is one token, words without indexable characters vanish), and every error
must name its position in the user's own terms (``unbalanced quote at 14``); a generator's errors
would have to be translated back token by token. This file is the grammar's only implementation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from storage.query.dates import FORMS as DATE_FORMS
from storage.query.dates import DateError, parse_published
from storage.query.errors import QuerySyntaxError
from storage.query.tree import (
    FILTER_FIELDS,
    KINDS,
    STANCE_LABELS,
    And,
    Field,
    Near,
    Node,
    Not,
    Or,
    Query,
    Stance,
    Text,
    has_positive,
)
from storage.text_search import CJK_RUN_RE, HAS_CJK_RE, MAX_QUERY_CHARS, MAX_QUERY_TERMS, MAX_TERM_CHARS, Term, tokenize

FIELDS: tuple[str, ...] = (*FILTER_FIELDS, "stance", "published")
DEFAULT_NEAR = 10
MAX_NEAR = 100
MAX_FIELD_VALUES = 64
MAX_DEPTH = 32  # nested parentheses and NOTs: deeper trees are no clearer, and every backend has a limit
HELP = ('use words, "quoted phrases", AND / OR / NOT, (parentheses), -exclude, word*, a NEAR/5 b, '
        "and fields such as source:NAME kind:article published:>=2026-09-01")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD_STOP = frozenset(' \t\n\r()"')
_FIELD_RE = re.compile(r"^([A-Za-z_]+):(.*)$", re.S)
_LANG_RE = re.compile(r"^[a-z]{2}$")
_NEAR_RE = re.compile(r"^NEAR(?:/(.*))?$")


@dataclass(frozen=True)
class _Tok:
    kind: str  # WORD PHRASE FIELD LPAREN RPAREN AND OR NOT NEG NEAR EOF
    pos: int
    text: str = ""
    value: str = ""  # FIELD: the value; NEAR: the distance
    prefix: bool = False


def query_tokens(text: str) -> tuple[str, ...]:
    """The index tokens a word or phrase must match, in order.

    A CJK run ending before more of the phrase (``海伦娜·杜阿尔特``, ``索尼 PS5``) keeps its last
    character's unigram: the index stores one at the end of every run, so the phrase's tokens are
    adjacent in the document only with it. A run that ends the phrase drops it, so ``维创``
    still matches inside the longer run ``维创移动``.
    """
    toks = tokenize(text, query=True)
    out: list[str] = []
    runs = {m.end(): m for m in CJK_RUN_RE.finditer(text)}
    for i, (_, end, tok) in enumerate(toks):
        out.append(tok)
        run = runs.get(end)
        if run is not None and len(run.group()) > 1 and i < len(toks) - 1:
            out.append(text[end - 1])
    return tuple(out)


class _Lexer:
    def __init__(self, query: str, original: str) -> None:
        self.q = query
        self.original = original
        self.toks: list[_Tok] = []

    def error(self, problem: str, pos: int | None, hint: str = "") -> QuerySyntaxError:
        return QuerySyntaxError(problem, self.original, pos, hint)

    def run(self) -> list[_Tok]:
        q, n, i = self.q, len(self.q), 0
        while i < n:
            c = q[i]
            if c.isspace():
                i += 1
            elif c == "(":
                self.toks.append(_Tok("LPAREN", i))
                i += 1
            elif c == ")":
                self.toks.append(_Tok("RPAREN", i))
                i += 1
            elif c == "-" and i + 1 < n and not q[i + 1].isspace() and q[i + 1] not in ")-":
                self.toks.append(_Tok("NEG", i))
                i += 1
            elif c == '"':
                i = self._phrase(i)
            else:
                i = self._word(i)
        self.toks.append(_Tok("EOF", n))
        return self.toks

    def _closing_quote(self, start: int) -> int:
        end = self.q.find('"', start + 1)
        if end == -1:
            raise self.error("unbalanced quote", start, 'close the phrase with " or remove the quote')
        return end

    def _phrase(self, start: int) -> int:
        end = self._closing_quote(start)
        prefix = end + 1 < len(self.q) and self.q[end + 1] == "*"
        self._text_token("PHRASE", start, self.q[start + 1 : end], prefix)
        return end + 2 if prefix else end + 1

    def _word(self, start: int) -> int:
        q, n, j = self.q, len(self.q), start
        while j < n and q[j] not in _WORD_STOP:
            j += 1
        word = q[start:j]
        if word in ("AND", "&&"):
            self.toks.append(_Tok("AND", start, word))
        elif word in ("OR", "|", "||"):
            self.toks.append(_Tok("OR", start, word))
        elif word == "NOT":
            self.toks.append(_Tok("NOT", start, word))
        elif _NEAR_RE.match(word):
            self.toks.append(_Tok("NEAR", start, word, value=self._near_distance(word, start)))
        else:
            m = _FIELD_RE.match(word)
            if m and m.group(1).lower() in FIELDS:
                return self._field(start, j, m.group(1).lower(), m.group(2))
            if m and (m.group(2)[:1].isalnum() or (not m.group(2) and j < n and q[j] == '"')):
                raise self.error(f"unknown field {m.group(1)!r}", start,
                                 f"fields are {', '.join(FIELDS)}; to search for the text, put it in quotes")
            prefix = word.endswith("*")
            self._text_token("WORD", start, word.rstrip("*") if prefix else word, prefix)
        return j

    def _near_distance(self, word: str, pos: int) -> str:
        m = _NEAR_RE.match(word)
        given = m.group(1) if m else None
        if given is None:
            return str(DEFAULT_NEAR)
        if not given.isdigit() or not 0 <= int(given) <= MAX_NEAR:
            raise self.error(f"NEAR/ needs a distance from 0 to {MAX_NEAR}, got {given!r}", pos + 5)
        return str(int(given))

    def _field(self, start: int, j: int, name: str, value: str) -> int:
        if not value and j < len(self.q) and self.q[j] == '"':
            end = self._closing_quote(j)
            value, j = self.q[j + 1 : end], end + 1
        value = value.strip()
        if not value:
            raise self.error(f"{name}: needs a value", start, "e.g. source:reuters, published:>=2026-09-01")
        self.toks.append(_Tok("FIELD", start, name, value=value))
        return j

    def _text_token(self, kind: str, pos: int, text: str, prefix: bool) -> None:
        if not tokenize(text, query=True):
            # Nothing indexable ("^", "*", "&", an empty phrase): it can match nothing, so it is dropped,
            # together with a "-" or NOT that asked to exclude it.
            if self.toks and self.toks[-1].kind in ("NEG", "NOT"):
                self.toks.pop()
            return
        self.toks.append(_Tok(kind, pos, text, prefix=prefix))


class _Parser:
    def __init__(self, toks: list[_Tok], query: str, now: datetime | None) -> None:
        self.toks = toks
        self.i = 0
        self.query = query
        self.now = now
        self.terms = 0
        self.depth = 0

    def _deeper(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"query nests parentheses and NOTs more than {MAX_DEPTH} deep", pos, "simplify it")

    def error(self, problem: str, pos: int | None, hint: str = "") -> QuerySyntaxError:
        return QuerySyntaxError(problem, self.query, pos, hint)

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def parse(self) -> Node:
        node = self.and_expr()
        if self.tok.kind == "RPAREN":
            raise self.error("unbalanced parenthesis", self.tok.pos, "this ) closes nothing")
        return node

    def _ends_operand(self) -> bool:
        return self.tok.kind in ("EOF", "RPAREN", "OR", "AND", "NEAR")

    def and_expr(self) -> Node:
        items = [self.or_expr()]
        while self.tok.kind not in ("EOF", "RPAREN"):
            if self.tok.kind == "AND":
                op = self.take()
                if self._ends_operand():
                    raise self.error("AND needs something on its right", op.pos)
            items.append(self.or_expr())
        return items[0] if len(items) == 1 else And(tuple(items))

    def or_expr(self) -> Node:
        if self.tok.kind in ("OR", "AND", "NEAR"):
            raise self.error(f"{self.tok.text} needs something on its left", self.tok.pos)
        items = [self.unary()]
        while self.tok.kind == "OR":
            op = self.take()
            if self._ends_operand():
                raise self.error("OR needs something on its right", op.pos)
            items.append(self.unary())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def unary(self) -> Node:
        if self.tok.kind in ("NOT", "NEG"):
            op = self.take()
            if self._ends_operand():
                raise self.error("NOT needs something to exclude" if op.kind == "NOT" else
                                 "- needs a word right after it", op.pos)
            self._deeper(op.pos)
            node = Not(self.unary())
            self.depth -= 1
            return node
        return self.near()

    def near(self) -> Node:
        first = self.primary()
        if self.tok.kind != "NEAR":
            return first
        pairs: list[Node] = []
        left = first
        while self.tok.kind == "NEAR":
            op = self.take()
            if not isinstance(left, Text):
                raise self.error("NEAR needs a word or phrase on its left", op.pos)
            if self.tok.kind not in ("WORD", "PHRASE"):
                raise self.error("NEAR needs a word or phrase on its right", op.pos)
            right = self.primary()
            assert isinstance(right, Text)
            pairs.append(Near(left, right, int(op.value)))
            left = right
        # a NEAR b NEAR c: each neighbouring pair within its distance (the same on every backend)
        return pairs[0] if len(pairs) == 1 else And(tuple(pairs))

    def primary(self) -> Node:
        t = self.tok
        if t.kind == "LPAREN":
            self.take()
            if self.tok.kind == "RPAREN":
                raise self.error("empty parentheses", t.pos)
            self._deeper(t.pos)
            node = self.and_expr()
            self.depth -= 1
            if self.tok.kind != "RPAREN":
                raise self.error("unbalanced parenthesis", t.pos, "this ( is never closed")
            self.take()
            return node
        if t.kind == "RPAREN":
            raise self.error("unbalanced parenthesis", t.pos, "this ) closes nothing")
        if t.kind in ("WORD", "PHRASE"):
            self.take()
            return Text(self._term(t))
        if t.kind == "FIELD":
            self.take()
            return self._field(t)
        raise self.error(f"unexpected {t.text or t.kind.lower()}", t.pos)  # pragma: no cover - guarded above

    def _term(self, t: _Tok) -> Term:
        self.terms += 1
        if self.terms > MAX_QUERY_TERMS:
            raise self.error(f"query has more than {MAX_QUERY_TERMS} words and phrases", t.pos, "narrow it down")
        tokens = query_tokens(t.text)
        if any(len(tok) > MAX_TERM_CHARS for tok in tokens):
            raise self.error(f"a word of the query is longer than {MAX_TERM_CHARS} characters", t.pos,
                             "nothing that long is indexed")
        prefix = t.prefix
        last = tokens[-1]
        if len(last) == 1 and HAS_CJK_RE.match(last):
            prefix = True  # a lone CJK character is stored only as the start of bigrams
        return Term(text=t.text, tokens=tokens, prefix=prefix)

    def _field(self, t: _Tok) -> Node:
        name, value = t.text, t.value
        if name == "published":
            try:
                return parse_published(value, self.now)
            except DateError as exc:
                raise self.error(f"published: {exc}", t.pos, f"forms: {DATE_FORMS}") from None
        if name == "stance":
            label, _, entity = value.partition(":")
            label = label.lower()
            if label not in STANCE_LABELS:
                raise self.error(f"stance: expects {', '.join(STANCE_LABELS)}, got {label!r}", t.pos,
                                 "e.g. stance:against:acme")
            return Stance(label, entity.strip() or None)
        values = tuple(v.strip() for v in value.split(",") if v.strip()) if name != "entity" else (value,)
        if not values:
            raise self.error(f"{name}: needs a value", t.pos)
        if len(values) > MAX_FIELD_VALUES:
            raise self.error(f"{name}: takes at most {MAX_FIELD_VALUES} values", t.pos)
        if name == "kind":
            bad = [v for v in values if v not in KINDS]
            if bad:
                raise self.error(f"kind: expects {', '.join(KINDS)}, got {bad[0]!r}", t.pos)
        if name == "lang":
            values = tuple(v.lower() for v in values)
            bad = [v for v in values if not _LANG_RE.match(v)]
            if bad:
                raise self.error(f"lang: expects an ISO 639-1 code such as en or zh, got {bad[0]!r}", t.pos)
        return Field(name, values)


def parse(query: str, now: datetime | None = None) -> Query:
    """Parse ``query`` into a :class:`Query`; raise :class:`QuerySyntaxError` naming the position.

    ``""`` and ``*`` match every document (``root`` is None). ``now`` anchors relative dates
    (``published:7d``); it defaults to the current UTC time.
    """
    if not isinstance(query, str):
        raise QuerySyntaxError(f"the query must be text, got {type(query).__name__}", str(query))
    if len(query) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query is {len(query)} characters long; at most {MAX_QUERY_CHARS} are allowed",
                               query[:40], MAX_QUERY_CHARS)
    cleaned = _CONTROL_RE.sub(" ", query)  # NUL and other controls separate words, like spaces (positions kept)
    if cleaned.strip() in ("", "*"):
        return Query(text=query, root=None)
    if not tokenize(cleaned) and ":" not in cleaned:  # '"', '()', '-': no word and no field at all
        raise QuerySyntaxError("query has no words to search for", query, None, HELP)
    toks = _Lexer(cleaned, query).run()
    if not any(t.kind in ("WORD", "PHRASE", "FIELD") for t in toks):
        raise QuerySyntaxError("query has no words to search for", query, None, HELP)
    root = _Parser(toks, query, now).parse()
    if not has_positive(root):
        raise QuerySyntaxError("query only excludes words", query, None, "add at least one word to search for")
    return Query(text=query, root=root)
