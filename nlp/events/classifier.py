"""The trainable half of event extraction: how much a sentence reads like each event type.

One-vs-rest logistic regression over hashed word uni- and bigrams. Hashing keeps the shipped
weights a fixed, small array (no vocabulary file) and scoring costs one sparse dot product per
sentence, cheap next to NER. The rules find triggers and actors; this model weighs the sentence
as a whole ("launched an inquiry" vs "launched a phone"), so the two together set the confidence.
Trained by ``python -m nlp.events.train`` on the two development sets: the invented sentences of
``nlp/events/data/dev.jsonl`` and the hand-labelled Reuters sentences of
``nlp/events/data/reuters_dev.jsonl`` (text read by path at training time; only weights ship, with
weights under 0.05 set to zero so that the file stays small).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

MODEL_PATH = Path(__file__).resolve().parent / "model" / "sentence_types.npz"
N_FEATURES = 2**15
_NUM_RE = re.compile(r"\d[\d,.]*")


def normalise(sentence: str) -> str:
    """Numbers become one token, so "order for 40 locomotives" and "for 12" share features."""
    return _NUM_RE.sub(" 0 ", sentence.lower())


def vectorizer() -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(n_features=N_FEATURES, ngram_range=(1, 2), alternate_sign=False, norm="l2",
                             preprocessor=normalise, token_pattern=r"(?u)\b\w[\w'-]*\b|[$€£¥%]")


class SentenceTypeModel:
    """``predict(sentences) -> [{type: probability}]``; neutral 0.5 everywhere when no weights are shipped."""

    version = "1"

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else MODEL_PATH
        self.types, self.coef, self.intercept = load_head(self.path)
        self._vec = vectorizer() if self.coef is not None else None

    @property
    def trained(self) -> bool:
        return self.coef is not None

    def predict(self, sentences: list[str]) -> list[dict[str, float]]:
        if not sentences:
            return []
        if self.coef is None or self._vec is None or self.intercept is None:
            return [{} for _ in sentences]
        x = self._vec.transform(sentences)
        logits = np.asarray(x @ self.coef.T) + self.intercept
        probs = 1.0 / (1.0 + np.exp(-logits))
        return [dict(zip(self.types, map(float, row), strict=True)) for row in probs]


def load_head(path: Path) -> tuple[list[str], np.ndarray | None, np.ndarray | None]:
    """A logistic head saved by ``save``: its types, weights and biases; no weights when the file is absent."""
    if not path.exists():
        return [], None, None
    with np.load(path, allow_pickle=False) as z:
        return [str(t) for t in z["types"]], z["coef"].astype(np.float32), z["intercept"].astype(np.float32)


def save(path: Path, types: list[str], coef: np.ndarray, intercept: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, types=np.array(types), coef=coef.astype(np.float16), intercept=intercept)
