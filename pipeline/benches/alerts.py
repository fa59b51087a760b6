"""``newswatch bench alerts``: latency from a document's ARRIVAL to its alert in an SMTP inbox.

1,000 documents (``--docs``) arrive in bursts of 50 every second, 50 entities are watched, and
every document names one of them in a lead sentence that also reports a visit (an
``official_visit`` event). Two rules watch them: ``mention`` (needs only the watchlist matcher)
and ``event`` (needs the full analysis). Each document goes the production path: arrival stage
(unchanged check, story, watchlist match, arrival rules, persistent outbox) at once, full analysis
(spaCy + stance + events) batched in a worker thread, SQLite store, analysis rules, background
delivery over SMTP to an aiosmtpd server in this process.

Latency is measured from the second the document's burst arrived (not from the ingest call, which
would hide the queue) to the message in the inbox. The baseline, in the same run on the same kind
of documents, is the one-stage path: each document analyzed before any rule, one at a time.

Texts: Reuters-21578 bodies read by path from ``../shared/data`` (never copied), each given an
invented lead sentence naming a watched entity.
"""

from __future__ import annotations

import functools
import socket
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from crawlers.urls import canonicalize_url
from nlp.analyzer import Analyzer, AnalyzerSettings
from pipeline.alerts.delivery import attach_outbox
from pipeline.alerts.rules import AlertEngine
from pipeline.benches.common import Row, print_table
from pipeline.benches.nlp import reuters_texts, reuters_watchlist
from pipeline.config import AlertRule, ChannelConfig, Config, SchedulerConfig, SmtpConfig, Watchlist
from pipeline.ingest.analysis_process import ProcessAnalyzer
from pipeline.ingest.ingestor import Ingestor
from pipeline.ingest.pending import PendingAnalysis
from pipeline.ingest.staged import StagedIngest
from pipeline.progress import progress
from storage.models import Document, WatchEntry
from storage.sqlite_store import SQLiteStore

BURST = 50
WATCHED = 50
PLACES = ("Brussels", "Tokyo", "Ottawa", "Brasilia", "Nairobi", "Canberra", "Oslo", "Lima")


@dataclass
class Inbox:
    """aiosmtpd handler: arrival time of each delivery key."""

    arrived: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        now = time.perf_counter()
        head = BytesHeaderParser().parsebytes(envelope.content)  # the headers only, like a mail filter
        key = str(make_header(decode_header(head["X-Newswatch-Delivery"] or "")))
        with self.lock:
            self.arrived[key] = now
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_docs(n: int, entries: list[WatchEntry], tag: str) -> list[Document]:
    texts = list(reuters_texts(n))
    docs = []
    for i, text in enumerate(texts):
        entry = entries[i % len(entries)]
        body = f"{entry.name} visited {PLACES[i % len(PLACES)]} on Tuesday for talks with officials. {text}"
        url = f"https://bench.example/{tag}/{i}"
        docs.append(Document(url=url, canonical_url=canonicalize_url(url), text=body, source="bench",
                             title=f"Report {i}"))
    return docs


@dataclass
class PathResult:
    """Seconds from burst arrival to inbox, per alert type; alerts that never arrived."""

    latency: dict[str, list[float]] = field(default_factory=dict)
    lost: int = 0
    wall_s: float = 0.0


def run_path(docs: list[Document], entries: list[WatchEntry], analyzer: Any, smtp_port: int, inbox: Inbox,
             workdir: Path, label: str, staged: bool) -> PathResult:
    """Let ``docs`` arrive in bursts of :data:`BURST` per second and time every alert to the inbox.

    ``staged``: the two-stage path (arrival now, analysis in a worker thread); otherwise the
    baseline, each document analyzed before any rule looks at it, one at a time.
    """
    config = Config(data_dir=workdir, smtp=SmtpConfig(host="127.0.0.1", port=smtp_port, timeout_s=10),
                    scheduler=SchedulerConfig(db_url=f"sqlite:///{workdir / 'service.db'}"),
                    watchlists={"bench": Watchlist(name="bench", entries=entries)},
                    channels=[ChannelConfig(name="mail", type="email", to=["desk@example.org"])],
                    alerts=[AlertRule(name="watch", watchlist="bench", channels=["mail"]),
                            AlertRule(name="visits", watchlist="bench", type="event", event_types=["official_visit"],
                                      channels=["mail"])])
    store = SQLiteStore(workdir / "newswatch.db")
    engine = AlertEngine(config.alerts, store, entries, fold=False)
    attach_outbox(engine, config)
    ingestor = Ingestor(store, analyzer, [engine], early_alerts=staged)
    stage = StagedIngest(ingestor, pending=PendingAnalysis(config.scheduler.db_url)) if staged else None
    arrival: dict[str, float] = {}
    start = time.perf_counter()
    try:
        with progress(f"bench alerts: {label}", total=len(docs)) as bar:
            for b in range(0, len(docs), BURST):
                due = start + b // BURST
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                for doc in docs[b:b + BURST]:
                    arrival[doc.id] = due  # the whole burst is there at once
                    if stage is not None:
                        stage.submit(doc)
                    else:
                        ingestor.ingest(doc)
                    bar.advance()
        if stage is not None:
            stage.close()
        expected = {f"{a.key}|mail": a for a in list(engine.fired)}
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            with inbox.lock:
                if all(k in inbox.arrived for k in expected):
                    break
            time.sleep(0.05)
    finally:
        engine.close()
        store.close()
    out = PathResult(wall_s=time.perf_counter() - start)
    with inbox.lock:
        for key, alert in expected.items():
            if key in inbox.arrived:
                out.latency.setdefault(alert.type, []).append(inbox.arrived[key] - arrival[alert.doc_id])
            else:
                out.lost += 1
    return out


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def bench_alerts(n: int) -> tuple[list[Row], dict[str, Any]]:
    from aiosmtpd.controller import Controller

    entries = reuters_watchlist(WATCHED)
    warm = [(f"{e.name} visited Oslo on Monday.", None) for e in entries[:5]]
    # the two-stage path analyses in a child process (loaded and warmed before the bursts start)
    remote = ProcessAnalyzer(functools.partial(Analyzer, entries, AnalyzerSettings()), entries)
    list(remote.annotate_many(warm))
    analyzer = Analyzer(entries, AnalyzerSettings())
    list(analyzer.annotate_many(warm))
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with tempfile.TemporaryDirectory(prefix="nw-bench-alerts-") as tmp:
            (Path(tmp) / "staged").mkdir()
            try:
                staged = run_path(make_docs(n, entries, "staged"), entries, remote, controller.port, inbox,
                                  Path(tmp) / "staged", "two stages", staged=True)
            finally:
                remote.close()
            (Path(tmp) / "serial").mkdir()
            serial = run_path(make_docs(n, entries, "serial"), entries, analyzer, controller.port, inbox,
                              Path(tmp) / "serial", "baseline: analysis first, one at a time", staged=False)
    finally:
        controller.stop()
    rows: list[Row] = []
    for kind, what in (("mention", "mention alert"), ("event", "event alert (needs analysis)")):
        ours, base = staged.latency.get(kind, []), serial.latency.get(kind, [])
        for q in (50, 95):
            rows.append(Row(f"{what} p{q}, arrival to inbox", _pct(ours, q), _pct(base, q), "s",
                            higher_is_better=False))
        rows.append(Row(f"{what}s delivered", len(ours), len(base), "alerts"))
    rows.append(Row("alerts lost", staged.lost, serial.lost, "alerts", higher_is_better=False))
    rows.append(Row("wall time", staged.wall_s, serial.wall_s, "s", higher_is_better=False))
    return rows, {"docs": n}


def run(docs: int | None, as_json: bool) -> int:
    try:
        rows, info = bench_alerts(docs or 1000)
    except FileNotFoundError as exc:
        print(f"newswatch bench alerts: {exc}", file=sys.stderr)
        return 2
    print_table("alerts", rows, "one stage: each document analyzed before any rule, one at a time", as_json)
    if not as_json:
        print(f"{info['docs']} documents arriving in bursts of {BURST}/s, {WATCHED} watched entities; "
              f"latency from the burst's arrival to the SMTP inbox; goal: mention alert p95 < 5 s")
    return 0
