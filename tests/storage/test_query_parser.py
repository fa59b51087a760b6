"""The query parser alone: the tree it builds, and errors that point at the position."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.query import QuerySyntaxError, parse
from storage.query.fts5 import match_expression
from storage.query.parser import query_tokens
from storage.query.tree import And, Field, Near, Not, Or, Published, Stance, Text
from storage.query.tsquery import tsquery_text
from storage.text_search import Term, find_matches, text_matches, tokenize


def words(node: object) -> object:
    """The tree with each Text shown as its text, for readable expectations."""
    if isinstance(node, Text):
        return node.term.text + ("*" if node.term.prefix else "")
    if isinstance(node, And | Or):
        return (type(node).__name__, *[words(c) for c in node.children])
    if isinstance(node, Not):
        return ("Not", words(node.child))
    if isinstance(node, Near):
        return ("Near", words(node.left), words(node.right), node.distance)
    return node


def test_juxtaposition_is_and_and_or_binds_tighter() -> None:
    assert words(parse("a b OR c").root) == ("And", "a", ("Or", "b", "c"))
    assert words(parse("(a b) OR c").root) == ("Or", ("And", "a", "b"), "c")
    assert words(parse("a AND b").root) == words(parse("a b").root)


def test_not_and_minus_exclude_a_word_or_a_group() -> None:
    assert words(parse("a -b NOT c").root) == ("And", "a", ("Not", "b"), ("Not", "c"))
    assert words(parse("a -(b c)").root) == ("And", "a", ("Not", ("And", "b", "c")))


def test_hyphen_inside_a_word_is_a_phrase_not_an_exclusion() -> None:
    node = parse("e-commerce").root
    assert isinstance(node, Text) and node.term.tokens == ("e", "commerce")


def test_near_with_and_without_distance_and_chains() -> None:
    assert words(parse("a NEAR/3 b").root) == ("Near", "a", "b", 3)
    assert words(parse("a NEAR b").root) == ("Near", "a", "b", 10)
    assert words(parse("a NEAR/2 b NEAR/4 c").root) == ("And", ("Near", "a", "b", 2), ("Near", "b", "c", 4))


def test_prefix_and_lone_cjk_character_are_prefixes() -> None:
    assert words(parse("launch*").root) == "launch*"
    assert words(parse("机").root) == "机*"


def test_middle_dot_name_keeps_the_unigram_the_index_stores_at_each_run_end() -> None:
    assert query_tokens("海伦娜·杜阿尔特") == ("海伦", "伦娜", "娜", "杜阿", "阿尔", "尔特")
    assert query_tokens("维创") == ("维创",)  # still found inside a longer run


def test_fields_become_filter_nodes() -> None:
    root = parse("source:wire,blog kind:post lang:EN entity:org:acme stance:against:acme event:deal").root
    assert isinstance(root, And)
    assert root.children == (Field("source", ("wire", "blog")), Field("kind", ("post",)), Field("lang", ("en",)),
                             Field("entity", ("org:acme",)), Stance("against", "acme"), Field("event", ("deal",)))
    assert parse('source:"Le Monde"').root == Field("source", ("Le Monde",))


@pytest.mark.parametrize(("value", "expected"), [
    (">=2026-09-01", Published(lo="2026-09-01")),
    ("<2026-09-10", Published(hi="2026-09-10", hi_inclusive=False)),
    ("2026-09-01..2026-09-10", Published(lo="2026-09-01", hi="2026-09-10~")),
    ("2026-09", Published(lo="2026-09", hi="2026-09~")),
    ("7d", Published(lo="2026-09-03")),
    ("24h", Published(lo="2026-09-09T12:00:00Z")),
    ("yesterday", Published(lo="2026-09-09")),
])
def test_published_values(value: str, expected: Published) -> None:
    assert parse(f"published:{value}", now=datetime(2026, 9, 10, 12, tzinfo=UTC)).root == expected


def test_everything_and_nothing() -> None:
    assert parse("").root is None and parse("  * ").root is None


@pytest.mark.parametrize(("query", "problem", "position"), [
    ('tariff "steel ', "unbalanced quote", 7),
    ("(steel OR iron", "unbalanced parenthesis", 0),
    ("steel) iron", "unbalanced parenthesis", 5),
    ("steel OR", "OR needs something on its right", 6),
    ("OR steel", "OR needs something on its left", 0),
    ("steel AND", "AND needs something on its right", 6),
    ("steel NOT", "NOT needs something to exclude", 6),
    ("steel ()", "empty parentheses", 6),
    ("NEAR steel", "NEAR needs something on its left", 0),
    ("steel NEAR/200 iron", "NEAR/ needs a distance", 11),
    ("steel NEAR (iron)", "NEAR needs a word or phrase on its right", 6),
    ("title:steel", "unknown field 'title'", 0),
    ("steel kind:video", "kind: expects", 6),
    ("steel lang:english", "lang: expects", 6),
    ("stance:angry:acme", "stance: expects", 0),
    ("published:2026-02-30", "published: cannot read", 0),
    ("published:2026-09-10..2026-09-01", "published: range", 0),
    ("steel source:", "source: needs a value", 6),
])
def test_errors_name_the_problem_and_its_position(query: str, problem: str, position: int) -> None:
    with pytest.raises(QuerySyntaxError) as err:
        parse(query)
    assert err.value.problem.startswith(problem)
    assert err.value.position == position
    assert f"{problem}" in str(err.value) and f"at {position + 1}" in str(err.value)
    assert err.value.to_dict()["column"] == position + 1


@pytest.mark.parametrize(("query", "says"), [('"', "no words"), ("OR", "no words"), ("( )", "no words"),
                                             ("-steel", "only excludes"), ("NOT steel", "only excludes")])
def test_queries_without_words_say_so(query: str, says: str) -> None:
    with pytest.raises(QuerySyntaxError, match=says) as err:
        parse(query)
    assert err.value.position is None


def test_only_excluding_a_filter_is_a_listing_not_an_error() -> None:
    assert parse("-kind:product").root == Not(Field("kind", ("product",)))


def test_backend_texts_quote_every_token() -> None:
    node = parse('"a^b" NEAR/1 c*').root
    assert node is not None
    assert match_expression(node) == 'NEAR("a b" "c"*, 1)'
    assert tsquery_text(node) == ("((('a' <-> 'b') <1> 'c':*) | ('c':* <1> ('a' <-> 'b')) | "
                                  "(('a' <-> 'b') <2> 'c':*) | ('c':* <2> ('a' <-> 'b')))")


ASCII_WORDS = ["port", "ports", "Port", "fee", "a", "x1", "1x", "e-mail", "PORT-fee", "_port", "port_"]


@settings(max_examples=200, derandomize=True, deadline=None, database=None)
@given(words=st.lists(st.sampled_from(ASCII_WORDS), min_size=1, max_size=40),
       seps=st.lists(st.sampled_from([" ", "  ", "\n\n", ", ", "-", "\t"]), min_size=40, max_size=40),
       query=st.lists(st.sampled_from(["port", "fee", "a", "x1", "por", "e mail"]), min_size=1, max_size=3),
       prefix=st.booleans())
def test_fast_ascii_matching_finds_what_the_token_scan_finds(words: list[str], seps: list[str], query: list[str],
                                                              prefix: bool) -> None:
    text = "".join(w + s for w, s in zip(words, seps, strict=False))
    terms = [Term(q, tuple(q.split()), prefix and i == 0) for i, q in enumerate(query)]
    assert text_matches(text, terms) == find_matches(tokenize(text), terms)
