"""The shared query parser and snippet maker, alone (both backends rely on them)."""

from __future__ import annotations

import pytest

from storage.text_search import QueryError, fts5_match, make_snippet, parse_query, tsquery


def test_words_are_anded_or_groups_and_minus_excludes() -> None:
    q = parse_query('tariff steel OR "aluminium sheet" -china')
    assert fts5_match(q) == '("tariff" AND ("steel" OR "aluminium sheet")) NOT "china"'
    assert tsquery(q) == "'tariff' & ('steel' | ('aluminium' <-> 'sheet')) & !'china'"


def test_user_quotes_never_reach_match_unescaped() -> None:
    assert fts5_match(parse_query('say"hi')) == '"say" AND "hi"'


def test_cjk_run_becomes_a_phrase_of_bigrams() -> None:
    assert tsquery(parse_query("维创移动")) == "('维创' <-> '创移' <-> '移动')"


@pytest.mark.parametrize("query", ["AND (", "-only", '""', "OR"])
def test_nothing_to_search_for_is_a_query_error_naming_the_query(query: str) -> None:
    with pytest.raises(QueryError) as err:
        parse_query(query)
    assert repr(query) in str(err.value)


def test_snippet_collapses_whitespace_and_keeps_highlights_aligned() -> None:
    snippet, highlights = make_snippet("Port\n\n  of   Calais   closed", parse_query("calais"))
    assert snippet == "Port of Calais closed"
    assert [snippet[s:e] for s, e in highlights] == ["Calais"]


def test_snippet_cuts_at_newlines_too_never_mid_word() -> None:
    text = "intro\n" + "\n".join(["Supercalifragilistic"] * 20) + " the strength of the launch " + "tail " * 60
    snippet, _ = make_snippet(text, parse_query("strength"))
    assert snippet.startswith("… ")
    assert all(word in text.split() for word in snippet.strip("… ").split())
