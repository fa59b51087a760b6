"""The learned line classifier: gradient-boosted trees read from JSON, and the text they keep.

The model (``models/article_lines.json``) is written by ``pipeline/evals/train_article_lines.py``
from scikit-learn's ``HistGradientBoostingClassifier``; its trees are evaluated here in plain
Python, so extraction needs neither scikit-learn nor a pickle. ``refine`` keeps the base text's lines
unless the model is sure they are boilerplate and adds other engines' lines only when it is sure they
are content: between the two thresholds the base text (trafilatura's) stands, so an unsure model
changes nothing.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawlers.extract.lines import BlockIndex, Candidate, candidate_lines, features

MODEL_PATH = Path(__file__).parent / "models" / "article_lines.json"


@dataclass(frozen=True)
class LineModel:
    baseline: float
    # per tree, its nodes: (feature, threshold, missing_left, left, right, is_leaf, value)
    trees: tuple[tuple[tuple[Any, ...], ...], ...]
    voters: tuple[str, ...]  # engines whose agreement the features count, in feature order
    proposers: tuple[str, ...]  # engines whose lines may be added
    drop_below: float  # a base line is dropped when P(content) < this
    add_above: float  # another engine's line is added when P(content) > this

    def proba(self, rows: Sequence[Sequence[float]]) -> list[float]:
        out = []
        for row in rows:
            raw = self.baseline
            for nodes in self.trees:
                i = 0
                while True:
                    feature, threshold, missing_left, left, right, leaf, value = nodes[i]
                    if leaf:
                        raw += value
                        break
                    x = row[feature]
                    go_left = missing_left if math.isnan(x) else x <= threshold
                    i = left if go_left else right
            out.append(1.0 / (1.0 + math.exp(-raw)))
        return out


def from_dict(data: Mapping[str, Any]) -> LineModel:
    return LineModel(float(data["baseline"]), tuple(tuple(tuple(n) for n in t) for t in data["trees"]),
                     tuple(data["voters"]), tuple(data["proposers"]), float(data["drop_below"]),
                     float(data["add_above"]))


@functools.cache
def load_model(path: Path = MODEL_PATH) -> LineModel | None:
    """The shipped model, or None when it is missing or unreadable (the caller keeps the base text)."""
    try:
        return from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def refine(model: LineModel, base: str, others: Mapping[str, str], blocks: BlockIndex) -> tuple[str, int, int]:
    """(text, lines dropped, lines added): ``base`` without the lines the model is sure are boilerplate,
    with the proposers' lines it is sure are content, each placed after the base line its engine had before it."""
    cands = candidate_lines(base, {name: others.get(name, "") for name in model.proposers})
    if not cands:
        return base, 0, 0
    probs = model.proba(features(cands, base, others, model.voters, blocks))
    return assemble(cands, probs, others, model.drop_below, model.add_above)


def assemble(cands: Sequence[Candidate], probs: Sequence[float], others: Mapping[str, str],
             drop_below: float, add_above: float) -> tuple[str, int, int]:
    """The kept base lines in order, each added line after the base line its engine had last before it."""
    base = [c for c in cands if c.from_base]
    keep = [p >= drop_below for c, p in zip(cands, probs, strict=True) if c.from_base]
    after: dict[int, list[str]] = {}
    added = 0
    anchors = {source: _anchors(others.get(source, ""), base) for source in {c.source for c in cands}
               if source != "base"}
    for c, p in zip(cands, probs, strict=True):
        if c.from_base or p <= add_above:
            continue
        where = anchors[c.source][c.index]
        after.setdefault(where, []).append(c.text)
        added += 1
    out = list(after.get(-1, []))
    for i, c in enumerate(base):
        if keep[i]:
            out.append(c.text)
        out.extend(after.get(i, []))
    return "\n".join(out), keep.count(False), added


def _key(line: str) -> str:
    return " ".join(line.lower().split()[:6])


def _anchors(text: str, base: Sequence[Candidate]) -> list[int]:
    """For each line of an engine's text, the index of the last base line at or before it (-1: none yet)."""
    where: dict[str, int] = {}
    for i, c in enumerate(base):
        where.setdefault(_key(c.text), i)
    out, last = [], -1
    for line in (ln for ln in text.split("\n") if ln.strip()):
        last = max(last, where.get(_key(line), last))
        out.append(last)
    return out
