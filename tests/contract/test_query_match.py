"""One document in memory matches a query exactly when the store's search would find it.

The alert engine answers ``search`` rules with :func:`storage.query.match.matches` on each new
document; it must agree with ``store.search``, so it runs over the contract suite's own table of
queries and documents (where SQLite and PostgreSQL are held to the same answers). Texts invented.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from contract_docs import FILLER
from test_query_language_contract import CASES, CORPUS, NOW

from storage.models import Document
from storage.query import parse
from storage.query.match import first_match, matches, needs_analysis, needs_store

# The events the contract corpus stores beside documents "a" and "b", here in the documents' own annotations.
EVENT_TYPES = {"a": "official_visit", "b": "product_launch"}


def with_events(key: str, doc: Document) -> Document:
    if key not in EVENT_TYPES:
        return doc
    notes = replace(doc.annotations, events=[{"id": "e1", "type": EVENT_TYPES[key]}])
    return replace(doc, annotations=notes)


DOCS = {**{k: with_events(k, d) for k, d in CORPUS.items()}, **{f"filler{i}": d for i, d in enumerate(FILLER)}}
ONE_DOCUMENT_CASES = [(q, want) for q, want in CASES if not needs_store(parse(q, NOW))]


@pytest.mark.parametrize(("query", "expected"), ONE_DOCUMENT_CASES, ids=[q for q, _ in ONE_DOCUMENT_CASES])
def test_a_document_matches_when_the_store_would_find_it(query: str, expected: set[str]) -> None:
    parsed = parse(query, NOW)
    assert {k for k, d in DOCS.items() if matches(parsed, d)} == expected


def test_fields_that_need_other_documents_or_the_analysis_are_named() -> None:
    assert needs_store(parse("story:s1 OR link:official_visit->deal minister")) == ["link", "story"]
    assert needs_store(parse("minister -kind:post")) == []
    assert needs_analysis(parse("quasar stance:against")) and needs_analysis(parse("-entity:org:quasar"))
    assert not needs_analysis(parse("quasar source:wire published:2026-09"))


def test_the_first_match_points_at_the_first_highlighted_word() -> None:
    doc = DOCS["a"]
    at = first_match(parse("praised OR minister"), doc)
    assert at is not None and f"{doc.title}\n{doc.text}"[at:at + 8].lower() == "minister"
    assert first_match(parse("source:wire"), doc) is None
