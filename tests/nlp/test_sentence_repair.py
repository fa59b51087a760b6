"""Sentence starts after abbreviations that end a sentence: names never run across them."""

from __future__ import annotations

import pytest

from nlp.analyzer import Analyzer


@pytest.fixture(scope="module")
def nlp(analyzer: Analyzer):  # type: ignore[no-untyped-def]
    return analyzer.nlp


def _ents(nlp, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.text for e in nlp(text).ents]


@pytest.mark.parametrize("text, name, wrong", [
    ("The bonds are guaranteed by Harlow Trust Bank of Osaka Ltd. The bank pays in June.",
     "Harlow Trust Bank of Osaka Ltd.", "Ltd. The"),
    ("The notes were rated by S and P. The agency cited the larger debt.", None, "P. The"),
    ("It sold the mill to Brightwater Paper Corp. In March it bought another.", None, "Corp. In"),
])
def test_a_name_ends_at_the_abbreviation_that_ends_its_sentence(nlp, text: str, name: str | None,
                                                                  wrong: str) -> None:
    ents = _ents(nlp, text)
    assert not any(wrong in e for e in ents)
    if name:
        assert name in ents


def test_company_forms_in_a_row_and_connectors_keep_one_name(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("Brown and Co. Inc. said it agreed to buy Acme Co. and Bell Corp. on Monday.")
    assert len(list(doc.sents)) == 1
