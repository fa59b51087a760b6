"""``newswatch bench events``: event extraction and the correlator, next to baselines from the same run.

- Extraction: docs/s of ``analyze`` on Reuters bodies with the ``newswatch_events`` stage, next to
  the same analyzer with that stage switched off (the NLP stage without events).
- Correlator: 100,000 synthetic events stored in a fresh SQLite store (random types, countries,
  watched entities and days over four years), then 10,000 new events correlated incrementally, next to
  a full rescan of all 110,000 (what a correlator without a cursor and index would do each time).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from nlp.analyzer import Analyzer
from nlp.events.pairing import EventView, describe
from pipeline.benches.common import Row, print_table
from pipeline.benches.nlp import reuters_texts, reuters_watchlist
from pipeline.correlator import Correlator
from pipeline.progress import progress
from storage.models import Event
from storage.sqlite_store import SQLiteStore

COUNTRIES = ["US", "CN", "BR", "DE", "FR", "GB", "JP", "KR", "IN", "RU", "IT", "ES", "CA", "MX", "AU", "ZA", "NG",
             "EG", "SA", "AE", "TR", "NL", "CH", "SE", "PL", "TW", "SG", "ID", "TH", "VN", "AR", "CL", "CO", "PE",
             "KE", "MA", "PK", "IL", "NZ", "NO"]
TYPES = ["product_launch", "official_visit", "deal", "export_control", "sanction", "trade_measure", "merchandise"]
ROLES = {"product_launch": ("company", "product"), "official_visit": ("visitor", "host"),
         "deal": ("company", "counterparty"), "export_control": ("agency", "target"),
         "sanction": ("agency", "target"), "trade_measure": ("agency", "target"), "merchandise": ("depicted", "seller")}


def synthetic_event(rng: random.Random, i: int) -> dict[str, Any]:
    etype = rng.choice(TYPES)
    day = 738000 + rng.randrange(4 * 365)  # four years of news: about 70 events a day
    from datetime import date

    start = date.fromordinal(day)
    end = date.fromordinal(day + (rng.randrange(4) if etype == "official_visit" else 0))
    actors = []
    for role in ROLES[etype]:
        entity = f"ent{rng.randrange(2000)}"
        actors.append({"role": role, "text": f"Name {entity}", "title": None, "entity_id": entity,
                       "country": rng.choice(COUNTRIES)})
    ev: dict[str, Any] = {"id": f"e{i}", "type": etype, "trigger": {"text": "t", "start": 0, "end": 1},
          "confidence": round(rng.uniform(0.3, 0.95), 3), "actors": actors,
          "date": {"start": start.isoformat(), "end": end.isoformat(), "text": None, "resolved": True},
          "place": None, "attributes": {}, "evidence": {"text": "t", "start": 0, "end": 1}}
    ev["summary"] = describe(EventView.of(f"e{i}", ev))  # as the extractor writes it
    return ev


def _fill(store: Any, rng: random.Random, n: int, first: int, per_doc: int = 4) -> None:
    with progress("bench events: storing synthetic events", total=n) as bar:
        for d in range(first, first + n, per_doc):
            events = [Event.from_dict(synthetic_event(rng, i)) for i in range(d, min(first + n, d + per_doc))]
            store.events.put_events(f"doc{d}", events, url=f"https://bench.test/{d}", source=f"s{d % 7}",
                                    kind="article")
            bar.advance(len(events))


def bench_correlator(stored: int, new: int) -> list[Row]:
    from datetime import date

    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "bench.db")
        try:
            _fill(store, rng, stored, 0)
            t0 = time.perf_counter()
            corr = Correlator(store)
            corr.process()  # the first run pairs the stored events and sets the cursor
            first_run = time.perf_counter() - t0
            _fill(store, rng, new, stored)
            t0, cpu0 = time.perf_counter(), time.process_time()
            found = corr.process()
            incremental, incremental_cpu = time.perf_counter() - t0, time.process_time() - cpu0
            t0 = time.perf_counter()
            fresh = Correlator(store)
            fresh.process()  # a new process (e.g. the next crawl job) with nothing new: reads no past events
            load = time.perf_counter() - t0
            day = date.fromordinal(738000 + 4 * 365).isoformat()  # then 100 new events of one recent day
            for i in range(stored + new, stored + new + 100):
                ev = {**synthetic_event(rng, i), "date": {"start": day, "end": day, "text": None, "resolved": True}}
                store.events.put_events(f"doc{i}", [Event.from_dict(ev)], url=f"https://bench.test/{i}", source="s0",
                                 kind="article")
            t0 = time.perf_counter()
            fresh.process()  # reads only the past within reach of their dates
            few = time.perf_counter() - t0
            # baseline: a full rescan, pairing every stored event again as if nothing had been seen
            store.events.set_cursor("correlator", 0)
            t0, cpu0 = time.perf_counter(), time.process_time()
            Correlator(store).process()
            rescan, rescan_cpu = time.perf_counter() - t0, time.process_time() - cpu0
            links = len(store.events.links())
        finally:
            store.close()
    print(f"bench events: {stored:,} stored + {new:,} new events; first run {first_run:.2f} s; start-up of a new "
          f"process {load:.2f} s, then 100 new events of one day {few:.2f} s; {len(found):,} new links from the "
          f"new events, {links:,} links in all; "
          "baseline: one full rescan of every stored event", file=sys.stderr)
    return [
        Row(f"correlator: {new:,} new events over {stored:,} (s)", incremental, rescan, "s", higher_is_better=False),
        Row("correlator: new events/s", new / incremental, (stored + new) / rescan, "events/s"),
        Row("correlator: s per 10,000 new events", incremental / new * 10_000, rescan, "s", higher_is_better=False),
        # this process's CPU time: on a machine shared with other work, wall time also counts the waiting
        Row("correlator: CPU s per 10,000 new events", incremental_cpu / new * 10_000, rescan_cpu, "s",
            higher_is_better=False),
    ]


def bench_extraction(n: int) -> list[Row]:
    texts = list(reuters_texts(n))
    analyzer = Analyzer(reuters_watchlist())
    reqs = [{"id": str(i), "text": t, "published_at": "1987-03-10"} for i, t in enumerate(texts)]
    list(analyzer.analyze_batch(reqs[:20]))
    rates = {}
    found = 0
    for label, on in (("with events", True), ("without events", False)):
        if on:
            analyzer.nlp.enable_pipe("newswatch_events")
        else:
            analyzer.nlp.disable_pipe("newswatch_events")
        t0 = time.perf_counter()
        with progress(f"bench events: analyze {label}", total=len(texts)) as bar:
            for ans in analyzer.analyze_batch(reqs):
                found += len(ans["events"]) if on else 0
                bar.advance()
        rates[label] = len(texts) / (time.perf_counter() - t0)
    analyzer.nlp.enable_pipe("newswatch_events")
    print(f"bench events: {found:,} events in {len(texts):,} Reuters docs", file=sys.stderr)
    return [Row(f"analyze docs/s ({len(texts):,} Reuters docs)", rates["with events"], rates["without events"],
                "docs/s")]


def run(docs: int | None, as_json: bool) -> int:
    try:
        rows = bench_extraction(docs or 1000)
    except FileNotFoundError as exc:
        print(f"newswatch bench events: {exc}", file=sys.stderr)
        rows = []
    if rows:
        print_table("events: extraction", rows, "the same analyzer without the events stage", as_json)
    rows = bench_correlator(100_000, 10_000)
    print_table("events: correlator", rows, "full rescan of every stored event", as_json)
    return 0
