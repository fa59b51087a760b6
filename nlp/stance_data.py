"""Stance training and evaluation data, read by path from ``../shared/data`` (never copied).

Both sets become ``StanceExample`` rows with our labels (favor/against/neutral), so training,
evaluation and the baselines share one loader and one metric module.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

LABELS: tuple[str, ...] = ("against", "neutral", "favor")

# NewsMTSC (hf/ files): -1 negative, 0 neutral, 1 positive toward the mentioned target.
_NEWSMTSC = {-1: "against", 0: "neutral", 1: "favor"}
# TweetEval stance mapping.txt: 0 none, 1 against, 2 favor; the target is the folder.
_TWEETEVAL = {0: "neutral", 1: "against", 2: "favor"}
TWEETEVAL_TARGETS: dict[str, str] = {
    "abortion": "legalization of abortion",
    "atheism": "atheism",
    "climate": "climate change is a real concern",
    "feminist": "feminist movement",
    "hillary": "Hillary Clinton",
}


@dataclass(frozen=True)
class StanceExample:
    """One sentence, one target; ``start``/``end`` locate the target's mention when it is in the text."""

    text: str
    target: str
    label: str
    start: int | None = None
    end: int | None = None


def load_newsmtsc(data_dir: Path, split: str) -> list[StanceExample]:
    """``split``: ``train``, ``dev_rw`` or ``dev_mt`` (the flattened ``hf/`` files, one target a line)."""
    path = Path(data_dir) / "stance-news-entity" / "hf" / f"{split}.jsonl"
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            out.append(
                StanceExample(
                    text=row["sentence"],
                    target=row["mention"],
                    label=_NEWSMTSC[int(row["polarity"])],
                    start=int(row["from"]),
                    end=int(row["to"]),
                )
            )
    return out


def load_tweeteval(data_dir: Path, split: str) -> list[StanceExample]:
    """``split``: ``train`` or ``val``; all five targets pooled, as the official metric does."""
    root = Path(data_dir) / "stance-tweeteval"
    out = []
    for folder, target in TWEETEVAL_TARGETS.items():
        texts = (root / folder / f"{split}_text.txt").read_text(encoding="utf-8").split("\n")
        labels = (root / folder / f"{split}_labels.txt").read_text(encoding="utf-8").split()
        for text, label in zip(texts, labels, strict=False):
            out.append(StanceExample(text=text.strip(), target=target, label=_TWEETEVAL[int(label)]))
    return out


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, labels=list(LABELS), average="macro", zero_division=0))


def tweeteval_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """TweetEval's official stance metric: the mean of the F1 of favor and of against."""
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, labels=["favor", "against"], average="macro", zero_division=0))
