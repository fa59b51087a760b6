"""Open-web precision of events for ``newswatch eval events``: what the pipeline reports on pages that are not all news.

Crawled pages are blogs, software docs, shops and news. The pages of ``../shared/data/extraction-trafilatura``
(read by path, never copied) go through ``extract_page`` and then ``analyze`` (the page's own language,
title and date, as a crawl would store them); the events reported on English pages are the population.
``pipeline/evals/data/events_web_labels.jsonl`` holds a hand-labelled random sample of them (fixed seed),
one line per event: the page's file name, the event type, the character offsets of its evidence sentence
in the extracted text, and the label (``true`` when the sentence reports an event of that type with the
right kind of actor), never the text; the guideline is in docs/events.md ("Precision on the open web").
Precision is the share of labelled events, among those the pipeline still reports, that are true. An event
reported now whose key has no label is counted apart (labelled later with ``--label-sample``, which prints
such events for a person to judge; ``--unlabelled`` prints only those).

The pages are split by site (``pipeline.evals.splits``: a hash of the site's name, fixed): failure classes
are studied on the ``tune`` half only; the ``held-out`` half is only scored.
"""

from __future__ import annotations

import gzip
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crawlers.extract import extract_page
from nlp.analyzer import Analyzer
from pipeline.benches.common import shared_data_dir
from pipeline.evals.splits import HALVES, half_of, site_of

LABELS_PATH = Path(__file__).resolve().parent / "data" / "events_web_labels.jsonl"
SAMPLE_SEED = 14
Key = tuple[str, str, int, int]  # file, type, evidence start, evidence end


def data_dir() -> Path:
    return shared_data_dir() / "extraction-trafilatura"


def halves(root: Path | None = None) -> dict[str, str]:
    """``tune`` or ``held-out`` for each page's file name, by its site."""
    root = root or data_dir()
    recs = [json.loads(x) for x in (root / "gold.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    return {r["file"]: half_of(site_of(r.get("url"), r["file"])) for r in recs}


def pages(root: Path | None = None, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Extracted pages as ``analyze`` requests (``id`` is the file name), in file order."""
    root = root or data_dir()
    recs = [json.loads(x) for x in (root / "gold.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    recs.sort(key=lambda r: r["file"])
    for r in recs[:limit] if limit else recs:
        body = gzip.decompress((root / r["path"]).read_bytes())
        ans = extract_page(body, r.get("url"))
        if ans["text"]:
            # the kind a crawl stores the page as (crawlers/spiders/newswatch.py): product pages and threads apart
            kind = {"product": "product", "post": "post"}.get(str(ans.get("page_type")), "article")
            yield {"id": r["file"], "text": ans["text"], "title": ans["title"], "published_at": ans["published_at"],
                   "lang": ans["lang"], "kind": kind}


def reported(limit: int | None = None) -> list[tuple[Key, dict[str, Any], str]]:
    """(key, event, page text) for every event ``analyze`` reports on the English pages."""
    analyzer = Analyzer([])
    texts: dict[str, str] = {}

    def reqs() -> Iterator[dict[str, Any]]:
        for i, p in enumerate(pages(limit=limit)):
            texts[p["id"]] = p["text"]
            if i and i % 100 == 0:
                print(f"eval events: open web {i} pages", file=sys.stderr)
            yield p

    out = []
    for ans in analyzer.analyze_batch(reqs()):
        if ans["lang"] != "en":
            continue
        for ev in ans["events"]:
            key = (str(ans["id"]), ev["type"], ev["evidence"]["start"], ev["evidence"]["end"])
            out.append((key, ev, texts[str(ans["id"])]))
    return out


def load_labels(path: Path = LABELS_PATH) -> dict[Key, bool]:
    out: dict[Key, bool] = {}
    if not path.exists():
        return out
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            out[(r["file"], r["type"], int(r["start"]), int(r["end"]))] = bool(r["true"])
        except (ValueError, KeyError) as exc:
            raise ValueError(f"{path}:{n}: bad label line ({exc})") from exc
    return out


def score(found: list[tuple[Key, dict[str, Any], str]], labels: dict[Key, bool],
          half: dict[str, str] | None = None) -> dict[str, Any]:
    """Precision on the labelled events still reported, for all pages and for each half (``half``: file -> half)."""
    out = _score([k for k, _, _ in found], labels)
    out["set"] = "open-web"
    for h in HALVES if half is not None else ():
        assert half is not None
        out[h] = _score([k for k, _, _ in found if half.get(k[0]) == h], {k: v for k, v in labels.items()
                                                                        if half.get(k[0]) == h})
    return out


def _score(keys: list[Key], labels: dict[Key, bool]) -> dict[str, Any]:
    judged = [labels[k] for k in keys if k in labels]
    true = sum(judged)
    return {"events": len(keys), "labelled": len(judged), "true": true,
            "precision": true / len(judged) if judged else None, "unlabelled": len(keys) - len(judged),
            "labelled_no_longer_reported": len(set(labels) - set(keys))}


def report(s: dict[str, Any]) -> list[str]:
    lines = ["", "open web (extraction-trafilatura pages, English, split by site): precision on the hand-labelled "
             "events (goal >= 0.80)",
             f"{'half':<10} {'events':>6} {'labelled':>8} {'true':>5} {'precision':>9} {'unlabelled':>10} "
             f"{'labels no longer reported':>25}"]
    for name in (*(h for h in HALVES if h in s), "all"):
        r = s if name == "all" else s[name]
        p = "-" if r["precision"] is None else f"{r['precision']:.2f}"
        lines.append(f"{name:<10} {r['events']:>6} {r['labelled']:>8} {r['true']:>5} {p:>9} {r['unlabelled']:>10} "
                     f"{r['labelled_no_longer_reported']:>25}")
    return lines


def rows(s: dict[str, Any]) -> list[dict[str, Any]]:
    """JSON rows for ``eval events --json``: one per half and one for all pages."""
    out = []
    for name in (*(h for h in HALVES if h in s), "all"):
        r = s if name == "all" else s[name]
        out.append({"set": "open-web", "half": name, **{k: v for k, v in r.items() if k not in (*HALVES, "set")}})
    return out


def evaluate(limit: int | None = None) -> dict[str, Any]:
    """The open-web score of the events ``analyze`` reports now, against the labels in the repository."""
    return score(reported(limit), load_labels(), halves())


def sample_for_labelling(found: list[tuple[Key, dict[str, Any], str]], n: int = 100) -> list[dict[str, Any]]:
    """A fixed-seed random sample of the reported events, with their sentence, for a person to label."""
    rng = random.Random(SAMPLE_SEED)
    pick = rng.sample(found, min(n, len(found)))
    return [{"file": k[0], "type": k[1], "start": k[2], "end": k[3], "trigger": ev["trigger"]["text"],
             "actors": [(a["role"], a["text"]) for a in ev["actors"]], "date": ev["date"]["start"],
             "sentence": text[k[2]:k[3]]} for k, ev, text in pick]


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m pipeline.evals.events_web")
    ap.add_argument("--label-sample", type=int, default=0, help="print a random sample of N events to label")
    ap.add_argument("--unlabelled", action="store_true", help="print every reported event that has no label yet")
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args(argv)
    found = reported(args.limit)
    if args.label_sample or args.unlabelled:
        labels = load_labels()
        pool = [f for f in found if f[0] not in labels] if args.unlabelled else found
        for rec in sample_for_labelling(pool, args.label_sample or len(pool)):
            print(json.dumps(rec, ensure_ascii=False))
        return 0
    print("\n".join(report(score(found, load_labels(), halves()))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
