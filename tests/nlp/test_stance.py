"""Stance backends and how the analyzer feeds them (one batched call per chunk, mentions located)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest

from nlp.analyzer import Analyzer, AnalyzerSettings
from nlp.stance import (
    LexiconStance,
    StanceBackendError,
    StanceQuery,
    TrainedStance,
    make_stance_model,
    trained_weights_present,
)
from nlp.stance_data import macro_f1, tweeteval_f1
from nlp.stance_net import mark
from storage.models import WatchEntry


class CountingStance:
    """Stands in for a model: records every call, answers favor for sentences with 'praise'."""

    name = "counting"
    version = "0"

    def __init__(self) -> None:
        self.calls: list[list[StanceQuery]] = []

    def predict(self, sentences: Sequence[str], target: str) -> list[tuple[str, float]]:
        return self.predict_many([StanceQuery(s, target) for s in sentences])

    def predict_many(self, queries: Sequence[StanceQuery]) -> list[tuple[str, float]]:
        self.calls.append(list(queries))
        return [("favor", 0.9) if "prais" in q.text else ("against", 0.8) for q in queries]


@pytest.fixture(scope="module")
def counted(watchlist: list[WatchEntry]) -> tuple[Analyzer, CountingStance]:
    analyzer = Analyzer(watchlist, AnalyzerSettings(stance_backend="lexicon"))
    fake = CountingStance()
    analyzer.stance_model = fake
    return analyzer, fake


def test_stance_for_a_whole_chunk_is_one_model_call(counted) -> None:
    analyzer, fake = counted
    fake.calls.clear()
    texts = [f"Report {i}: critics praised Veltrix. Helena Duarte stayed silent on tariffs." for i in range(6)]
    answers = list(analyzer.analyze_batch({"id": str(i), "text": t} for i, t in enumerate(texts)))
    assert len(fake.calls) == 1 and len(fake.calls[0]) == 12
    for ans in answers:
        got = {(s["entity_id"], s["label"]) for s in ans["stance"]}
        assert got == {("veltrix", "favor"), ("helena-duarte", "against")}


def test_the_model_is_told_where_the_target_is_mentioned(counted) -> None:
    analyzer, fake = counted
    fake.calls.clear()
    analyzer.analyze_document("Analysts praised the new plant that Veltrix opened in Porto.")
    (query,) = fake.calls[0]
    assert query.start is not None and query.end is not None
    assert query.text[query.start : query.end] == "Veltrix" and query.target == "Veltrix Mobile"


def test_quoted_speaker_stance_has_the_quote_as_evidence(counted) -> None:
    analyzer, _ = counted
    text = '"We praise the work Veltrix has done here," said Tom Hale, an analyst at Kestrel Research.'
    ann, _ = analyzer.analyze_document(text)
    (quote,) = ann.quotes
    (stance,) = quote.stance
    assert (stance.holder, stance.entity_id, stance.label) == ("Tom Hale", "veltrix", "favor")
    assert text[stance.evidence.start : stance.evidence.end] == stance.evidence.text == quote.text


def test_a_quote_naming_nobody_is_read_as_about_what_its_paragraph_is_about(counted) -> None:
    analyzer, fake = counted
    text = ("Veltrix opened a plant in Porto on Monday.\n"
            "Reactions differed. \"We praise the speed of the build,\" said Tom Hale, an analyst at Kestrel Research.")
    fake.calls.clear()
    ann, _ = analyzer.analyze_document(text)
    (quote,) = ann.quotes
    (stance,) = quote.stance
    assert (stance.holder, stance.entity_id, stance.label) == ("Tom Hale", "veltrix", "favor")
    asked = [q for q in fake.calls[0] if q.text.endswith(quote.text)]
    assert asked and asked[0].text[asked[0].start:asked[0].end] == "Veltrix Mobile"  # the subject, named in front


def test_a_target_aware_model_reads_the_quotes_that_portray_the_target(watchlist) -> None:
    # How a writer quotes someone is the writer's portrayal of them: a model that reads the target's
    # mention gets the sentence whole; one blind to the target gets the author's words only.
    text = '"We praise the work done in Manaus," said Helena Duarte on Tuesday.'
    asked = {}
    for aware in (True, False):
        analyzer = Analyzer(watchlist, AnalyzerSettings(stance_backend="lexicon"))
        fake = CountingStance()
        fake.target_aware = aware  # type: ignore[attr-defined]
        analyzer.stance_model = fake
        ann, _ = analyzer.analyze_document(text)
        (query,) = [q for call in fake.calls for q in call if q.target == "Helena Duarte"]
        asked[aware] = (query, [s.label for s in ann.stance if s.entity_id == "helena-duarte"])
    query, labels = asked[True]
    assert query.text == text and query.text[query.start : query.end] == "Helena Duarte" and labels == ["favor"]
    query, labels = asked[False]
    assert "praise" not in query.text and labels == ["against"]


def test_trained_backend_without_weights_falls_back_to_lexicon(tmp_path, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="nlp.stance"):
        model = make_stance_model("trained", tmp_path)
    assert isinstance(model, LexiconStance)
    assert "no trained weights" in caplog.text


def test_transformers_backend_needs_an_existing_local_folder(tmp_path) -> None:
    with pytest.raises(StanceBackendError, match="stance_model_dir"):
        make_stance_model("transformers", None)
    with pytest.raises(StanceBackendError, match="no such folder"):
        make_stance_model("transformers", tmp_path / "missing")
    with pytest.raises(StanceBackendError, match="expected 'trained'"):
        make_stance_model("oracle")


def test_marking_wraps_the_mention_and_reports_its_new_offsets() -> None:
    text, start, end = mark("Shares of Veltrix fell.", 10, 17)
    assert text == "Shares of < Veltrix > fell." and text[start:end] == "< Veltrix >"
    assert mark("No target here.", None, None) == ("No target here.", None, None)


def test_tweeteval_metric_averages_favor_and_against_only() -> None:
    gold = ["favor", "against", "neutral", "neutral"]
    pred = ["favor", "against", "favor", "against"]
    assert tweeteval_f1(gold, pred) == pytest.approx(2 / 3)
    assert macro_f1(gold, pred) == pytest.approx((2 / 3 + 2 / 3 + 0) / 3)


@pytest.mark.skipif(not trained_weights_present(), reason="no trained stance weights in nlp/models/stance")
def test_trained_model_reads_favor_against_and_neutral_toward_the_target() -> None:
    model = make_stance_model("trained")
    assert isinstance(model, TrainedStance)
    texts = [
        ("Corvane delivered excellent results and won praise from investors.", "Corvane", "favor"),
        ("Critics say Halbrook lied to customers and should be shut down.", "Halbrook", "against"),
        ("Corvane will hold its annual meeting in Oslo on Tuesday.", "Corvane", "neutral"),
    ]
    preds = model.predict_many([StanceQuery(text, target) for text, target, _ in texts])  # mentions located
    assert [label for label, _ in preds] == [gold for _, _, gold in texts]
    assert all(1 / 3 <= score <= 1.0 for _, score in preds)


def test_cross_validation_folds_keep_each_story_whole_and_cover_every_row() -> None:
    from nlp.stance_data import StanceExample, grouped_folds, story_id

    assert story_id("outlet_17_4_2_Some Target_0_5") == "outlet_17"
    # POLUSA rows carry no story number: each article is its own group, not all of POLUSA one group
    assert story_id("polusa_v1_5512_-1_3_Some Target_0_5") == "polusa_v1_5512"
    assert story_id("polusa_v1_5512_-1_3_X_0_1") != story_id("polusa_v1_5513_-1_3_X_0_1")
    rows = [StanceExample(f"Sentence {i} about the mayor.", "the mayor", "neutral", group=f"story{i % 7}")
            for i in range(40)]
    rows += [StanceExample("A post.", "a topic", "favor", group=f"tweet:x:train:{i}") for i in range(9)]
    folds = grouped_folds(rows, 3, seed=5)
    assert sorted(i for f in folds for i in f) == list(range(len(rows)))
    for fold in folds:
        stories = {rows[i].group for i in fold}
        assert all(rows[j].group not in stories for other in folds if other is not fold for j in other)
    assert folds == grouped_folds(rows, 3, seed=5)  # fixed by the seed
    with pytest.raises(ValueError):
        grouped_folds(rows, 1, seed=5)



# An analyst's warning about a company is against it, however calmly put (own sentences, worded
# apart from the training rows of nlp/stance_written.py).
ANALYST_SAYS = [
    ('"Orders are drying up, and Brakstad will have to sell assets to keep its lenders happy," said Nora Lund, '
     "an analyst at Greyfield Partners.", "Brakstad", "against"),
    ("Felix Amari of Tidewater Research warned that Brakstad's plan to double capacity would drain its reserves "
     "just as prices fall.", "Brakstad", "against"),
    ('"We would not be surprised by a margin warning from Lumetra this spring," said Nora Lund of Greyfield '
     "Partners.", "Lumetra", "against"),
    ('"Lumetra\'s order book is the strongest in the industry," said Nora Lund of Greyfield Partners.', "Lumetra",
     "favor"),
    ('"Brakstad will open the plant in June," said Felix Amari of Tidewater Research.', "Brakstad", "neutral"),
]


@pytest.mark.skipif(not trained_weights_present(), reason="no trained stance weights in nlp/models/stance")
@pytest.mark.parametrize(("text", "target", "gold"), ANALYST_SAYS)
def test_an_analysts_warning_about_a_company_is_against_it(analyzer, text: str, target: str, gold: str) -> None:
    ann, _ = analyzer.analyze_document(text, targets=[target])
    (quote,) = ann.quotes
    assert [(s.target, s.label) for s in quote.stance] == [(target, gold)]


@pytest.mark.skipif(not trained_weights_present(), reason="no trained stance weights in nlp/models/stance")
def test_a_warning_that_names_nobody_is_against_its_paragraphs_subject(analyzer) -> None:
    text = ("Veltrix launched a cheaper tablet in Lisbon on Monday.\n"
            '"Nice hardware, but every unit sold at that price loses money," said Nora Lund, an analyst at '
            "Greyfield Partners.")
    ann, _ = analyzer.analyze_document(text)
    (quote,) = ann.quotes
    assert [(s.entity_id, s.label) for s in quote.stance] == [("veltrix", "against")]


@pytest.mark.skipif(not trained_weights_present(), reason="no trained stance weights in nlp/models/stance")
def test_an_indirect_warning_after_praise_is_against_the_company(analyzer) -> None:
    text = ("Ingrid Vos of Kestrel Research said that the tablet was well made but that margins on it were "
            "wafer thin, and warned that the new levies remained a risk for Veltrix.")
    ann, _ = analyzer.analyze_document(text)
    (quote,) = ann.quotes
    assert [(s.entity_id, s.label) for s in quote.stance] == [("veltrix", "against")]


def test_warning_cues_read_the_verb_and_the_words_but_not_a_denied_risk() -> None:
    from nlp.stance_cues import is_warning

    assert is_warning("costs will keep rising", around="Tom Hale, an analyst at Kestrel, warned that ")
    assert is_warning("Cash burn at the unit is the real problem")
    assert is_warning("They will have to cut their sales forecast")
    assert not is_warning("There is little risk of a downgrade this year")
    assert not is_warning("Orders are strong and margins are widening", around="said Tom Hale")


def test_written_analyst_rows_are_seeded_and_locate_their_company() -> None:
    from nlp.stance_written import written_examples

    rows = written_examples(seed=13)
    assert rows == written_examples(seed=13) and rows != written_examples(seed=14)
    assert {r.label for r in rows} == {"against", "favor", "neutral"}
    assert all(r.start is not None and r.end is not None and r.text[r.start : r.end] == r.target for r in rows)
    assert all(r.group.startswith("written:") for r in rows)
    assert not any("{" in r.text or "'s'" in r.text for r in rows)
