"""``newswatch eval events``: per-type precision and recall of event extraction on three test sets.

- ``invented``: sentences written for newswatch apart from the development set and never used to
  train or tune (``pipeline/evals/data/events_test.jsonl``).
- ``reuters``: real Reuters-21578 sentences, labelled by hand; the repository keeps only file,
  NEWID, character offsets into the article body and the labels
  (``pipeline/evals/data/events_reuters.jsonl``); the text is read from ../shared/data by path.
- ``reuters held-out``: 57 more Reuters sentences (files 017-020) that contain a trigger word,
  sampled with a fixed seed and labelled by hand after the factuality checks were written, so no
  rule was written against them (``pipeline/evals/data/events_reuters_heldout.jsonl``, offsets
  only); the later changes, tuned on the Reuters dev set below, never looked at their sentences.
  The first Reuters set was used for error analysis when the factuality checks were added.
- ``reuters dev (used for tuning)``: 240 Reuters sentences from files 009-016, sampled by
  ``python -m nlp.events.sample_reuters`` and labelled by hand; the rules were tuned and the
  classifier trained on them, so their figures are not a test (``nlp/events/data/reuters_dev.jsonl``).
- ``dev``: the invented development sentences, for reference only (the classifier was trained on them).

These sets were labelled before ``investment`` became a type: a predicted investment counts as their
``deal``. A sentence's prediction is the set of event types ``analyze`` reports for it. The baseline in the
same run is the trigger words alone (a type is predicted when any of its trigger phrases occurs).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from nlp.analyzer import Analyzer
from nlp.events.rules import EVENT_TYPES, TRIGGERS
from nlp.events.sample_reuters import REUTERS_DEV_PATH, reuters_docs
from nlp.events.sample_reuters import reuters_body as reuters_body  # where offsets were first defined
from pipeline.benches.common import shared_data_dir
from pipeline.evals import events_real, events_sentivent, events_web

DATA = Path(__file__).resolve().parent / "data"
TEST_PATH = DATA / "events_test.jsonl"
REUTERS_PATH = DATA / "events_reuters.jsonl"
REUTERS_HELDOUT_PATH = DATA / "events_reuters_heldout.jsonl"
DEV_PATH = Path(__file__).resolve().parents[2] / "nlp" / "events" / "data" / "dev.jsonl"

Item = tuple[str, str | None, set[str]]  # text, published_at, gold types


def load_jsonl(path: Path) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            items.append((rec["text"], rec.get("published_at"), set(rec["types"])))
    return items


def load_reuters(path: Path = REUTERS_PATH) -> list[Item]:
    recs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = reuters_docs(shared_data_dir() / "corpus-reuters", {(r["file"], str(r["newid"])) for r in recs})
    items = []
    for r in recs:
        body, pub = docs[(r["file"], str(r["newid"]))]
        items.append((body[r["start"]:r["end"]], pub, set(r["types"])))
    return items


def score(gold: list[set[str]], pred: list[set[str]]) -> dict[str, dict[str, float | int | None]]:
    out: dict[str, dict[str, float | int | None]] = {}
    tot = [0, 0, 0]
    for t in EVENT_TYPES:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if t in g and t in p)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if t not in g and t in p)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if t in g and t not in p)
        tot = [tot[0] + tp, tot[1] + fp, tot[2] + fn]
        out[t] = _prf(tp, fp, fn)
    out["micro"] = _prf(*tot)
    return out


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int | None]:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    return {"precision": p, "recall": r, "f1": f, "support": tp + fn}


def keyword_baseline(items: Iterable[Item]) -> list[set[str]]:
    return [{t for t, rx in TRIGGERS.items() if rx.search(text)} for text, _, _ in items]


def newswatch_predict(items: list[Item]) -> list[set[str]]:
    analyzer = Analyzer([])
    reqs = [{"id": str(i), "text": text, "published_at": pub, "lang": "en"} for i, (text, pub, _) in enumerate(items)]
    return [{e["type"] for e in ans["events"]} for ans in analyzer.analyze_batch(reqs)]


def as_labelled(pred: list[set[str]]) -> list[set[str]]:
    """These sets were labelled before ``investment`` was a type of its own: they call an investment a deal."""
    return [{"deal" if t == "investment" else t for t in p} for p in pred]


def evaluate(sets: dict[str, list[Item]], predict: Callable[[list[Item]], list[set[str]]] = newswatch_predict
             ) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for name, items in sets.items():
        gold = [g for _, _, g in items]
        for system, pred in (("newswatch", predict(items)), ("trigger words", keyword_baseline(items))):
            for t, s in score(gold, as_labelled(pred)).items():
                rows.append({"set": name, "sentences": len(items), "system": system, "type": t, **s})
    return rows


def _fmt(x: object) -> str:
    return "   -" if x is None else f"{float(x):.2f}"  # type: ignore[arg-type]


def _real_dev() -> dict[str, events_real.Tally] | None:
    try:
        pages = events_real.load_pages()
    except FileNotFoundError as exc:
        print(f"eval events: events-real-dev skipped: {exc}", file=sys.stderr)
        return None
    print(f"eval events: analyzing {len(pages)} events-real-dev pages", file=sys.stderr)
    return events_real.evaluate(pages, events_real.analyze_pages(pages))


def _sentivent(limit: int | None) -> tuple[list[dict[str, object]], list[set[str]], list[set[str]]] | None:
    try:
        recs = events_sentivent.load()
    except FileNotFoundError as exc:
        print(f"eval events: SENTiVENT dev skipped: {exc}", file=sys.stderr)
        return None
    if limit:
        recs = recs[:limit]
    print(f"eval events: analyzing {len(recs)} SENTiVENT dev sentences", file=sys.stderr)
    return recs, events_sentivent.predict(recs), events_sentivent.keyword(recs)


def _open_web(limit: int | None) -> dict[str, object] | None:
    try:
        events_web.halves()
    except FileNotFoundError as exc:
        print(f"eval events: open web skipped: {exc}", file=sys.stderr)
        return None
    print("eval events: analyzing the extraction-trafilatura pages (open web)", file=sys.stderr)
    return events_web.evaluate(limit)


def run(args: argparse.Namespace) -> int:
    sets: dict[str, list[Item]] = {"invented": load_jsonl(TEST_PATH)}
    try:
        sets["reuters"] = load_reuters()
        sets["reuters held-out"] = load_reuters(REUTERS_HELDOUT_PATH)
        sets["reuters dev (used for tuning)"] = load_reuters(REUTERS_DEV_PATH)
    except FileNotFoundError as exc:
        print(f"eval events: reuters set skipped: {exc}", file=sys.stderr)
    sets["dev (trained on)"] = load_jsonl(DEV_PATH)
    if args.limit:
        sets = {k: v[: args.limit] for k, v in sets.items()}
    rows = evaluate(sets)
    real = _real_dev()
    sv = _sentivent(args.limit)
    web = _open_web(args.limit)
    if args.json:
        for r in rows + (events_real.rows(real) if real else []) + (events_sentivent.rows(*sv) if sv else []) + (
                events_web.rows(web) if web else []):
            print(json.dumps(r))
        return 0
    if real:
        print("\n".join(events_real.report(real)))
    if sv:
        print("\n".join(events_sentivent.report(*sv)))
    if web:
        print("\n".join(events_web.report(web)))
    by = {(r["set"], r["type"], r["system"]): r for r in rows}
    for name, items in sets.items():
        print(f"\nevents on {name} ({len(items)} sentences): newswatch vs trigger words (baseline)")
        print(f"{'type':<16} {'P':>5} {'R':>5} {'F1':>5}   {'P':>5} {'R':>5} {'F1':>5}  support")
        for t in (*(t for t in EVENT_TYPES if t != "investment"), "micro"):
            a, b = by[(name, t, "newswatch")], by[(name, t, "trigger words")]
            print(f"{t:<16} {_fmt(a['precision'])} {_fmt(a['recall'])} {_fmt(a['f1'])}   "
                  f"{_fmt(b['precision'])} {_fmt(b['recall'])} {_fmt(b['f1'])}  {a['support']}")
    return 0
