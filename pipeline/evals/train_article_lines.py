"""Train the article line classifier (``crawlers/extract/models/article_lines.json``) on the tune half.

``python -m pipeline.evals.train_article_lines [--cv] [--out PATH]``

Data: ``extraction-trafilatura`` read by path (never copied), only the pages of the ``tune`` half of
``pipeline.evals.splits``. Per page, the candidate lines of ``crawlers.extract.lines`` (the text
``extract_page`` gives without the model, then the other engines' lines it lacks) are labelled by
the gold: a line holding a ``with`` segment (or held whole by one) is content, a line holding a
``without`` segment is boilerplate, other lines are left out. A gradient-boosted tree model
(scikit-learn, fixed seed) learns P(content); the thresholds that drop base lines and add other
lines are chosen by page-level segment F1 in a 5-fold cross-validation grouped by site on the tune
half. ``--cv`` prints the cross-validated figures only. ``--report`` scores the shipped model once on
the held-out half (per page type, next to the base text and plain trafilatura in the same run); it
never trains or chooses on it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import lxml.html

from crawlers.extract import decode_html, extract_page
from crawlers.extract.engines import run_engine
from crawlers.extract.line_model import MODEL_PATH, assemble, load_model
from crawlers.extract.lines import BlockIndex, Candidate, candidate_lines, feature_names, features
from pipeline.benches.common import shared_data_dir
from pipeline.evals.extraction import Counts, score_segments
from pipeline.evals.splits import half_of, site_of

SEED = 20261203
APPLIED_TO = ("article",)  # the page types extract_page refines with the model (crawlers.extract.core)
VOTERS = ("trafilatura", "resiliparse", "justext", "readability")
PROPOSERS = ("resiliparse", "justext", "readability")
PARAMS = {"max_iter": 150, "learning_rate": 0.08, "max_leaf_nodes": 15, "min_samples_leaf": 20,
          "l2_regularization": 1.0}
THRESHOLDS_DROP = (0.0, 0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
THRESHOLDS_ADD = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.01)


def _norm(text: str) -> str:
    return " ".join(text.split())


def label(line: str, with_: Sequence[str], without: Sequence[str]) -> int | None:
    """1 content, 0 boilerplate, None unknown (or both)."""
    flat = _norm(line)
    pos = any(_norm(s) in flat or (len(flat) >= 20 and flat in _norm(s)) for s in with_)
    neg = any(_norm(s) in flat for s in without)
    if pos == neg:
        return None
    return int(pos)


def page_texts(job: tuple[str, str | None]) -> dict[str, Any]:
    """The base text (``extract_page`` without the model) and every voter's text of one page."""
    path, url = job
    raw = gzip.decompress(Path(path).read_bytes())
    html, _ = decode_html(raw)
    texts = {name: run_engine(name, html, url, budget_s=10.0).text for name in VOTERS}
    answer = extract_page(raw, url=url, line_model=False)
    return {"ours": answer["text"], "texts": texts, "page_type": answer["page_type"]}


def blocks_of(path: Path) -> BlockIndex:
    html, _ = decode_html(gzip.decompress(path.read_bytes()))
    try:
        return BlockIndex(lxml.html.document_fromstring(html.lstrip("\ufeff")))
    except Exception:
        return BlockIndex(None)


def page_rows(g: dict[str, Any], out: dict[str, Any], blocks: BlockIndex, voters: Sequence[str],
              proposers: Sequence[str]) -> tuple[list[Candidate], list[list[float]], list[int | None]]:
    others = {**out["texts"], "trafilatura": out["texts"].get("trafilatura", "")}
    cands = candidate_lines(out["ours"], {p: others.get(p, "") for p in proposers})
    rows = features(cands, out["ours"], others, voters, blocks)
    labels = [label(c.text, g.get("with") or [], g.get("without") or []) for c in cands]
    return cands, rows, labels


def fit(rows: list[list[float]], labels: list[int]) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(random_state=SEED, **PARAMS)
    model.fit(rows, labels)
    return model


def export(model: Any, voters: Sequence[str], proposers: Sequence[str], drop_below: float,
           add_above: float) -> dict[str, Any]:
    """The fitted trees as JSON for ``crawlers.extract.line_model`` (no pickle, no scikit-learn at run time)."""
    trees = []
    for (predictor,) in model._predictors:  # one predictor per iteration for a binary model
        trees.append([[int(n["feature_idx"]), float(n["num_threshold"]), bool(n["missing_go_to_left"]),
                       int(n["left"]), int(n["right"]), bool(n["is_leaf"]), round(float(n["value"]), 6)]
                      for n in predictor.nodes])
    return {"kind": "hist-gradient-boosting", "baseline": float(model._baseline_prediction.ravel()[0]),
            "trees": trees, "voters": list(voters), "proposers": list(proposers),
            "features": feature_names(voters), "drop_below": drop_below, "add_above": add_above,
            "params": PARAMS, "seed": SEED}


def page_f1(pages: list[dict[str, Any]], probs: list[list[float]], drop_below: float, add_above: float) -> float:
    total = Counts()
    for page, p in zip(pages, probs, strict=True):
        text = page_text(page, p, drop_below, add_above)
        total.add(score_segments(text, page["with"], page["without"]))
    return total.prf()["f1"]


def prepare(gold: list[dict[str, Any]], outputs: list[dict[str, Any]], root: Path, voters: Sequence[str],
            proposers: Sequence[str]) -> list[dict[str, Any]]:
    pages = []
    for g, out in zip(gold, outputs, strict=True):
        cands, rows, labels = page_rows(g, out, blocks_of(root / g["path"]), voters, proposers)
        pages.append({"file": g["file"], "site": site_of(g.get("url"), g["file"]), "cands": cands, "rows": rows,
                      "labels": labels, "ours": out["ours"], "others": out["texts"], "page_type": out["page_type"],
                      "with": list(g.get("with") or []), "without": list(g.get("without") or [])})
    return pages


def cross_validate(pages: list[dict[str, Any]], folds: int = 5) -> tuple[list[list[float]], Any]:
    """Out-of-fold P(content) for every candidate of every page, folds grouped by site."""
    import hashlib

    def fold_of(site: str) -> int:
        return hashlib.sha256(f"fold:{site}".encode()).digest()[0] % folds

    probs: list[list[float]] = [[] for _ in pages]
    for k in range(folds):
        train = [p for p in pages if fold_of(p["site"]) != k]
        rows = [r for p in train for r, y in zip(p["rows"], p["labels"], strict=True) if y is not None]
        ys = [y for p in train for y in p["labels"] if y is not None]
        model = fit(rows, ys)
        for i, p in enumerate(pages):
            if fold_of(p["site"]) == k and p["rows"]:
                probs[i] = [float(x) for x in model.predict_proba(p["rows"])[:, 1]]
    return probs, None


def choose_thresholds(pages: list[dict[str, Any]], probs: list[list[float]]) -> tuple[float, float, float]:
    best = (-1.0, 0.0, 1.01)
    for d in THRESHOLDS_DROP:
        for a in THRESHOLDS_ADD:
            f = page_f1(pages, probs, d, a)
            if f > best[0] + 1e-9:
                best = (f, d, a)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--cache", type=Path, help="a JSON-lines file of page_texts answers to reuse or write")
    ap.add_argument("--cv", action="store_true", help="print the cross-validated figures only")
    ap.add_argument("--report", action="store_true", help="score the shipped model on the held-out half, once")
    args = ap.parse_args(argv)
    root = shared_data_dir() / "extraction-trafilatura"
    gold = [json.loads(line) for line in (root / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line]
    if args.report:
        return report(root, [g for g in gold if half_of(site_of(g.get("url"), g["file"])) == "held-out"],
                      args.cache)
    gold = [g for g in gold if half_of(site_of(g.get("url"), g["file"])) == "tune"]
    outputs = _outputs(root, gold, args.cache)
    pages = prepare(gold, outputs, root, VOTERS, PROPOSERS)
    probs, _ = cross_validate(pages)
    base = page_f1(pages, [[1.0] * len(p["cands"]) for p in pages], 0.0, 1.01)
    f1, drop_below, add_above = choose_thresholds(pages, probs)
    print(f"tune half, 5-fold CV by site: base {base:.4f} -> {f1:.4f} (drop < {drop_below}, add > {add_above})",
          file=sys.stderr)
    if args.cv:
        return 0
    rows = [r for p in pages for r, y in zip(p["rows"], p["labels"], strict=True) if y is not None]
    ys = [y for p in pages for y in p["labels"] if y is not None]
    data = export(fit(rows, ys), VOTERS, PROPOSERS, drop_below, add_above)
    data["cv"] = {"tune_base_f1": base, "tune_cv_f1": f1, "pages": len(pages), "lines": len(ys)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB)", file=sys.stderr)
    return 0


def report(root: Path, gold: list[dict[str, Any]], cache: Path | None) -> int:
    """Segment F1 of the shipped model on ``gold`` pages, per page type, next to the base text and plain
    trafilatura (``crawlers.extract.engines``' call, tables kept) on the same engine texts."""
    model = load_model(MODEL_PATH)
    if model is None:
        print(f"no model at {MODEL_PATH}", file=sys.stderr)
        return 1
    pages = prepare(gold, _outputs(root, gold, cache), root, model.voters, model.proposers)
    counts: dict[tuple[str, str], Counts] = defaultdict(Counts)
    for page in pages:
        probs = model.proba(page["rows"]) if page["rows"] else []
        texts = {"model": page_text(page, probs, model.drop_below, model.add_above), "base": page["ours"],
                 "trafilatura": page["others"].get("trafilatura", "")}
        for group in ("all", page["page_type"]):
            for name, text in texts.items():
                counts[(group, name)].add(score_segments(text, page["with"], page["without"]))
    for group in sorted({g for g, _ in counts}):
        n = sum(1 for p in pages if group in ("all", p["page_type"]))
        print(f"{group:<9} pages {n:>4}  " + "  ".join(f"{name} {counts[(group, name)].prf()['f1']:.4f}"
                                                      for name in ("model", "base", "trafilatura")))
    return 0


def page_text(page: dict[str, Any], probs: Sequence[float], drop_below: float, add_above: float) -> str:
    """The page's text as extract_page(line_model=True) makes it from the same engine texts."""
    if not page["cands"] or page["page_type"] not in APPLIED_TO:
        return str(page["ours"])
    return assemble(page["cands"], probs, page["others"], drop_below, add_above)[0]


def _outputs(root: Path, gold: list[dict[str, Any]], cache: Path | None) -> list[dict[str, Any]]:
    if cache and cache.exists():
        by_file = {}
        for line in cache.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            by_file[item["file"]] = item
        if all(g["file"] in by_file for g in gold):
            return [by_file[g["file"]] for g in gold]
    with ProcessPoolExecutor(max_workers=2) as pool:
        outputs = list(pool.map(page_texts, [(str(root / g["path"]), g.get("url")) for g in gold], chunksize=4))
    if cache:
        cache.write_text("".join(json.dumps({"file": g["file"], **o}, ensure_ascii=False) + "\n"
                                 for g, o in zip(gold, outputs, strict=True)), encoding="utf-8")
    return outputs


if __name__ == "__main__":
    raise SystemExit(main())
