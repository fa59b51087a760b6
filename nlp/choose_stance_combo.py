"""Choose what sits on top of the stance network from a grouped hold-out run, never from dev.

    python -m nlp.train_stance --folds 5 --epochs 1 --holdout /tmp/oof.json --out /tmp/stance-fold
    python -m nlp.choose_stance_combo --holdout /tmp/oof.json --weights /tmp/stance-fold/epoch1 \\
        [--write nlp/models/stance/meta.json]

The hold-out run trains on four fifths of the training data (whole stories held out) and keeps the
held-out fifth's probabilities. Here the fold's model also reads each held-out row through a second
view (the sentence cut to a window of words around the target's mention, ``stance_net.window``),
and a grid over (window, mixing weight, per-class log offsets) is scored on the held-out news rows;
the held-out posts must not lose more than ``--post-slack``. The figure a choice earns on the rows
it was chosen on is optimistic, so the report also gives a two-way check: choose on one half of the
held-out stories, score the other half, and the reverse. A choice is taken only when, chosen on either half, it beats
the plain model on the other; otherwise the plain model is recorded (and the candidate under
``rejected``). ``--write`` puts the choice under
``combine`` in the shipped model's ``meta.json`` (``TrainedStance`` applies it).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlp.stance_data import LABELS, StanceExample, macro_f1, tweeteval_f1

WINDOWS = (0, 8, 14)  # 0: no second view
WEIGHTS = (0.25, 0.5, 0.75)  # the window view's share of the mixed probabilities
OFFSETS = tuple(round(x, 2) for x in np.arange(-0.6, 0.61, 0.2))  # added to log p(against), log p(favor)


def _log(msg: str) -> None:
    print(f"[choose_stance_combo {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def view_probabilities(weights: Path, rows: Sequence[StanceExample], words: int) -> np.ndarray:
    """The fold model's probabilities of ``rows`` read through the window view."""
    import torch

    from nlp import stance_net  # deferred with torch: the chooser's grid needs neither

    net, tokenizer, meta = stance_net.load(weights)
    items = [stance_net.window(e.text, e.start, e.end, words) for e in rows]
    out = np.zeros((len(rows), len(LABELS)), dtype=np.float64)
    order = sorted(range(len(rows)), key=lambda i: len(items[i][0]))
    with torch.inference_mode():
        for k in range(0, len(order), 64):
            idx = order[k : k + 64]
            batch = stance_net.encode(tokenizer, [(items[i][0], rows[i].target, items[i][1], items[i][2])
                                                  for i in idx], int(meta.get("max_len", 96)))
            out[idx] = net(batch).softmax(-1).numpy()
    return out


def combine(base: np.ndarray, view: np.ndarray | None, weight: float, offsets: tuple[float, float]) -> np.ndarray:
    """Mixed probabilities, then per-class log offsets (against, favor; neutral stays): the scores
    whose argmax is the label. The same arithmetic as ``TrainedStance``."""
    mixed = base if view is None or weight == 0 else (1 - weight) * base + weight * view
    logp = np.log(np.clip(mixed, 1e-9, 1.0))
    logp[:, LABELS.index("against")] += offsets[0]
    logp[:, LABELS.index("favor")] += offsets[1]
    return logp


def _score(rows: Sequence[StanceExample], logp: np.ndarray, idx: Sequence[int], post: bool) -> float:
    gold = [rows[i].label for i in idx]
    pred = [LABELS[int(logp[i].argmax())] for i in idx]
    return tweeteval_f1(gold, pred) if post else macro_f1(gold, pred)


Candidate = tuple[int, float, tuple[float, float]]


def candidates() -> list[Candidate]:
    out: list[Candidate] = []
    for w in WINDOWS:
        for weight in (0.0,) if w == 0 else WEIGHTS:
            out += [(w, weight, (a, f)) for a, f in itertools.product(OFFSETS, OFFSETS)]
    return out


def choose(rows: Sequence[StanceExample], base: np.ndarray, views: dict[int, np.ndarray],
           news: Sequence[int], posts: Sequence[int], post_slack: float) -> tuple[Candidate, float]:
    """The candidate with the best news figure on ``news`` whose post figure on ``posts`` is within
    ``post_slack`` of the plain model's; ties go to the simpler one (no view, smaller offsets)."""
    plain_post = _score(rows, combine(base, None, 0.0, (0.0, 0.0)), posts, True) if posts else 0.0
    best: tuple[tuple[float, ...], Candidate, float] | None = None
    for cand in candidates():
        w, weight, off = cand
        logp = combine(base, views.get(w), weight, off)
        if posts and _score(rows, logp, posts, True) < plain_post - post_slack:
            continue
        f1 = _score(rows, logp, news, False)
        key = (round(f1, 4), -float(w > 0), -abs(off[0]) - abs(off[1]), -weight)
        if best is None or key > best[0]:
            best = (key, cand, f1)
    assert best is not None  # the plain model itself always qualifies
    return best[1], best[2]


def _halves(rows: Sequence[StanceExample], idx: Sequence[int]) -> tuple[list[int], list[int]]:
    """Two halves of ``idx`` by whole groups (stories), alternating in sorted group order."""
    groups = sorted({rows[i].group for i in idx})
    first = set(groups[::2])
    return [i for i in idx if rows[i].group in first], [i for i in idx if rows[i].group not in first]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlp.choose_stance_combo", description=__doc__.split("\n")[0])
    parser.add_argument("--holdout", type=Path, required=True, help="the JSON file of train_stance --holdout")
    parser.add_argument("--weights", type=Path, required=True, help="the hold-out run's weights folder")
    parser.add_argument("--epoch", default="", help="the hold-out epoch to read (default: the last)")
    parser.add_argument("--post-slack", type=float, default=0.01)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--write", type=Path, default=None, help="a meta.json to record the choice in")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    record = json.loads(args.holdout.read_text(encoding="utf-8"))
    rows = [StanceExample(**r) for r in record["held_rows"]]
    epoch = args.epoch or max(record["epochs"], key=int)
    base = np.array(record["epochs"][epoch]["probs"], dtype=np.float64)
    if len(base) != len(rows):
        raise SystemExit(f"{args.holdout}: {len(base)} probabilities for {len(rows)} held-out rows")
    news = [i for i, e in enumerate(rows) if not e.group.startswith("tweet:")]
    posts = [i for i, e in enumerate(rows) if e.group.startswith("tweet:")]
    views = {}
    for w in WINDOWS:
        if w:
            t0 = time.perf_counter()
            views[w] = view_probabilities(args.weights, rows, w)
            _log(f"window {w}: {len(rows)} rows in {time.perf_counter() - t0:.0f} s")
    plain = combine(base, None, 0.0, (0.0, 0.0))
    chosen, f1 = choose(rows, base, views, news, posts, args.post_slack)
    w, weight, off = chosen
    logp = combine(base, views.get(w), weight, off)
    a, b = _halves(rows, news)
    checks: list[dict[str, Any]] = []
    gains: list[float] = []
    for tune, held in ((a, b), (b, a)):
        (cw, cweight, coff), _ = choose(rows, base, views, tune, posts, args.post_slack)
        checks.append({"chosen_on_half": [cw, cweight, list(coff)],
                       "plain": round(_score(rows, plain, held, False), 4),
                       "combined": round(_score(rows, combine(base, views.get(cw), cweight, coff), held, False), 4)})
        gains.append(checks[-1]["combined"] - checks[-1]["plain"])
    # taken only if, chosen on either half of the held-out stories, it beats the plain model on the other
    taken = all(g > 0 for g in gains)
    rejected = None if taken else {"window_words": w, "window_weight": weight,
                                   "offsets": {"against": off[0], "favor": off[1]},
                                   "heldout_combined": {"newsmtsc": round(f1, 4),
                                                        "tweeteval": round(_score(rows, logp, posts, True), 4)}}
    if not taken:
        w, weight, off, f1, logp = 0, 0.0, (0.0, 0.0), _score(rows, plain, news, False), plain
    report: dict[str, Any] = {
        "holdout": {"folds": record["folds"], "seed": record["seed"], "epoch": int(epoch),
                    "train_sample": record.get("limit", 0),
                    "news_rows": len(news), "post_rows": len(posts)},
        "window_words": w, "window_weight": weight, "offsets": {"against": off[0], "favor": off[1]},
        "heldout_plain": {"newsmtsc": round(_score(rows, plain, news, False), 4),
                          "tweeteval": round(_score(rows, plain, posts, True), 4)},
        "heldout_combined": {"newsmtsc": round(f1, 4), "tweeteval": round(_score(rows, logp, posts, True), 4)},
        "two_way_check": checks,
        "rejected": rejected,
    }
    _log(json.dumps(report))
    if args.write:
        meta = json.loads(args.write.read_text(encoding="utf-8"))
        meta["combine"] = report
        args.write.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        _log(f"written under 'combine' in {args.write}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
