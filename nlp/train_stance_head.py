"""Cross-validate small heads on a frozen encoder's vectors (``nlp/stance_head.py``); dev for the report.

    python -m nlp.train_stance_head --encoder-dir DIR [--name mpnet] [--cache /tmp/stance-vectors]
        [--folds 5] [--limit N] [--report out.json]

The encoder's vectors of NewsMTSC train + TweetEval train (and of the dev sets) are computed once
and cached under ``--cache`` (outside the repo); the candidate heads are then compared by
cross-validation on the training data (whole stories per fold). The head with the best
cross-validated figure is fitted on all the training rows and only then scored on NewsMTSC dev
rw/mt and TweetEval val, which choose nothing. ``--limit`` takes a seeded sample of the training
rows (a slice for a loaded machine); the report says so.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nlp import stance_head
from nlp.stance_data import LABELS, load_newsmtsc, load_tweeteval, scores_by_set


def _log(msg: str) -> None:
    print(f"[train_stance_head {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlp.train_stance_head", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--encoder-dir", type=Path, required=True, help="a local encoder folder (frozen)")
    parser.add_argument("--name", default="", help="the encoder's name in the cache and the report")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/stance-vectors"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--limit", type=int, default=0, help="a seeded sample of this many training rows")
    parser.add_argument("--no-tweets", action="store_true", help="NewsMTSC train only")
    parser.add_argument("--max-len", type=int, default=96)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--report", type=Path, default=None, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    name = args.name or args.encoder_dir.name
    train = load_newsmtsc(args.data, "train")
    if not args.no_tweets:
        train += load_tweeteval(args.data, "train")
    if args.limit:
        train = random.Random(args.seed).sample(train, min(args.limit, len(train)))
    devs = {"dev_rw": load_newsmtsc(args.data, "dev_rw"), "dev_mt": load_newsmtsc(args.data, "dev_mt"),
            "tweeteval_val": load_tweeteval(args.data, "val")}

    def vectors(exs: list) -> np.ndarray:  # type: ignore[type-arg]
        t0 = time.perf_counter()
        x = stance_head.cached_features(args.cache, name, args.encoder_dir, exs, args.max_len)
        _log(f"{len(exs)} vectors in {time.perf_counter() - t0:.0f} s")
        return x

    x = vectors(train)
    table = stance_head.cross_validate_heads(x, train, args.folds, args.seed)
    for head, row in table.items():
        _log(f"CV {head}: {row}")
    chosen = stance_head.choose(table)
    spec = next(s for s in stance_head.DEFAULT_HEADS if s.name == chosen)
    model = stance_head.make_head(spec, args.seed).fit(x, np.array([LABELS.index(e.label) for e in train]))
    dev_scores = {}
    for split, exs in devs.items():
        preds = [LABELS[i] for i in model.predict(vectors(exs))]
        dev_scores[split] = scores_by_set(exs, preds)
    rw, mt = dev_scores["dev_rw"]["newsmtsc"], dev_scores["dev_mt"]["newsmtsc"]
    report = {"encoder": name, "train_rows": len(train), "limit": args.limit, "folds": args.folds,
              "seed": args.seed, "cross_validated": table, "chosen": chosen, "dev": dev_scores,
              "dev_newsmtsc_mean": round((rw + mt) / 2, 4)}
    _log(f"chosen {chosen}; dev {dev_scores}, NewsMTSC mean {report['dev_newsmtsc_mean']}")
    if args.report:
        args.report.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
