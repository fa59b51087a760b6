"""``newswatch bench store``: index docs/s and search latency next to raw SQLite FTS5, same documents."""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from pipeline.benches.common import Row, print_table, query_latency_ms
from pipeline.progress import progress
from storage.models import Document
from storage.sqlite_store import SQLiteStore

WORDS = ("market trade minister visit phone launch export chip factory price shares analyst growth bank "
         "port tariff deal plant order supply rival tablet review battery camera screen profit loss board "
         "official talks summit embassy agency licence sanction listing seller merchandise mug shirt poster "
         "quarter revenue forecast investor currency bond yield oil steel grain harbour shipping retail").split()
CJK = "维创移动发布新手机部长访问中国贸易出口工厂价格市场分析师"
SYLLABLES = "ka lo mi nu ter vel san dor bri quo zen fal mar tis ron del va che pra lun".split()


def vocabulary(size: int = 20_000, seed: int = 3) -> list[str]:
    """News-like words plus invented names, ranked so that word frequency follows Zipf's law."""
    rnd = random.Random(seed)
    names = {"".join(rnd.choices(SYLLABLES, k=rnd.randint(2, 4))) for _ in range(size)}
    return list(WORDS) + sorted(names - set(WORDS))


def _zipf_weights(n: int) -> list[float]:
    return [1.0 / (rank + 1) for rank in range(n)]


def generated_documents(n: int, seed: int = 7) -> Iterator[Document]:
    """Deterministic news-like documents (Latin with a Zipfian vocabulary, some CJK) for timing."""
    rnd = random.Random(seed)
    vocab = vocabulary()
    cum = list(_cumulative(_zipf_weights(len(vocab))))
    for i in range(n):
        words = rnd.choices(vocab, cum_weights=cum, k=rnd.randint(80, 220))
        if i % 10 == 0:
            words.insert(rnd.randrange(len(words)), "".join(rnd.choices(CJK, k=8)))
        text = " ".join(words)
        yield Document(url=f"https://bench.example/{i}", text=text, title=" ".join(words[:6]),
                       source=f"src{i % 5}", kind="article", published_at=f"2026-03-{1 + i % 28:02d}",
                       fetched_at="2026-03-30T00:00:00Z")


def _cumulative(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def _queries(rnd: random.Random) -> list[str]:
    """Analyst-like queries: a frequent word with a rarer one, names, phrases, and CJK names."""
    vocab = vocabulary()
    queries = [f"{rnd.choice(WORDS)} {rnd.choice(vocab[60:2000])}" for _ in range(100)]
    queries += [rnd.choice(vocab[100:5000]) for _ in range(50)]
    queries += [f'"{rnd.choice(WORDS)} {rnd.choice(WORDS)}"' for _ in range(25)]
    return queries + ["维创", "部长访问"] * 25


def bench_store(n: int) -> list[Row]:
    import apsw

    rnd = random.Random(11)
    queries = _queries(rnd)
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
        nw_p50, nw_p99 = query_latency_ms(lambda q: store.search(q, limit=10), queries)
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

        raw_p50, raw_p99 = query_latency_ms(raw_search, queries)
        conn.close()
    return [
        Row(f"index docs/s ({n:,} docs)", nw_index, raw_index, "docs/s"),
        Row("search p50", nw_p50, raw_p50, "ms", higher_is_better=False),
        Row("search p99", nw_p99, raw_p99, "ms", higher_is_better=False),
    ]




def run(docs: int | None, as_json: bool) -> int:
    print_table("store", bench_store(docs or 100_000), "raw SQLite FTS5 (apsw, unicode61), same documents", as_json)
    return 0
