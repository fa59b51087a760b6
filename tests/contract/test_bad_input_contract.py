"""Bad input answers the same on every backend (issue 16): a clear StoreError, never a driver error.

A NUL byte in the query or a filter, a word over 2 KB, or an offset past 2**63 must reach the caller
as the store's own error (a 400 in the API), not as whichever exception the driver raises. Texts are invented.
"""

from __future__ import annotations

import pytest

from storage.base import Store, StoreError
from storage.models import Document
from storage.query import parse
from storage.text_search import MAX_QUERY_TERMS, find_matches, tokenize

BAD_SEARCHES = [
    ({"query": "harbour", "offset": 2**63}, "offset"),
    ({"query": "harbour", "offset": 10**18}, "offset"),
    ({"query": "harbour", "offset": -5}, "offset"),
    ({"query": "harbour", "limit": -1}, "limit"),
    ({"query": "harbour", "limit": 2**70}, "limit"),
    ({"query": "x" * 3000}, "characters"),
    ({"query": "harbour " + "y" * 2100}, "characters"),
    ({"query": "harbour " + "y" * 500}, "longer than"),
    ({"query": " OR ".join(f"w{i}" for i in range(MAX_QUERY_TERMS + 1))}, "more than"),
    ({"query": "harbour", "filters": {"source": "led\x00ger"}}, "NUL"),
    ({"query": '"'}, "no words"),
    ({"query": "-harbour"}, "only excludes"),
    ({"query": "OR"}, "no words"),
]


@pytest.fixture
def filled(store: Store) -> Store:  # noqa: F811 - pytest fixture chaining
    store.upsert(Document(url="https://ledger.example/a", source="ledger", title="Harbour opens",
                          text="The harbour reopened on Monday after the storm, the port office said."))
    return store


@pytest.mark.parametrize(("kwargs", "says"), BAD_SEARCHES, ids=[str(i) for i in range(len(BAD_SEARCHES))])
def test_bad_search_input_is_a_store_error_naming_it(filled: Store, kwargs: dict, says: str) -> None:
    with pytest.raises(StoreError, match=says):
        filled.search(**kwargs)


@pytest.mark.parametrize("query", ["harbour\x00", "\x00harbour", "har\x00bour storm", "harbour\x07\x1b"])
def test_control_characters_in_a_query_separate_words(filled: Store, query: str) -> None:
    result = filled.search(query)
    assert result.total == (0 if "har\x00bour" in query else 1)


def test_the_largest_accepted_page_still_answers(filled: Store) -> None:
    assert filled.search("harbour", limit=10_000, offset=1_000_000_000).hits == []
    assert filled.search("harbour", limit=0).hits == []


def test_indexed_matching_finds_what_the_scan_found() -> None:
    text = "Veltrix veltrix VELTRIX Nova 7 launch; the Nova launched. 维创移动 维创 " * 50
    tokens = tokenize(text)
    terms = parse('veltrix "nova 7" launch* 维创 OR nothing').positive_terms()

    def scan(i: int, term: object) -> bool:
        want = term.tokens  # type: ignore[attr-defined]
        got = [t[2] for t in tokens[i:i + len(want)]]
        if len(got) < len(want):
            return False
        if term.prefix:  # type: ignore[attr-defined]
            return got[:-1] == list(want[:-1]) and got[-1].startswith(want[-1])
        return got == list(want)

    naive = sorted((tokens[i][0], tokens[i + len(t.tokens) - 1][1], ti) for ti, t in enumerate(terms)
                   for i in range(len(tokens)) if scan(i, t))
    found = [(s, e, ti) for s, e, ti in find_matches(tokens, terms)]
    cjk_fixed = [(s, e, ti) for s, e, ti in naive]
    assert len(found) == len(cjk_fixed) and [m[0] for m in found] == [m[0] for m in cjk_fixed]
