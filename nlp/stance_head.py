"""A frozen encoder plus a small head, chosen by cross-validation on the training data.

The fine-tuned stance network (``nlp/stance_net.py``) must be retrained for every fold (38 min a run
on a quiet 2-core machine), so its epochs and architecture cannot be cross-validated cheaply. With a
frozen encoder the expensive part, the encoder's vectors, is computed once per encoder and cached
(outside the repo); every candidate head is then a few seconds per fold. This module holds both
parts: ``features`` (target-aware vectors: [CLS; mean of tokens; mean of the target's tokens], the
same input ``stance_net.encode`` builds) and ``cross_validate_heads`` (whole stories per fold, the
folds of ``stance_data.grouped_folds``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlp.stance import _locate  # the analyzer's own mention finder, for rows without offsets
from nlp.stance_data import LABELS, StanceExample, grouped_folds, scores_by_set


def _items(examples: Sequence[StanceExample]) -> list[tuple[str, str, int | None, int | None]]:
    out = []
    for e in examples:
        start, end = (e.start, e.end) if e.start is not None else _locate(e.text, e.target)
        out.append((e.text, e.target, start, end))
    return out


def features(encoder_dir: Path, examples: Sequence[StanceExample], max_len: int = 96,
             batch_size: int = 32) -> np.ndarray:
    """One row per example: the frozen encoder's [CLS; token mean; target-token mean] (float32)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from nlp.stance_net import encode  # deferred with torch: stance_net imports it at its top

    tokenizer = AutoTokenizer.from_pretrained(encoder_dir)
    model = AutoModel.from_pretrained(encoder_dir).eval()
    items = _items(examples)
    order = sorted(range(len(items)), key=lambda i: len(items[i][0]) + len(items[i][1]))
    out = np.zeros((len(items), 3 * model.config.hidden_size), dtype=np.float32)
    segments = "token_type_ids" in tokenizer.model_input_names
    with torch.inference_mode():
        for k in range(0, len(order), batch_size):
            idx = order[k : k + batch_size]
            b = encode(tokenizer, [items[i] for i in idx], max_len)
            kwargs: dict[str, Any] = {"input_ids": b.input_ids, "attention_mask": b.attention_mask}
            if segments:
                kwargs["token_type_ids"] = b.token_type_ids
            hidden = model(**kwargs).last_hidden_state
            att = b.attention_mask.unsqueeze(-1).to(hidden.dtype)
            tgt = b.target_mask.unsqueeze(-1).to(hidden.dtype)
            mean_all = (hidden * att).sum(1) / att.sum(1).clamp(min=1.0)
            mean_tgt = (hidden * tgt).sum(1) / tgt.sum(1).clamp(min=1.0)
            out[idx] = torch.cat([hidden[:, 0], mean_all, mean_tgt], -1).numpy()
    return out


def cached_features(cache_dir: Path, encoder_name: str, encoder_dir: Path,
                    examples: Sequence[StanceExample], max_len: int = 96) -> np.ndarray:
    """``features``, computed once per encoder and example list and kept in ``cache_dir`` (not the repo)."""
    key = hashlib.sha256()
    for text, target, start, end in _items(examples):
        key.update(f"{text}\x00{target}\x00{start}\x00{end}\x01".encode())
    path = Path(cache_dir) / f"{encoder_name}-{max_len}-{key.hexdigest()[:16]}.npy"
    if path.is_file():
        return np.load(path)
    feats = features(encoder_dir, examples, max_len)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, feats)
    return feats


@dataclass(frozen=True)
class HeadSpec:
    """One candidate head: ``kind`` ``logreg`` (C = ``strength``) or ``mlp`` (``hidden`` units, L2 ``strength``)."""

    kind: str
    strength: float
    hidden: int = 0

    @property
    def name(self) -> str:
        return f"{self.kind}(C={self.strength:g})" if self.kind == "logreg" else \
            f"mlp({self.hidden}, alpha={self.strength:g})"


DEFAULT_HEADS: tuple[HeadSpec, ...] = (
    HeadSpec("logreg", 0.1), HeadSpec("logreg", 1.0), HeadSpec("logreg", 10.0),
    HeadSpec("mlp", 1e-3, 256), HeadSpec("mlp", 1e-1, 256),
)


def make_head(spec: HeadSpec, seed: int) -> Any:
    """A scikit-learn pipeline: standardised inputs, then the head (fixed seed)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if spec.kind == "logreg":
        head: Any = LogisticRegression(C=spec.strength, max_iter=2000, class_weight="balanced")
    elif spec.kind == "mlp":
        head = MLPClassifier((spec.hidden,), alpha=spec.strength, early_stopping=True, random_state=seed,
                             max_iter=200)
    else:
        raise ValueError(f"unknown head kind {spec.kind!r}")
    return make_pipeline(StandardScaler(), head)


def cross_validate_heads(x: np.ndarray, train: Sequence[StanceExample], folds: int, seed: int,
                         heads: Sequence[HeadSpec] = DEFAULT_HEADS) -> dict[str, dict[str, float]]:
    """Held-out figures of every head, averaged over ``folds`` folds of whole stories."""
    gold = np.array([LABELS.index(e.label) for e in train])
    table: dict[str, dict[str, float]] = {}
    for spec in heads:
        rows = []
        for held in grouped_folds(train, folds, seed):
            mask = np.zeros(len(train), dtype=bool)
            mask[held] = True
            model = make_head(spec, seed).fit(x[~mask], gold[~mask])
            preds = [LABELS[i] for i in model.predict(x[mask])]
            rows.append(scores_by_set([train[i] for i in held], preds))
        # a fold may hold no rows of a set (big stories fill a fold first): mean over the folds that do
        keys = sorted({k for r in rows for k in r})
        table[spec.name] = {k: round(float(np.mean([r[k] for r in rows if k in r])), 4) for k in keys}
    return table


def choose(table: dict[str, dict[str, float]]) -> str:
    """The head with the best cross-validated news + posts figure (ties: the first listed, the simplest)."""
    return max(table, key=lambda name: table[name].get("newsmtsc", 0.0) + table[name].get("tweeteval", 0.0))
