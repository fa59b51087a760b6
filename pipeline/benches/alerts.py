"""``newswatch bench alerts``: latency from a document's ingest call to its alert in an SMTP inbox.

1,000 documents (``--docs``) arrive in bursts of 50 every second, 50 entities are watched, and
every document names one of them. Each document goes the production path: analysis (spaCy +
watchlist), SQLite store, alert rules, persistent outbox, background delivery over SMTP to an
aiosmtpd server in this process. p50/p95 latency is reported next to a baseline measured in the
same run: the same path with analysis done beforehand (store + alerts + outbox + SMTP only).

Texts: Reuters-21578 bodies read by path from ``../shared/data`` (never copied), each given an
invented lead sentence naming a watched entity.
"""

from __future__ import annotations

import email
import socket
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from pipeline.benches.common import Row, print_table
from pipeline.progress import progress
from storage.models import Document, WatchEntry

BURST = 50
WATCHED = 50


@dataclass
class Inbox:
    """aiosmtpd handler: arrival time of each delivery key."""

    arrived: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        now = time.perf_counter()
        msg = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.arrived[str(msg["X-Newswatch-Delivery"])] = now
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_docs(n: int, entries: list[WatchEntry], tag: str) -> list[Document]:
    from crawlers.urls import canonicalize_url
    from pipeline.benches.nlp import reuters_texts

    texts = list(reuters_texts(n))
    docs = []
    for i, text in enumerate(texts):
        entry = entries[i % len(entries)]
        body = f"{entry.name} was named in a market report on Tuesday. {text}"
        url = f"https://bench.example/{tag}/{i}"
        docs.append(Document(url=url, canonical_url=canonicalize_url(url), text=body, source="bench",
                             title=f"Report {i}"))
    return docs


def run_path(docs: list[Document], entries: list[WatchEntry], analyzer: Any, smtp_port: int, inbox: Inbox,
             workdir: Path, label: str) -> tuple[list[float], list[float], int]:
    """Ingest ``docs`` in timed bursts.

    Returns per-alert latencies (s) from the ingest call, the same from the moment the document's
    burst arrived (includes waiting behind earlier documents of the burst), and how many never arrived.
    """
    from pipeline.alerts import AlertEngine
    from pipeline.config import AlertRule, ChannelConfig, Config, SchedulerConfig, SmtpConfig, Watchlist
    from pipeline.delivery import attach_outbox
    from pipeline.ingest import Ingestor
    from storage.sqlite_store import SQLiteStore

    config = Config(data_dir=workdir, smtp=SmtpConfig(host="127.0.0.1", port=smtp_port, timeout_s=10),
                    scheduler=SchedulerConfig(db_url=f"sqlite:///{workdir / 'service.db'}"),
                    watchlists={"bench": Watchlist(name="bench", entries=entries)},
                    channels=[ChannelConfig(name="mail", type="email", to=["desk@example.org"])],
                    alerts=[AlertRule(name="watch", watchlist="bench", channels=["mail"])])
    store = SQLiteStore(workdir / "newswatch.db")
    engine = AlertEngine(config.alerts, store, entries, fold=False)
    attach_outbox(engine, config)
    ingestor = Ingestor(store, analyzer, [engine])
    sent_at: dict[str, float] = {}
    due_at: dict[str, float] = {}
    start = time.perf_counter()
    try:
        with progress(f"bench alerts: {label}", total=len(docs)) as bar:
            for b in range(0, len(docs), BURST):
                due = start + b // BURST
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                for doc in docs[b:b + BURST]:
                    t0 = time.perf_counter()
                    fired_before = len(engine.fired)
                    ingestor.ingest(doc)
                    for alert in engine.fired[fired_before:]:
                        sent_at[f"{alert.key}|mail"] = t0
                        due_at[f"{alert.key}|mail"] = due
                    bar.advance()
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline:
            with inbox.lock:
                if all(k in inbox.arrived for k in sent_at):
                    break
            time.sleep(0.05)
    finally:
        engine.close()
        store.close()
    with inbox.lock:
        latencies = [inbox.arrived[k] - t0 for k, t0 in sent_at.items() if k in inbox.arrived]
        from_burst = [inbox.arrived[k] - t0 for k, t0 in due_at.items() if k in inbox.arrived]
    return latencies, from_burst, len(sent_at) - len(latencies)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def bench_alerts(n: int) -> tuple[list[Row], dict[str, Any]]:
    from aiosmtpd.controller import Controller

    from nlp.analyzer import Analyzer, AnalyzerSettings
    from pipeline.benches.nlp import reuters_watchlist

    entries = reuters_watchlist(WATCHED)
    analyzer = Analyzer(entries, AnalyzerSettings())
    list(analyzer.analyze_batch([{"id": "w", "text": f"{e.name} warm-up."} for e in entries[:5]]))
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with tempfile.TemporaryDirectory(prefix="nw-bench-alerts-") as tmp:
            # baseline first: analysis done up front, outside the clock
            base_docs = make_docs(n, entries, "pre")
            for doc in base_docs:
                doc.annotations, lang = analyzer.analyze_document(doc.text, title=doc.title)
                doc.lang = lang
            (Path(tmp) / "base").mkdir()
            base_lat, base_burst, base_lost = run_path(base_docs, entries, None, controller.port, inbox,
                                                       Path(tmp) / "base", "pre-analyzed baseline")
            (Path(tmp) / "full").mkdir()
            full_docs = make_docs(n, entries, "live")
            t0 = time.perf_counter()
            full_lat, full_burst, full_lost = run_path(full_docs, entries, analyzer, controller.port, inbox,
                                                       Path(tmp) / "full", "with analysis")
            wall = time.perf_counter() - t0
    finally:
        controller.stop()
    rows = [
        Row("alert latency p50", _pct(full_lat, 50) * 1000, _pct(base_lat, 50) * 1000, "ms", higher_is_better=False),
        Row("alert latency p95", _pct(full_lat, 95) * 1000, _pct(base_lat, 95) * 1000, "ms", higher_is_better=False),
        Row("alert latency max", max(full_lat, default=0) * 1000, max(base_lat, default=0) * 1000, "ms",
            higher_is_better=False),
        Row("from burst arrival p95", _pct(full_burst, 95) * 1000, _pct(base_burst, 95) * 1000, "ms",
            higher_is_better=False),
        Row("alerts delivered", len(full_lat), len(base_lat), "alerts"),
        Row("alerts lost", full_lost, base_lost, "alerts", higher_is_better=False),
    ]
    return rows, {"docs": len(full_docs), "wall_s": wall}


def run(docs: int | None, as_json: bool) -> int:
    try:
        rows, info = bench_alerts(docs or 1000)
    except FileNotFoundError as exc:
        print(f"newswatch bench alerts: {exc}", file=sys.stderr)
        return 2
    print_table("alerts", rows, "same path, analysis done beforehand (store + rules + outbox + SMTP)", as_json)
    if not as_json:
        print(f"{info['docs']} documents in bursts of {BURST}/s, {WATCHED} watched entities, "
              f"{info['wall_s']:.1f} s wall; goal: p95 < 5000 ms")
    return 0
