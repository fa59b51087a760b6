"""The shared snippet maker, alone (both backends and the alert engine rely on it).

The query language itself is tested in ``test_query_parser.py`` and the contract suites.
"""

from __future__ import annotations

from storage.query import parse
from storage.text_search import make_snippet


def test_snippet_collapses_whitespace_and_keeps_highlights_aligned() -> None:
    snippet, highlights = make_snippet("Port\n\n  of   Calais   closed", parse("calais").positive_terms())
    assert snippet == "Port of Calais closed"
    assert [snippet[s:e] for s, e in highlights] == ["Calais"]


def test_snippet_cuts_at_newlines_too_never_mid_word() -> None:
    text = "intro\n" + "\n".join(["Supercalifragilistic"] * 20) + " the strength of the launch " + "tail " * 60
    snippet, _ = make_snippet(text, parse("strength").positive_terms())
    assert snippet.startswith("… ")
    assert all(word in text.split() for word in snippet.strip("… ").split())
