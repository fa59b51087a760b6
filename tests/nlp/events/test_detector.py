"""The learned detector's pieces: shipped head, hints, data rebuilt identically, SENTiVENT de-tokenising."""

import numpy as np

from nlp.events.detector import DETECTED_TYPES, EventTypeDetector, hinted
from nlp.events.detector_data import sentences
from pipeline.evals.events_sentivent import detok


def test_head_is_shipped_small_and_scores_vectors() -> None:
    det = EventTypeDetector()
    assert det.trained and det.types == list(DETECTED_TYPES)
    assert det.path.stat().st_size < 100_000
    v = np.zeros((2, 384), dtype=np.float32)
    assert det.scores(v).shape == (2, len(DETECTED_TYPES))


def test_training_sentences_are_fixed_by_seed() -> None:
    assert sentences(seed=14) == sentences(seed=14)
    assert {label for _, label in sentences()} == {"product_launch", "deal", "investment", "none"}


def test_hints_and_detok() -> None:
    assert "product_launch" in hinted("Orvane rolled out a payment app.")
    assert hinted("The weather was mild.") == []
    assert detok("Orvane Inc . said it 's up 4 % .") == "Orvane Inc. said it's up 4%."
