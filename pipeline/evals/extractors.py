"""``newswatch eval extractors``: every main-text engine on ``extraction-trafilatura``, tune and held-out halves.

The per-extractor table behind the choice of ``crawlers.extract``'s mix: each engine of
``crawlers.extract.engines`` and ``extract_page`` itself, on the same decoded pages, scored as
``eval extraction`` scores articles (gold ``with`` segments found = TP, ``without`` found = FP),
split by site into the fixed halves of ``pipeline.evals.splits`` and by the page type
``extract_page`` gives. Slow (all engines on 990 pages): ``--limit`` for a slice.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from crawlers.extract import decode_html, extract_page
from crawlers.extract.engines import ENGINES, run_engine
from pipeline.benches.common import shared_data_dir
from pipeline.evals.extraction import Counts, score_segments
from pipeline.evals.splits import HALVES, half_of, site_of

OURS = "newswatch"


def _log(msg: str) -> None:
    print(f"eval extractors: {msg}", file=sys.stderr, flush=True)


def page_outputs(job: tuple[str, str | None]) -> dict[str, Any]:
    """Every engine's text of one page, ``extract_page``'s text and page type, and the seconds each took."""
    path, url = job
    raw = gzip.decompress(Path(path).read_bytes())
    html, _ = decode_html(raw)
    texts: dict[str, str] = {}
    seconds: dict[str, float] = {}
    for name in ENGINES:
        result = run_engine(name, html, url, budget_s=10.0)
        texts[name], seconds[name] = result.text, result.seconds
    t0 = time.perf_counter()
    answer = extract_page(raw, url=url)
    seconds[OURS] = time.perf_counter() - t0
    texts[OURS] = answer["text"]
    return {"texts": texts, "seconds": seconds, "page_type": answer["page_type"]}


def load_gold(root: Path, limit: int | None) -> list[dict[str, Any]]:
    gold = [json.loads(line) for line in (root / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line]
    for g in gold:
        g["half"] = half_of(site_of(g.get("url"), g["file"]))
    return gold[:limit] if limit else gold


def run_pages(root: Path, gold: list[dict[str, Any]], workers: int = 2) -> list[dict[str, Any]]:
    jobs = [(str(root / g["path"]), g.get("url")) for g in gold]
    out: list[dict[str, Any]] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for i, result in enumerate(pool.map(page_outputs, jobs, chunksize=4), 1):
            out.append(result)
            if i % 50 == 0:
                _log(f"{i}/{len(jobs)} pages")
    return out


def table(gold: list[dict[str, Any]], outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (engine, group): group is ``all`` or a page type; F1 on each half and ms per page."""
    counts: dict[tuple[str, str, str], Counts] = defaultdict(Counts)
    seconds: dict[str, float] = defaultdict(float)
    pages: dict[tuple[str, str], int] = defaultdict(int)
    for g, out in zip(gold, outputs, strict=True):
        for group in ("all", out["page_type"]):
            pages[(group, g["half"])] += 1
            for engine, text in out["texts"].items():
                scored = score_segments(text, g.get("with") or [], g.get("without") or [])
                counts[(engine, group, g["half"])].add(scored)
        for engine, s in out["seconds"].items():
            seconds[engine] += s
    engines = list(outputs[0]["texts"]) if outputs else []
    groups = ["all", *sorted({o["page_type"] for o in outputs})]
    rows = []
    for group in groups:
        for engine in engines:
            row: dict[str, Any] = {"engine": engine, "group": group,
                                   "ms_per_page": round(1000 * seconds[engine] / max(len(outputs), 1), 1)}
            for half in HALVES:
                row[f"{half}_pages"] = pages[(group, half)]
                row.update({f"{half}_{k}": v for k, v in counts[(engine, group, half)].prf().items()})
            rows.append(row)
    return rows


def run(args: argparse.Namespace) -> int:
    root = shared_data_dir() / "extraction-trafilatura"
    gold = load_gold(root, getattr(args, "limit", None))
    _log(f"{len(gold)} pages; halves by site: "
         + ", ".join(f"{h} {sum(g['half'] == h for g in gold)}" for h in HALVES))
    started = time.monotonic()
    rows = table(gold, run_pages(root, gold))
    if getattr(args, "json", False):
        for row in rows:
            print(json.dumps({"area": "extractors", **row}))
        return 0
    print(f"{'group':<9} {'engine':<19} {'tune F1':>8} {'held-out F1':>11} {'P/R held-out':>13} {'ms/page':>8}  pages")
    for r in rows:
        print(f"{r['group']:<9} {r['engine']:<19} {r['tune_f1']:>8.3f} {r['held-out_f1']:>11.3f} "
              f"{r['held-out_precision']:>6.3f}/{r['held-out_recall']:.3f} {r['ms_per_page']:>8.1f}  "
              f"{r['tune_pages']}+{r['held-out_pages']}")
    print(f"({time.monotonic() - started:.0f} s)")
    return 0
