"""Tone and stance. The lexicon backend (VADER) is a placeholder behind ``StanceModel``;
a trained model implements the same ``predict`` and slots in through ``make_stance_model``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

FAVOR_AT = 0.25
AGAINST_AT = -0.25


class StanceModel(Protocol):
    name: str
    version: str

    def predict(self, sentences: Sequence[str], target: str) -> list[tuple[str, float]]:
        """One ``(label, probability of label)`` per sentence; label is favor|against|neutral."""
        ...


_VADER: SentimentIntensityAnalyzer | None = None


def vader() -> SentimentIntensityAnalyzer:
    """One shared VADER analyser (its lexicon loads once per process)."""
    global _VADER
    if _VADER is None:
        _VADER = SentimentIntensityAnalyzer()
    return _VADER


def compound(text: str) -> float:
    return float(vader().polarity_scores(text)["compound"])


def label_compound(c: float) -> tuple[str, float]:
    """Map a VADER compound in [-1, 1] to a label and a probability-like confidence in [0.5, 1]."""
    if c >= FAVOR_AT:
        return "favor", round(0.5 + 0.5 * min(1.0, c), 4)
    if c <= AGAINST_AT:
        return "against", round(0.5 + 0.5 * min(1.0, -c), 4)
    return "neutral", round(1.0 - 0.5 * abs(c) / FAVOR_AT, 4)


class LexiconStance:
    """Sentence sentiment as a stand-in for stance (ignores the target beyond sentence choice)."""

    name = "lexicon"
    version = "vader-3.3.2/1.0"

    def predict(self, sentences: Sequence[str], target: str) -> list[tuple[str, float]]:
        return [label_compound(compound(s)) for s in sentences]

    def compound(self, sentence: str) -> float:
        return compound(sentence)


class StanceBackendError(ValueError):
    """The configured stance backend cannot be built; the message says what to change."""


def make_stance_model(backend: str, model_dir: str | Path | None = None) -> StanceModel:
    if backend == "lexicon":
        return LexiconStance()
    if backend == "transformers":
        if model_dir is None:
            raise StanceBackendError(
                "nlp.stance_backend = 'transformers' needs nlp.stance_model_dir: the folder of a local "
                "fine-tuned model (no model is downloaded); or set stance_backend = 'lexicon'"
            )
        if not Path(model_dir).is_dir():
            raise StanceBackendError(f"nlp.stance_model_dir: no such folder: {model_dir}")
        raise StanceBackendError(
            "nlp.stance_backend = 'transformers' is not implemented yet; set stance_backend = 'lexicon'"
        )
    raise StanceBackendError(f"nlp.stance_backend: expected 'lexicon' or 'transformers', got {backend!r}")
