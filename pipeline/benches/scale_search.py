"""Search at scale for ``newswatch bench scale``: PostgreSQL next to SQLite on the same documents.

Both stores are filled with the same ``n`` documents (default 1,000,000) from the seeded
Reuters recombination of :mod:`pipeline.benches.search` (Reuters-21578 sentences from the shared
data, read by path, never copied), through each store's bulk path (``load_new``: ``COPY`` or
``executemany`` in large transactions, the full-text and other secondary indexes built after
the load). Then the same term queries run on both, without and with the source, kind, lang and
day facets, each once to warm the caches and once timed; the table gives p50 and p99.

The goal (issue 21): p99 under 100 ms for term queries with facets on both backends. The
PostgreSQL store lives in a schema of its own in ``$NEWSWATCH_BENCH_PG`` (default the local
``test`` database), dropped at the end; the SQLite file sits in a temporary folder. With
``$NEWSWATCH_BENCH_KEEP`` set to a folder, both stores are kept (the SQLite file in that folder, the
schema ``nw_bench_keep_N``) and a later run with the same ``n`` reuses them and only times the
queries: a million documents take long to build on a small machine.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from pipeline.benches.common import Row, print_table, query_latency_ms, shared_data_dir
from pipeline.benches.search import FACETS, make_queries, recombined, reuters_pieces
from storage.postgres_store import PostgresStore
from storage.sqlite_store import SQLiteStore

SEARCH_DOCS = 1_000_000
PG_URL = os.environ.get("NEWSWATCH_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
_SAMPLE_EVERY = 20
_SAMPLE_SIZE = 5000


def _timed_load(store: SQLiteStore | PostgresStore, n: int, titles: list[str], sentences: list[str]) -> float:
    """Documents per second of the bulk load (nan when the kept store already holds the documents)."""
    if store.count() == n:
        return float("nan")
    start = time.perf_counter()
    written = store.load_new(recombined(n, titles, sentences))
    elapsed = time.perf_counter() - start
    print(f"  {type(store).__name__}: {written:,} documents in {elapsed:.0f} s "
          f"({written / elapsed:,.0f} docs/s)", file=sys.stderr)
    return written / elapsed


def search_rows(n: int | None = None) -> list[Row]:
    """Build rates and term / faceted-term latencies: PostgreSQL (newswatch column) and SQLite (baseline)."""
    n = n or SEARCH_DOCS
    titles, sentences = reuters_pieces(shared_data_dir() / "corpus-reuters")
    sample = [d.text for i, d in enumerate(recombined(min(n, _SAMPLE_EVERY * _SAMPLE_SIZE), titles, sentences))
              if i % _SAMPLE_EVERY == 0]
    queries = make_queries(sample)
    terms = [q for q, _ in queries["term"]]
    faceted = [q for q, _ in queries["faceted"]]
    print(f"bench scale: search, building {n:,} documents in SQLite and PostgreSQL", file=sys.stderr)
    rows: list[Row] = []
    keep = os.environ.get("NEWSWATCH_BENCH_KEEP", "")
    schema = f"nw_bench_keep_{n}" if keep else f"nw_bench_{uuid.uuid4().hex[:8]}"
    with contextlib.ExitStack() as stack:
        folder = Path(keep) if keep else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nw-bench-")))
        folder.mkdir(parents=True, exist_ok=True)
        lite = SQLiteStore(folder / f"scale-search-{n}.db")
        pg = PostgresStore(PG_URL, schema=schema)
        try:
            rate_pg = _timed_load(pg, n, titles, sentences)
            rate_lite = _timed_load(lite, n, titles, sentences)
            rows.append(Row(f"bulk load docs/s ({n:,} docs)", rate_pg, rate_lite, "docs/s"))
            for name, qs, facets in (("term", terms, None), ("term + 4 facets", faceted, FACETS)):
                pg50, pg99 = query_latency_ms(lambda q, f=facets: pg.search(q, facets=f, limit=10), qs,  # type: ignore[misc]
                                              warm=True)
                sq50, sq99 = query_latency_ms(lambda q, f=facets: lite.search(q, facets=f, limit=10), qs,  # type: ignore[misc]
                                              warm=True)
                rows.append(Row(f"{name} p50", pg50, sq50, "ms", higher_is_better=False))
                rows.append(Row(f"{name} p99", pg99, sq99, "ms", higher_is_better=False))
        finally:
            if not keep:
                pg.drop_schema()
            pg.close()
            lite.close()
    return rows


def run(docs: int | None, as_json: bool) -> int:
    """``newswatch bench scale-search``: only the search part of ``bench scale`` (``--docs`` sizes it)."""
    rows = search_rows(docs)
    print_table(f"search at scale ({docs or SEARCH_DOCS:,} documents): PostgreSQL", rows, "SQLite, same documents",
                as_json)
    return 0
