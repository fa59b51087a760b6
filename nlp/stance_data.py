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
    group: str = ""  # the source document: cross-validation folds never split one


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
                    group=story_id(str(row.get("id", ""))),
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
        for n, (text, label) in enumerate(zip(texts, labels, strict=False)):
            out.append(StanceExample(text=text.strip(), target=target, label=_TWEETEVAL[int(label)],
                                     group=f"tweet:{folder}:{split}:{n}"))
    return out


def story_id(row_id: str) -> str:
    """NewsMTSC ids read ``<source>_<story>_<article>_<sentence>_<target>...``; the story is the first
    two parts. Articles of one story (several outlets on one event) share targets and wording, so a
    fold holds whole stories: held-out figures then read like figures on unseen news. POLUSA ids read
    ``polusa_v1_<article>_...``: no story numbers, so the article is the group (taking two parts made
    all of POLUSA, 4,635 of 8,739 train rows, one group and one fold)."""
    parts = row_id.split("_")
    return "_".join(parts[:3] if len(parts) > 2 and parts[0] == "polusa" else parts[:2])


def grouped_folds(examples: Sequence[StanceExample], k: int, seed: int) -> list[list[int]]:
    """``k`` held-out index lists covering ``examples``, whole groups (stories) per fold, fixed by ``seed``.

    Groups are shuffled, then each goes to the fold with fewest examples so far (folds of even size)."""
    import random

    if k < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, got {k}")
    by_group: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        by_group.setdefault(ex.group or f"row:{i}", []).append(i)
    groups = sorted(by_group)
    random.Random(seed).shuffle(groups)
    groups.sort(key=lambda g: -len(by_group[g]))  # big stories first: stable, even folds
    folds: list[list[int]] = [[] for _ in range(k)]
    for g in groups:
        min(folds, key=len).extend(by_group[g])
    return [sorted(f) for f in folds]


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, labels=list(LABELS), average="macro", zero_division=0))


def tweeteval_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """TweetEval's official stance metric: the mean of the F1 of favor and of against."""
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, labels=["favor", "against"], average="macro", zero_division=0))


def scores_by_set(exs: Sequence[StanceExample], preds: Sequence[str]) -> dict[str, float]:
    """Macro-F1 on the news rows, TweetEval's favor/against F1 on the post rows and macro-F1 on the
    project's own written rows, each where present (the groups say which set a row is from)."""
    out: dict[str, float] = {}
    news = [i for i, e in enumerate(exs) if not e.group.startswith(("tweet:", "written:"))]
    tweets = [i for i, e in enumerate(exs) if e.group.startswith("tweet:")]
    written = [i for i, e in enumerate(exs) if e.group.startswith("written:")]
    if written:
        out["written"] = round(macro_f1([exs[i].label for i in written], [preds[i] for i in written]), 4)
    if news:
        out["newsmtsc"] = round(macro_f1([exs[i].label for i in news], [preds[i] for i in news]), 4)
    if tweets:
        out["tweeteval"] = round(tweeteval_f1([exs[i].label for i in tweets], [preds[i] for i in tweets]), 4)
    return out
