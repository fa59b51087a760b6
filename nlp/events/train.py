"""Train the sentence-type classifier on the development sentences: ``python -m nlp.events.train``.

Two development sets are read: the invented sentences of ``nlp/events/data/dev.jsonl`` and the
hand-labelled Reuters sentences of ``nlp/events/data/reuters_dev.jsonl`` (files 009-016; only
offsets are stored, the text is read by path from the shared data folder, see
:mod:`nlp.events.sample_reuters`). The test sets under ``pipeline/evals/data`` are never used here.
``--cv K`` prints K-fold cross-validated per-type F1 of the classifier alone, which is how its
regularisation was chosen.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from nlp.events.classifier import MODEL_PATH, save, vectorizer
from nlp.events.rules import EVENT_TYPES
from nlp.events.sample_reuters import REUTERS_DEV_PATH, reuters_docs, shared_data_dir

DEV_PATH = Path(__file__).resolve().parent / "data" / "dev.jsonl"


def load(path: Path = DEV_PATH) -> tuple[list[str], np.ndarray]:
    texts, labels = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            texts.append(rec["text"])
            labels.append([int(t in rec["types"]) for t in EVENT_TYPES])
    return texts, np.array(labels)


def load_reuters(path: Path = REUTERS_DEV_PATH, folder: Path | None = None) -> tuple[list[str], np.ndarray]:
    """The labelled Reuters development sentences, their text read from the corpus by offsets."""
    recs = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    docs = reuters_docs(folder or shared_data_dir() / "corpus-reuters", {(r["file"], str(r["newid"])) for r in recs})
    texts = [docs[(r["file"], str(r["newid"]))][0][r["start"]:r["end"]] for r in recs]
    return texts, np.array([[int(t in r["types"]) for t in EVENT_TYPES] for r in recs])


def load_all() -> tuple[list[str], np.ndarray]:
    texts, y = load()
    rtexts, ry = load_reuters()
    return texts + rtexts, np.vstack([y, ry])


def fit(texts: list[str], y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    x = vectorizer().transform(texts)
    coefs, intercepts = [], []
    for j in range(y.shape[1]):
        if y[:, j].sum() == 0:
            coefs.append(np.zeros(x.shape[1]))
            intercepts.append(-4.0)
            continue
        clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        clf.fit(x, y[:, j])
        coefs.append(clf.coef_[0])
        intercepts.append(float(clf.intercept_[0]))
    return np.vstack(coefs), np.array(intercepts)


def cross_validate(texts: list[str], y: np.ndarray, c: float, k: int = 5) -> dict[str, float]:
    rng = np.random.default_rng(7)
    order = rng.permutation(len(texts))
    pred = np.zeros_like(y)
    x_all = vectorizer().transform(texts)
    for f in range(k):
        test = order[f::k]
        train = np.setdiff1d(order, test)
        coef, icpt = fit([texts[i] for i in train], y[train], c)
        logits = np.asarray(x_all[test] @ coef.T) + icpt
        pred[test] = (logits > 0).astype(int)
    out = {}
    for j, t in enumerate(EVENT_TYPES):
        tp = int(((pred[:, j] == 1) & (y[:, j] == 1)).sum())
        fp = int(((pred[:, j] == 1) & (y[:, j] == 0)).sum())
        fn = int(((pred[:, j] == 0) & (y[:, j] == 1)).sum())
        out[t] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    ap.add_argument("--cv", type=int, default=0, help="print K-fold cross-validated F1 instead of saving")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--prune", type=float, default=0.05,
                    help="set weights smaller than this to zero: a smaller file, the same decisions on the dev sets")
    args = ap.parse_args()
    texts, y = load_all()
    if args.cv:
        for t, f1 in cross_validate(texts, y, args.c, args.cv).items():
            print(f"{t:<16} F1 {f1:.2f}")
        return
    coef, icpt = fit(texts, y, args.c)
    coef[np.abs(coef) < args.prune] = 0.0
    save(args.out, list(EVENT_TYPES), coef, icpt)
    print(f"saved {args.out} ({args.out.stat().st_size // 1024} KB) from {len(texts)} sentences")


if __name__ == "__main__":
    main()
