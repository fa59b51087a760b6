"""``newswatch bench search``: query-language latency next to raw SQLite FTS5, same documents, same run.

Documents are Reuters-21578 sentences recombined (``../shared/data/corpus-reuters``, read by path,
never copied): each document takes a title and 4-12 sentences drawn from the whole collection,
with a source, kind, language and publication day, so that N documents can be far more than the
collection's 21,578 while words keep their real frequencies and neighbours. Both stores are
built in a temporary directory and deleted afterwards.

Queries come from the built corpus itself (seeded): term (words of middling document frequency),
phrase (adjacent word pairs from the texts), boolean (``(a OR b) c -d``), NEAR (``a NEAR/5 b``) and
faceted (a term with source, kind, lang and day facets). The baseline runs the same queries on a
raw FTS5 table (unicode61) with a metadata table beside it: ``MATCH ... ORDER BY rank LIMIT 10``
with FTS5's ``snippet()``, plus the ``count(*)`` a result page shows, plus for faceted queries one
``GROUP BY`` over the matches. Each query runs once to warm the caches, then once timed.
"""

from __future__ import annotations

import html
import random
import re
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from pipeline.benches.common import Row, print_table, query_latency_ms, shared_data_dir
from pipeline.progress import progress
from storage.models import Document
from storage.sqlite_store import SQLiteStore

SOURCES = [f"wire{i}" for i in range(8)] + ["blog", "forum"]
KINDS = ["article"] * 16 + ["post", "post", "feed_item", "product"]
LANGS = ["en"] * 9 + [None]
_BODY_RE = re.compile(r"<BODY>(.*?)</BODY>", re.S)
_TITLE_RE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_WORD_RE = re.compile(r"[a-z]{4,}")
FACETS = ["source", "kind", "lang", "day"]
PER_KIND = 50


def reuters_pieces(folder: Path) -> tuple[list[str], list[str]]:
    """Titles and sentences of every Reuters article (tolerant of the SGML's stray bytes and entities)."""
    titles: list[str] = []
    sentences: list[str] = []
    for path in sorted(folder.glob("reut2-*.sgm")):
        raw = path.read_bytes().decode("latin-1")
        titles += [html.unescape(t).strip() for t in _TITLE_RE.findall(raw)]
        for body in _BODY_RE.findall(raw):
            text = re.sub(r"\s+", " ", html.unescape(body)).replace("Reuter &#3;", "").strip()
            sentences += [s for s in _SENTENCE_RE.split(text) if len(s) > 20]
    return [t for t in titles if t], sentences


def recombined(n: int, titles: list[str], sentences: list[str], seed: int = 20) -> Iterator[Document]:
    rnd = random.Random(seed)
    for i in range(n):
        picked = rnd.choices(sentences, k=rnd.randint(4, 12))
        text = "\n\n".join(" ".join(picked[j:j + 3]) for j in range(0, len(picked), 3))  # paragraphs
        day = 1 + (i * 7919) % 365
        yield Document(url=f"https://bench.example/{i}", title=rnd.choice(titles), text=text,
                       source=SOURCES[i % len(SOURCES)], kind=KINDS[(i // 3) % len(KINDS)], lang=LANGS[i % 10],
                       published_at=f"2026-{1 + (day - 1) // 31 % 12:02d}-{1 + (day - 1) % 28:02d}",
                       fetched_at="2026-12-31T00:00:00Z")


def make_queries(sample: list[str], seed: int = 21) -> dict[str, list[tuple[str, str]]]:
    """``{kind: [(newswatch query, raw FTS5 MATCH)]}`` drawn from a sample of the corpus's texts."""
    rnd = random.Random(seed)
    df: Counter[str] = Counter()
    pairs: list[tuple[str, str]] = []
    for text in sample:
        words = _WORD_RE.findall(text.lower())
        df.update(set(words))
        toks = text.lower().split()
        pairs += [(a, b) for a, b in zip(toks, toks[1:], strict=False) if a.isalpha() and b.isalpha()
                  and len(a) > 3 and len(b) > 3]
    n = len(sample)
    middling = sorted(w for w, c in df.items() if 0.002 * n <= c <= 0.03 * n)
    frequent = sorted(w for w, c in df.items() if 0.03 * n < c <= 0.15 * n)

    def q(w: str) -> str:
        return f'"{w}"'

    terms = [rnd.choice(middling) for _ in range(PER_KIND - 10)] + [rnd.choice(frequent) for _ in range(10)]
    out: dict[str, list[tuple[str, str]]] = {"term": [(w, q(w)) for w in terms]}
    phrases = rnd.sample(pairs, PER_KIND)
    out["phrase"] = [(f'"{a} {b}"', f'"{a} {b}"') for a, b in phrases]
    boolean = []
    for _ in range(PER_KIND):
        a, b, c, d = rnd.choice(middling), rnd.choice(middling), rnd.choice(frequent), rnd.choice(middling)
        boolean.append((f"({a} OR {b}) {c} -{d}", f"(({q(a)} OR {q(b)}) AND {q(c)}) NOT {q(d)}"))
    out["boolean"] = boolean
    near = []
    for a, b in rnd.sample(pairs, PER_KIND):
        near.append((f"{a} NEAR/5 {b}", f"NEAR({q(a)} {q(b)}, 5)"))
    out["NEAR"] = near
    out["faceted"] = [(w, q(w)) for w in (rnd.choice(middling) for _ in range(PER_KIND))]
    return out


def bench_search(n: int) -> list[Row]:
    import apsw  # deferred: the driver loads only when this bench runs

    titles, sentences = reuters_pieces(shared_data_dir() / "corpus-reuters")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="nw-bench-search-") as tmp:
        store = SQLiteStore(Path(tmp) / "nw.db")
        raw = apsw.Connection(str(Path(tmp) / "raw.db"))
        raw.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;")
        raw.execute("CREATE VIRTUAL TABLE docs USING fts5(title, text)")
        raw.execute("CREATE TABLE meta(rid INTEGER PRIMARY KEY, source TEXT, kind TEXT, lang TEXT, "
                    "published_at TEXT)")
        sample: list[str] = []
        t_nw = t_raw = 0.0
        with progress(f"bench search: building {n:,} documents", total=n) as bar:
            batch: list[Document] = []

            def flush() -> tuple[float, float]:
                t0 = time.perf_counter()
                store.upsert_many(batch)
                t1 = time.perf_counter()
                with raw:
                    raw.executemany("INSERT INTO docs(rowid, title, text) VALUES (?, ?, ?)",
                                    [(i, d.title, d.text) for i, d in enumerate(batch, base)])
                    raw.executemany("INSERT INTO meta VALUES (?, ?, ?, ?, ?)",
                                    [(i, d.source, d.kind, d.lang, d.published_at) for i, d in enumerate(batch, base)])
                return t1 - t0, time.perf_counter() - t1

            base = 1
            for doc in recombined(n, titles, sentences):
                batch.append(doc)
                if len(sample) < 5000 and len(batch) % 20 == 0:
                    sample.append(doc.text)
                if len(batch) == 2000:
                    a, b = flush()
                    t_nw, t_raw = t_nw + a, t_raw + b
                    bar.advance(len(batch))
                    base += len(batch)
                    batch = []
            if batch:
                a, b = flush()
                t_nw, t_raw = t_nw + a, t_raw + b
        rows.append(Row(f"index docs/s ({n:,} docs)", n / t_nw, n / t_raw, "docs/s"))

        def raw_search(match: str, facets: bool = False) -> object:
            hits = list(raw.execute("SELECT rowid, snippet(docs, 1, '', '', '…', 20), bm25(docs) FROM docs "
                                    "WHERE docs MATCH ? ORDER BY rank LIMIT 10", (match,)))
            total = raw.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (match,)).fetchone()
            if facets:
                groups = list(raw.execute(
                    "SELECT m.source, m.kind, m.lang, substr(m.published_at, 1, 10), count(*) FROM docs "
                    "JOIN meta m ON m.rid = docs.rowid WHERE docs MATCH ? GROUP BY 1, 2, 3, 4", (match,)))
                return hits, total, groups
            return hits, total

        for kind, pairs in make_queries(sample).items():
            facets = FACETS if kind == "faceted" else None
            ours = [nw for nw, _ in pairs]
            theirs = [r for _, r in pairs]
            nw50, nw99 = query_latency_ms(lambda q, f=facets: store.search(q, facets=f, limit=10), ours, warm=True)  # type: ignore[misc]
            raw50, raw99 = query_latency_ms(lambda m, f=bool(facets): raw_search(m, f), theirs, warm=True)  # type: ignore[misc]
            rows.append(Row(f"{kind} p50", nw50, raw50, "ms", higher_is_better=False))
            rows.append(Row(f"{kind} p99", nw99, raw99, "ms", higher_is_better=False))
        store.close()
        raw.close()
    return rows


def run(docs: int | None, as_json: bool) -> int:
    n = docs or 100_000
    print_table(f"search ({n:,} documents)", bench_search(n),
                "raw SQLite FTS5 (unicode61) + snippet() + count, same documents and queries", as_json)
    return 0
