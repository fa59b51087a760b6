"""``newswatch eval extraction``: page extraction quality on public data, next to baselines in the same run.

- articles: ``extraction-trafilatura`` (990 pages, gold ``with`` / ``without`` segments, scored as
  upstream does: a found ``with`` segment is a true positive, a found ``without`` segment a false
  positive, pooled over all pages) for ``crawlers.extract.extract_page`` and for plain
  ``trafilatura.extract`` on the same decoded HTML;
- products: ``product-listings`` (price, availability, sku precision / recall / F1 as the benchmark
  scores them: one predicted value per attribute, right when it equals any gold value, price as a
  Decimal, availability InStock when a system says nothing), next to extruct + price-parser on
  JSON-LD / microdata only;
- prices: ``price-parser-cases`` (amount right), for our price reading and plain price-parser;
- structured data: ``structured-data`` samples go through ``extract_page`` without an exception;
- feeds: every file of ``feeds`` is read by the crawler's feed reader without an exception.

Every page-level set is split by site into a fixed ``tune`` half (develop against it) and a
``held-out`` half (report on it; a change that helps one and hurts the other is not taken), see
``pipeline.evals.splits``; both halves are printed side by side, each next to its baseline.

Data is read by path from ../shared/data (never copied); progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from crawlers.extract import decode_html, extract_page, parse_price
from crawlers.feeds import read_feed
from pipeline.benches.common import shared_data_dir
from pipeline.evals.splits import HALVES, half_of, site_of

_WS = re.compile(r"\s+")


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.tn += other.tn

    def prf(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


@dataclass
class Line:
    task: str
    measure: str
    newswatch: float
    baseline: float | None
    baseline_name: str
    extra: dict[str, Any] = field(default_factory=dict)
    half: str = "all"  # "tune", "held-out" (see pipeline.evals.splits) or "all" for sets without a split

    def to_dict(self) -> dict[str, Any]:
        return {"area": "extraction", "task": self.task, "measure": self.measure, "half": self.half,
                "newswatch": self.newswatch, "baseline": self.baseline, "baseline_name": self.baseline_name,
                **self.extra}


def _log(msg: str) -> None:
    print(f"eval extraction: {msg}", file=sys.stderr, flush=True)


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


# -- articles ---------------------------------------------------------------------------------


def score_segments(text: str, with_: Iterable[str], without: Iterable[str]) -> Counts:
    """Upstream's scoring of one page: ``with`` found = TP else FN; ``without`` found = FP else TN."""
    c = Counts()
    body = _norm(text or "")
    for seg in with_:
        if _norm(seg) in body:
            c.tp += 1
        else:
            c.fn += 1
    for seg in without:
        if _norm(seg) in body:
            c.fp += 1
        else:
            c.tn += 1
    return c


def _article_job(job: tuple[str, str | None, list[str], list[str]]) -> tuple[Counts, Counts, float, float]:
    path, url, with_, without = job
    import trafilatura

    raw = gzip.decompress(Path(path).read_bytes())
    html, _ = decode_html(raw)
    t0 = time.perf_counter()
    ours = extract_page(raw, url=url)["text"]
    t1 = time.perf_counter()
    try:
        plain = trafilatura.extract(html, url=url) or ""
    except Exception:
        plain = ""
    t2 = time.perf_counter()
    return score_segments(ours, with_, without), score_segments(plain, with_, without), t1 - t0, t2 - t1


def eval_articles(root: Path, limit: int | None, workers: int) -> list[Line]:
    gold = [json.loads(line) for line in (root / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line]
    if limit:
        gold = gold[:limit]
    jobs = [(str(root / g["path"]), g.get("url"), list(g.get("with") or []), list(g.get("without") or []))
            for g in gold]
    halves = [half_of(site_of(g.get("url"), g["file"])) for g in gold]
    ours = {h: Counts() for h in HALVES}
    plain = {h: Counts() for h in HALVES}
    t_ours = t_plain = 0.0
    _log(f"articles: {len(jobs)} pages, {workers} worker(s)")
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for i, (half, (a, b, ta, tb)) in enumerate(zip(halves, pool.map(_article_job, jobs, chunksize=8),
                                                       strict=True), 1):
            ours[half].add(a)
            plain[half].add(b)
            t_ours += ta
            t_plain += tb
            if i % 100 == 0:
                _log(f"articles: {i}/{len(jobs)}")
    name = "trafilatura.extract (defaults)"
    lines: list[Line] = []
    for half in HALVES:
        o, p = ours[half].prf(), plain[half].prf()
        lines.extend(Line("articles", m, o[m], p[m], name, {"pages": halves.count(half)}, half)
                     for m in ("precision", "recall", "f1"))
    return [*lines, Line("articles", "ms_per_page", round(1000 * t_ours / max(len(jobs), 1), 1),
                         round(1000 * t_plain / max(len(jobs), 1), 1), name)]


# -- products ---------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return None


def score_attribute(pred: str | None, gold: list[str], attr: str) -> Counts:
    c = Counts()
    if attr == "availability" and pred is None:
        pred = "InStock"  # the benchmark's rule: InStock when unclear
    if pred is None:
        c.fn += 1 if gold else 0
        return c
    if attr == "price":
        right = _decimal(pred) is not None and _decimal(pred) in {_decimal(g) for g in gold}
    else:
        right = pred.strip().lower() in {str(g).strip().lower() for g in gold}
    if right:
        c.tp += 1
    else:
        c.fp += 1
        c.fn += 1 if gold else 0
    return c


def structured_only_product(html: str, url: str | None) -> dict[str, str | None]:
    """The baseline: extruct JSON-LD + microdata, first Product, its first offer, price-parser on the price."""
    import extruct
    from price_parser import Price

    out: dict[str, str | None] = {"price": None, "availability": None, "sku": None}
    try:
        data = extruct.extract(html, base_url=url, syntaxes=["json-ld", "microdata"], uniform=True)
    except Exception:
        return out
    for item in [*data.get("json-ld", []), *data.get("microdata", [])]:
        if not isinstance(item, dict) or "Product" not in str(item.get("@type")):
            continue
        offers = item.get("offers")
        offer = offers[0] if isinstance(offers, list) and offers else offers
        if isinstance(offer, dict):
            raw = offer.get("price") or offer.get("lowPrice")
            amount = Price.fromstring(str(raw)).amount if raw is not None else None
            out["price"] = str(amount) if amount is not None else None
            avail = str(offer.get("availability") or "").rstrip("/").rsplit("/", 1)[-1]
            out["availability"] = avail if avail in ("InStock", "OutOfStock") else None
        sku = item.get("sku")
        out["sku"] = str(sku) if sku else None
        break
    return out


def _product_job(job: tuple[str, str | None]) -> tuple[dict[str, Any], dict[str, Any]]:
    path, url = job
    raw = gzip.decompress(Path(path).read_bytes())
    html, _ = decode_html(raw)
    product = extract_page(raw, url=url).get("product") or {}
    return ({k: product.get(k) for k in ("price", "availability", "sku")}, structured_only_product(html, url))


def eval_products(root: Path, limit: int | None, workers: int) -> list[Line]:
    gold = [json.loads(line) for line in (root / "ground-truth.jsonl").read_text(encoding="utf-8").splitlines()
            if line]
    if limit:
        gold = gold[:limit]
    _log(f"products: {len(gold)} pages")
    attrs = ("price", "availability", "sku")
    ours = {(a, h): Counts() for a in attrs for h in HALVES}
    base = {(a, h): Counts() for a in attrs for h in HALVES}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(_product_job, [(str(root / g["html"]), g.get("url")) for g in gold]))
    halves = [half_of(site_of(g.get("url"), g["id"])) for g in gold]
    for g, half, (mine, theirs) in zip(gold, halves, results, strict=True):
        for a in attrs:
            ours[(a, half)].add(score_attribute(mine.get(a), list(g.get(a) or []), a))
            base[(a, half)].add(score_attribute(theirs.get(a), list(g.get(a) or []), a))
    name = "extruct + price-parser (JSON-LD/microdata only)"
    lines: list[Line] = []
    for half in HALVES:
        for a in attrs:
            o, b = ours[(a, half)].prf(), base[(a, half)].prf()
            lines.extend(Line("products", f"{a}_{m}", o[m], b[m], name, {"pages": halves.count(half)}, half)
                         for m in ("precision", "recall", "f1"))
    return lines


# -- prices, structured data, feeds -------------------------------------------------------------


def eval_prices(root: Path, limit: int | None) -> list[Line]:
    from price_parser import Price

    cases = [json.loads(line) for line in (root / "cases.jsonl").read_text(encoding="utf-8").splitlines() if line]
    cases = [c for c in cases if not c.get("xfail")][: limit or None]
    ours = dict.fromkeys(HALVES, 0)
    plain = dict.fromkeys(HALVES, 0)
    n = dict.fromkeys(HALVES, 0)
    for c in cases:
        half = half_of(str(c["text"]))  # one case is one price string: split by the string
        want = _decimal(c.get("amount")) if c.get("amount") is not None else None
        mine = parse_price(c["text"], c.get("currency_hint"))
        theirs = Price.fromstring(c["text"], currency_hint=c.get("currency_hint")).amount
        n[half] += 1
        ours[half] += int((mine is None and want is None) or (mine is not None and want is not None and mine == want))
        plain[half] += int((theirs is None and want is None)
                           or (theirs is not None and want is not None and theirs == want))
    return [Line("prices", "amount_accuracy", round(ours[h] / max(n[h], 1), 4), round(plain[h] / max(n[h], 1), 4),
                 "price_parser.Price", {"cases": n[h]}, h) for h in HALVES]


def eval_structured(root: Path, limit: int | None) -> list[Line]:
    files = sorted((root / "samples").rglob("*.html"))[: limit or None]
    failures = 0
    for f in files:
        try:
            extract_page(f.read_bytes(), url="http://example.com/" + f.name)
        except Exception:
            failures += 1
    return [Line("structured-data", "pages_without_exception", len(files) - failures, None, "-",
                 {"pages": len(files)})]


def eval_feeds(root: Path, limit: int | None) -> list[Line]:
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".xml", ".rss", ".atom", ".json")
                   and "expected" not in p.parts and not p.name.endswith(".expected.json"))[: limit or None]
    failures, with_entries = 0, 0
    for f in files:
        try:
            entries, _warning = read_feed(f.read_bytes(), "http://example.com/feed")
            with_entries += int(bool(entries))
        except Exception:
            failures += 1
    return [Line("feeds", "files_without_exception", len(files) - failures, None, "-",
                 {"files": len(files), "files_with_entries": with_entries})]


# -- the command -----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    data = shared_data_dir()
    limit = getattr(args, "limit", None)
    workers = 2
    started = time.monotonic()
    tasks: list[tuple[str, Callable[[], list[Line]]]] = [
        ("articles", lambda: eval_articles(data / "extraction-trafilatura", limit, workers)),
        ("products", lambda: eval_products(data / "product-listings", limit, workers)),
        ("prices", lambda: eval_prices(data / "price-parser-cases", limit)),
        ("structured-data", lambda: eval_structured(data / "structured-data", limit)),
        ("feeds", lambda: eval_feeds(data / "feeds", limit)),
    ]
    lines: list[Line] = []
    for name, task in tasks:
        t0 = time.monotonic()
        lines.extend(task())
        _log(f"{name} done in {time.monotonic() - t0:.1f} s")
    if getattr(args, "json", False):
        for line in lines:
            print(json.dumps(line.to_dict(), ensure_ascii=False))
    else:
        print_table(lines)
        print(f"({time.monotonic() - started:.0f} s)")
    return 0


def print_table(lines: list[Line]) -> None:
    """One row per task and measure: the tune half and the held-out half side by side, each beside its
    baseline (sets without a split show under ``all``)."""
    def cell(line: Line | None) -> str:
        if line is None:
            return f"{'':>9} {'':>9}"
        base = "-" if line.baseline is None else f"{line.baseline:.4g}"
        return f"{line.newswatch:>9.4g} {base:>9}"

    rows: dict[tuple[str, str], dict[str, Line]] = {}
    for line in lines:
        rows.setdefault((line.task, line.measure), {})[line.half] = line
    print(f"{'':<16} {'':<22} {'-- tune half --':>19} {'-- held-out half --':>19} {'-- all --':>19}")
    print(f"{'task':<16} {'measure':<22} " + " ".join(f"{'newswatch':>9} {'baseline':>9}" for _ in range(3))
          + "  baseline")
    for (task, measure), by_half in rows.items():
        name = next(iter(by_half.values())).baseline_name
        print(f"{task:<16} {measure:<22} {cell(by_half.get('tune'))} {cell(by_half.get('held-out'))} "
              f"{cell(by_half.get('all'))}  {name}")
