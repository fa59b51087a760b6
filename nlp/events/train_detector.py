"""Train the detector head: ``python -m nlp.events.train_detector`` (fixed seed; writes model/detector_head.npz).

Data: only the sentences written for newswatch in :mod:`nlp.events.detector_data` (never SENTiVENT, never
any test set). One binary logistic regression per type over the MiniLM sentence vectors, the other types'
sentences and the ``none`` sentences as negatives.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from nlp.events.detector import HEAD_PATH, SentenceEncoder, save_head
from nlp.events.detector_data import HEAD_TYPES, sentences

SEED = 14


def main(argv: list[str] | None = None) -> int:
    import torch
    from sklearn.linear_model import LogisticRegression

    ap = argparse.ArgumentParser(prog="python -m nlp.events.train_detector")
    ap.add_argument("--out", type=Path, default=HEAD_PATH)
    ap.add_argument("--C", type=float, default=4.0, help="inverse regularisation of each head")
    args = ap.parse_args(argv)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    data = sentences(seed=SEED)
    print(f"train_detector: encoding {len(data)} written sentences", file=sys.stderr)
    x = SentenceEncoder().encode([s for s, _ in data])
    coefs, icpts = [], []
    for t in HEAD_TYPES:
        y = np.array([int(label == t) for _, label in data])
        clf = LogisticRegression(C=args.C, max_iter=2000, class_weight="balanced", random_state=SEED)
        clf.fit(x, y)
        coefs.append(clf.coef_[0])
        icpts.append(clf.intercept_[0])
        print(f"train_detector: {t}: {int(y.sum())} positive sentences, train accuracy {clf.score(x, y):.3f}",
              file=sys.stderr)
    save_head(args.out, list(HEAD_TYPES), np.array(coefs), np.array(icpts))
    print(f"train_detector: wrote {args.out} ({args.out.stat().st_size} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
