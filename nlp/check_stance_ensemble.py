"""Does averaging stance networks of different seeds beat one network? Judged on held-out stories, never on dev.

    python -m nlp.train_stance --folds 5 --fold-seed 13 --seed 21 --epochs 3 --threads 1 \\
        --holdout /tmp/ho_s21.json --out /tmp/ho_s21          # and again with --seed 29
    python -m nlp.check_stance_ensemble /tmp/ho_s21.json /tmp/ho_s29.json [--epoch 3] \\
        [--write nlp/models/stance/meta.json --members seed21 seed29]
    cp -r /tmp/ho_s21/epoch3 nlp/models/stance/seed21     # and seed29: the shipped members

Each hold-out run trains on the same four fifths of the training data (``--fold-seed`` fixes which
stories are held out) with its own seed and keeps the held-out fifth's probabilities. Here every
single run and the mean of all runs' probabilities are scored on the held-out news rows (macro-F1)
and posts (TweetEval's favor/against F1), on all held-out stories and on each half of them (split by
story): averaging is taken only when it beats every single run on the news rows of both halves
and leaves the posts no more than ``--post-slack`` below the single runs' mean. ``--write``
records the verdict under ``ensemble_check`` in the shipped model's ``meta.json``; the members
that ship are listed there under ``members`` (``TrainedStance`` averages them).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlp.stance_data import LABELS, StanceExample, scores_by_set


def _rows(record: dict[str, Any]) -> list[StanceExample]:
    return [StanceExample(**r) for r in record["held_rows"]]


def story_halves(rows: Sequence[StanceExample]) -> tuple[list[int], list[int]]:
    """The held-out rows in two halves, whole stories (or posts) apart, fixed by the stories' names."""
    groups = sorted({r.group or f"row:{i}" for i, r in enumerate(rows)})
    first = set(groups[::2])
    a = [i for i, r in enumerate(rows) if (r.group or f"row:{i}") in first]
    b = [i for i, r in enumerate(rows) if (r.group or f"row:{i}") not in first]
    return a, b


def check(records: Sequence[dict[str, Any]], epoch: int, post_slack: float) -> dict[str, Any]:
    """Scores of each run and of their mean, on all held-out rows and on each half; the verdict."""
    rows = _rows(records[0])
    for rec in records[1:]:
        if [r["text"] for r in rec["held_rows"]] != [r.text for r in rows]:
            raise ValueError("hold-out runs held out different rows: train them with the same --fold-seed")
    probs = [np.asarray(rec["epochs"][str(epoch)]["probs"], dtype=np.float64) for rec in records]
    mean = np.mean(probs, axis=0)
    parts = {"all": list(range(len(rows))), **dict(zip(("half_a", "half_b"), story_halves(rows), strict=True))}

    def scores(p: np.ndarray) -> dict[str, dict[str, float]]:
        # the training run's own per-set metric (news macro-F1, posts' favor/against F1), on each part
        return {name: scores_by_set([rows[i] for i in idx], [LABELS[int(p[i].argmax())] for i in idx])
                for name, idx in parts.items()}

    singles = [scores(p) for p in probs]
    averaged = scores(mean)
    # a part without rows of a set (a --no-tweets run: no posts) scores that set 0, as an empty F1 does
    wins = all(averaged[h].get("newsmtsc", 0.0) > max(s[h].get("newsmtsc", 0.0) for s in singles)
               for h in ("half_a", "half_b"))
    # posts guard: against the run one would get from a seed picked blind (the singles' mean), not the
    # luckiest seed, whose lead over the others is the noise averaging removes
    posts_kept = (averaged["all"].get("tweeteval", 0.0)
                  >= np.mean([s["all"].get("tweeteval", 0.0) for s in singles]) - post_slack)
    return {
        "epoch": epoch,
        "runs": [{"seed": rec.get("seed"), **s} for rec, s in zip(records, singles, strict=True)],
        "averaged": averaged,
        "fold_seed": records[0].get("fold_seed", records[0].get("seed")),
        "held_rows": len(rows),
        "taken": bool(wins and posts_kept),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlp.check_stance_ensemble", description=__doc__.split("\n")[0])
    parser.add_argument("holdout", type=Path, nargs="+", help="hold-out JSON files of train_stance --holdout")
    parser.add_argument("--epoch", type=int, default=3)
    parser.add_argument("--post-slack", type=float, default=0.01)
    parser.add_argument("--write", type=Path, default=None, help="a meta.json to record the verdict in")
    parser.add_argument("--members", nargs="*", default=[],
                        help="with --write: the member folders (beside that meta.json) to list when averaging "
                             "is taken; when it is not, no members are listed")
    args = parser.parse_args(argv)
    if len(args.holdout) < 2:
        parser.error("give at least two hold-out runs")
    records = [json.loads(p.read_text(encoding="utf-8")) for p in args.holdout]
    try:
        verdict = check(records, args.epoch, args.post_slack)
    except (KeyError, ValueError) as exc:
        print(f"check_stance_ensemble: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(verdict, indent=2))
    if args.write:
        meta = json.loads(args.write.read_text(encoding="utf-8"))
        meta["ensemble_check"] = verdict
        meta.pop("members", None)
        if verdict["taken"] and args.members:
            meta["members"] = list(args.members)
        args.write.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
