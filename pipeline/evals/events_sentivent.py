"""SENTiVENT dev scoring for ``newswatch eval events``: launch and deal sentences in real company news.

``../shared/data/events-sentivent-dev/silver.jsonl`` (read by path; never trained on) has 6,156 sentences
of 258 documents. The split is fixed by document: documents in even positions of the sorted document
list are the tuning part (the detector's thresholds were chosen there), odd positions the held-out part.
Gold: ``product_launch`` is the subtype ``Product/Service.Launch``; ``deal`` is the type ``Deal``.
Each sentence goes through ``analyze`` on its own (its text is pre-tokenised: " , " and " ." are joined
back first). The keyword baseline is the trigger words alone.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from nlp.analyzer import Analyzer
from nlp.events.rules import TRIGGERS
from pipeline.benches.common import shared_data_dir

TYPES = {"product_launch": lambda r: "Product/Service.Launch" in r["subtypes"], "deal": lambda r: "Deal" in r["types"]}


def data_path() -> Path:
    return shared_data_dir() / "events-sentivent-dev" / "silver.jsonl"


def detok(text: str) -> str:
    """ "Apple Inc . said it 's " -> "Apple Inc. said it's"."""
    t = re.sub(r"\s+([.,;:!?%)\]'’])", r"\1", text)
    t = re.sub(r"([(\[$])\s+", r"\1", t)
    return re.sub(r"\s+(n't|'s|'re|'ve|'ll|'d)\b", r"\1", t)


def load(path: Path | None = None) -> list[dict[str, Any]]:
    p = path or data_path()
    recs = [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]
    docs = sorted({r["doc"] for r in recs})
    part = {d: ("tune" if i % 2 == 0 else "held-out") for i, d in enumerate(docs)}
    for r in recs:
        r["part"] = part[r["doc"]]
        r["clean"] = detok(r["text"])
    return recs


def predict(recs: list[dict[str, Any]]) -> list[set[str]]:
    analyzer = Analyzer([])
    reqs = [{"id": str(i), "text": r["clean"], "lang": "en"} for i, r in enumerate(recs)]
    out = []
    for i, ans in enumerate(analyzer.analyze_batch(reqs)):
        out.append({e["type"] for e in ans["events"]})
        if i and i % 1000 == 0:
            print(f"eval events: SENTiVENT {i}/{len(recs)} sentences", file=sys.stderr)
    return out


def keyword(recs: list[dict[str, Any]]) -> list[set[str]]:
    return [{t for t in TYPES if TRIGGERS[t].search(r["clean"])} for r in recs]


def prf(recs: list[dict[str, Any]], pred: list[set[str]], etype: str, part: str) -> tuple[float, float, float, int]:
    gold = TYPES[etype]
    tp = fp = fn = 0
    for r, p in zip(recs, pred, strict=True):
        if r["part"] != part:
            continue
        g, y = gold(r), etype in p
        tp += g and y
        fp += (not g) and y
        fn += g and not y
    pr = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
    return pr, rc, f1, tp + fn


def report(recs: list[dict[str, Any]], pred: list[set[str]], base: list[set[str]]) -> list[str]:
    lines = ["", "SENTiVENT dev (sentence level, split by document): newswatch vs trigger words (baseline)",
             f"{'type':<16} {'part':<9} {'P':>5} {'R':>5} {'F1':>5}   {'P':>5} {'R':>5} {'F1':>5}  support"]
    for t in TYPES:
        for part in ("tune", "held-out"):
            a, b = prf(recs, pred, t, part), prf(recs, base, t, part)
            lines.append(f"{t:<16} {part:<9} {a[0]:5.2f} {a[1]:5.2f} {a[2]:5.2f}   {b[0]:5.2f} {b[1]:5.2f} "
                         f"{b[2]:5.2f}  {a[3]}")
    return lines


def rows(recs: list[dict[str, Any]], pred: list[set[str]], base: list[set[str]]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for t in TYPES:
        for part in ("tune", "held-out"):
            for system, p in (("newswatch", pred), ("trigger words", base)):
                pr, rc, f1, n = prf(recs, p, t, part)
                out.append({"set": "sentivent-dev", "half": part, "system": system, "type": t, "precision": pr,
                            "recall": rc, "f1": f1, "support": n})
    return out


def main() -> int:
    recs = load()
    print("\n".join(report(recs, predict(recs), keyword(recs))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
