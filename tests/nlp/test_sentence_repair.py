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


# A company form ending one sentence, a capitalised word opening the next (invented text, the
# Reuters wire's layout: line breaks inside sentences). The senter misses these starts.
COMPANY_FORM_ENDS = [
    ("The company agreed to sell its Ridgeway mill in\nOhio, and its wharf at Duluth, Minnesota to Lakeshore\n"
     "Metals Corp. Ridgeway said its provision of 12.1 mln dlrs\nmay be cut.", "Lakeshore\nMetals Corp."),
    ("The debentures are guaranteed by Nippon Harbour Trust Bank of\nKobe Ltd. Payment is due on April 30.",
     "Kobe Ltd."),
    ("\"It sounds like they want it badly,\" said analyst Ken Ruiz of\nBarton, Fell and Co. Holders of Talmage "
     "would get 0.6 share for each\nshare.", "Fell and Co."),
    ("The issue is rated A-2 by Moody's and A by Standard and Poor's\nCorp. Tillman Brothers Inc co-managed "
     "the offering.", "Poor's\nCorp."),
    ("It bought a stake in Kestrel Biotech Ltd. Kestrel AB makes test kits.", "Kestrel Biotech Ltd."),
]
# ... and company forms inside one name, where no sentence starts.
COMPANY_FORM_INSIDE = [
    "He was deputy chairman of Tanabe Securities Co. International. He left in May.",
    "Meanwhile, N.V. Vandermeer <VDMR.AS>, the Dutch group, said sales rose.",
    "The fund is run by Okada Trust Co. Ltd. and Bell Corp. of America.",
]


@pytest.fixture(scope="module")
def plain_nlp():  # type: ignore[no-untyped-def]
    import spacy  # deferred: only these tests need a second, plain copy of the model

    from nlp.settings import AnalyzerSettings  # deferred with it: the model name the analyzer loads

    return spacy.load(AnalyzerSettings().spacy_model)


@pytest.mark.parametrize("text, name", COMPANY_FORM_ENDS)
def test_a_company_form_ends_the_name_where_the_next_sentence_begins(nlp, text: str, name: str) -> None:
    ents = _ents(nlp, text)
    assert name in ents, ents


@pytest.mark.parametrize("text", [t for t, _ in COMPANY_FORM_ENDS] + COMPANY_FORM_INSIDE)
def test_after_a_company_form_the_entities_are_plain_spacys(nlp, plain_nlp, text: str) -> None:
    """Plain spaCy's parser decides there, so the analyzer (which asks it) finds the same names."""
    assert _ents(nlp, text) == _ents(plain_nlp, text)


def test_without_the_parser_the_senter_runs_the_name_on(analyzer: Analyzer) -> None:
    """The class the parser check fixes: with it off, the name takes the next sentence's first word."""
    from nlp.sentence_repair import SentenceRepair  # deferred: the component on its own, parser off

    text, _ = COMPANY_FORM_ENDS[1]
    doc = analyzer.nlp.make_doc(text)
    for name, proc in analyzer.nlp.pipeline:
        doc = SentenceRepair("")(doc) if name == "newswatch_sentence_repair" else proc(doc)
        if name == "ner":
            break
    assert "Kobe Ltd. Payment" in [e.text for e in doc.ents]


def test_a_start_right_after_a_plain_word_stands_only_if_the_parser_agrees(analyzer: Analyzer) -> None:
    """senter's rare start mid-line ("in the 2nd | Qtr of 1991") split a date; the parser removes it."""
    from nlp.sentence_repair import SentenceRepair  # deferred: the component on its own
    from nlp.settings import AnalyzerSettings  # deferred with it: the model whose parser decides

    doc = analyzer.nlp.make_doc("It booked gains of 2.1 mln dlrs in the 2nd Qtr of 1991 from the sale.")
    for name, proc in analyzer.nlp.pipeline:
        if name == "newswatch_sentence_repair":
            break
        doc = proc(doc)
    qtr = next(t for t in doc if t.text == "Qtr")
    qtr.is_sent_start = True  # what senter did on a wire text
    doc = SentenceRepair(AnalyzerSettings().spacy_model)(doc)
    assert not qtr.is_sent_start
    assert len(list(doc.sents)) == 1


# Earnings tables flattened to one line (invented figures): each row opens with a label where a
# line broke. senter reads the rows as one sentence; the parser, which plain spaCy's starts come
# from, may start one at a label, and NER must then not run a name across it ("cts Net 7,1 vs").
FLAT_TABLES = [
    "Shr 38 cts vs 29 cts Net 4,118,000 vs 3,102,000 Revs 92.4 mln vs 80.1 mln",
    "Shr 52 cts vs 36 cts Net 6,380,000 vs 4,415,000 Rev 122.8 mln vs 95.1 mln Year Shr 1.74 dlrs vs "
    "1.20 dlrs Net 21,335,000 vs 14,760,000 Rev 398.0 mln vs 341.6 mln NOTE: Two",
    "Shr 22 cts vs 31 cts Net 1,904,000 vs 2,677,000 Sales 51.2 mln vs 47.5 mln Nine mths Shr 78 cts vs "
    "81 cts Net 6,733,000 vs 6,990,000 Sales 160.4 mln vs 149.9 mln",
]


def test_row_labels_of_a_flattened_table_are_the_points_asked(analyzer: Analyzer) -> None:
    from nlp.sentence_repair import _row_label, _table_sentences  # deferred: the rule's own parts

    doc = analyzer.nlp.make_doc(FLAT_TABLES[1])
    doc[0].is_sent_start = True
    for t in doc[1:]:
        t.is_sent_start = False
    (table,) = _table_sentences(doc)
    assert [t.text for t in table if _row_label(doc, t)] == ["Net", "Rev", "Year", "Net", "Rev", "NOTE"]


def test_prose_with_figures_is_no_table(analyzer: Analyzer) -> None:
    from nlp.sentence_repair import _table_sentences  # deferred: the rule's own part

    doc = analyzer.nlp("Harlow Mills said net profit rose to 4.1 mln dlrs in 1986 from 3.1 mln a year "
                       "earlier, and Chairman Ann Lowe expects 5 mln in 1987.")
    assert _table_sentences(doc) == []


@pytest.mark.parametrize("text", FLAT_TABLES)
def test_in_a_flattened_table_the_starts_and_entities_are_plain_spacys(nlp, plain_nlp, text: str) -> None:
    ours, plain = nlp(text), plain_nlp(text)
    labels = {t.i for t in ours if t.text in {"Net", "Rev", "Revs", "Sales", "Year", "Nine", "NOTE"}}
    assert {t.i for t in ours if t.is_sent_start} & labels == {t.i for t in plain if t.is_sent_start} & labels
    assert _ents(nlp, text) == _ents(plain_nlp, text)
