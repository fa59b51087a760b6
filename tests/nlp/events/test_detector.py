"""The learned detector's pieces: shipped head, hints, data rebuilt identically, SENTiVENT de-tokenising."""

import numpy as np

from nlp.events.detector import EventTypeDetector, hint_span, hinted
from nlp.events.detector_data import HEAD_TYPES, sentences
from pipeline.evals.events_sentivent import detok


def test_head_is_shipped_small_and_scores_vectors() -> None:
    det = EventTypeDetector()
    assert det.trained and det.types == list(HEAD_TYPES)
    assert det.path.stat().st_size < 100_000
    v = np.zeros((2, 384), dtype=np.float32)
    assert det.scores(v).shape == (2, len(HEAD_TYPES))


def test_training_sentences_are_fixed_by_seed() -> None:
    assert sentences(seed=14) == sentences(seed=14)
    assert {label for _, label in sentences()} == {*HEAD_TYPES, "none"}


def test_hints_and_detok() -> None:
    assert "product_launch" in hinted("Orvane rolled out a payment app.")
    assert hinted("The weather was mild.") == []
    assert hint_span("Orvane rolled out a payment app.", "product_launch") == (7, 17)  # "rolled out"
    assert detok("Orvane Inc . said it 's up 4 % .") == "Orvane Inc. said it's up 4%."


def test_detector_reads_the_sense_of_the_sentence() -> None:
    """Sentences written for this test (not in the training set): a launch said without a trigger word
    reads as a launch; a shell command 'launching' a process and a shop's 'where to buy' do not."""
    det = EventTypeDetector()
    launch, shell, shop = det.predict(["Halvorsen Audio put its first wireless earbuds on sale in Norway today.",
                                       "Typing make run will launch a local web server on port 8000.",
                                       "Where to buy the cheapest graphics cards this week"])
    assert launch["product_launch"] > 0.5
    assert shell["product_launch"] < launch["product_launch"] and shop["deal"] < 0.5
