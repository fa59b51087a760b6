"""The learned line classifier: gradient-boosted trees read from JSON, and the text they keep.

The model (``models/article_lines.json``) is written by ``pipeline/evals/train_article_lines.py``
from scikit-learn's ``HistGradientBoostingClassifier``; its trees are evaluated here with numpy, all
candidate lines of a page at once, so extraction needs neither scikit-learn nor a pickle. ``refine``
keeps the base text's lines unless the model is sure they are boilerplate and adds other engines' lines
only when it is sure they are content: between the two thresholds the base text (trafilatura's)
stands, so an unsure model changes nothing.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

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
        """P(content) of each row: every tree walked for all rows at once (numpy), leaf values added in
        tree order as a per-row loop would, so the figures are those of the trees read one by one."""
        if not rows:
            return []
        x = np.asarray(rows, dtype=np.float64)
        t = self._table
        n_rows, n_trees = x.shape[0], len(self.trees)
        flat_x = x.ravel()
        # positions in the flattened [tree, node] tables, and of each row's first feature in flat_x
        node = np.broadcast_to(np.arange(n_trees) * t.width, (n_rows, n_trees)).ravel().copy()
        row_start = np.repeat(np.arange(n_rows) * x.shape[1], n_trees)
        for _ in range(t.depth):
            leaf = t.leaf[node]
            if leaf.all():
                break
            value = flat_x[row_start + t.feature[node]]
            go_left = np.where(np.isnan(value), t.missing_left[node], value <= t.threshold[node])
            node = np.where(leaf, node, np.where(go_left, t.left[node], t.right[node]))
        leaves = t.value[node].reshape(n_rows, n_trees)
        raw = np.full(n_rows, self.baseline)
        for k in range(n_trees):
            raw = raw + leaves[:, k]
        return [1.0 / (1.0 + math.exp(-r)) for r in raw.tolist()]

    @functools.cached_property
    def _table(self) -> _Table:
        return _Table.of(self.trees)


@dataclass(frozen=True)
class _Table:
    """The trees as padded arrays, flattened [tree, node], for walking many rows at once."""

    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf: np.ndarray
    value: np.ndarray
    depth: int  # the longest root-to-leaf path, in steps
    width: int  # nodes per tree in the tables (the largest tree's; smaller ones padded with leaves)

    @staticmethod
    def of(trees: Sequence[Sequence[Sequence[Any]]]) -> _Table:
        width = max((len(nodes) for nodes in trees), default=1)
        shape = (len(trees), width)
        feature, left, right = (np.zeros(shape, dtype=np.intp) for _ in range(3))
        threshold, value = np.zeros(shape), np.zeros(shape)
        missing_left, leaf = np.zeros(shape, dtype=bool), np.ones(shape, dtype=bool)
        depth = 0
        for t, nodes in enumerate(trees):
            for i, (f, thr, miss, lft, rgt, is_leaf, val) in enumerate(nodes):
                feature[t, i], threshold[t, i], missing_left[t, i] = f, thr, miss
                left[t, i], right[t, i], leaf[t, i], value[t, i] = lft, rgt, is_leaf, val
            depth = max(depth, _depth(nodes))
        offset = (np.arange(len(trees)) * width)[:, None]  # child indexes become flat positions
        return _Table(feature.ravel(), threshold.ravel(), missing_left.ravel(), (left + offset).ravel(),
                      (right + offset).ravel(), leaf.ravel(), value.ravel(), depth, width)


def _depth(nodes: Sequence[Sequence[Any]]) -> int:
    deepest, stack = 0, [(0, 0)]
    while stack:
        i, d = stack.pop()
        if nodes[i][5]:
            deepest = max(deepest, d)
        else:
            stack += [(int(nodes[i][3]), d + 1), (int(nodes[i][4]), d + 1)]
    return deepest


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
