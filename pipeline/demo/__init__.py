"""``newswatch demo``: the whole product on the bundled site, in one command, re-runnable.

Serves the invented demo site on a local port, crawls it with Scrapy, analyzes every page (spaCy
NER + the watchlist), stores it in SQLite FTS5, fires alerts, writes the digest, and prints what an
analyst would look at. State lives in the data directory: a second run finds every document
unchanged and reports alerts as already sent.
"""

from __future__ import annotations

import errno
import socket
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from pipeline.alerts.rules import AlertEngine, alert_log_path, read_alert_log
from pipeline.config import Config, parse_config
from pipeline.correlator import demo_summary, make_event_stages
from pipeline.demo.site_server import SiteServer
from pipeline.digest.build import build_for_config
from pipeline.ingest.ingestor import Ingestor
from pipeline.service.crawl_job import run_crawl_job
from pipeline.wiring import make_alert_engine, make_analyzer, make_store
from storage.base import Store
from storage.models import Document, content_hash, document_id

DEMO_PORT = 8642
DEMO_ORIGIN = f"http://127.0.0.1:{DEMO_PORT}"
TEMPLATE = Path(__file__).resolve().parent / "demo.toml"
EXAMPLE_SEARCHES = ('"Nova 7" launch', "维创")
CRAWL_SETTINGS = {
    # The site is local: no need to wait between requests, but stay polite in shape.
    "AUTOTHROTTLE_START_DELAY": 0.0,
    "AUTOTHROTTLE_MAX_DELAY": 0.5,
    "DOWNLOAD_DELAY": 0.0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
}


def _free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def pin_origin(doc: Document, served: str) -> Document:
    """Store demo documents under one origin whatever port served them, so re-runs match by URL."""
    if served == DEMO_ORIGIN:
        return doc
    doc.url = doc.url.replace(served, DEMO_ORIGIN, 1)
    doc.canonical_url = (doc.canonical_url or doc.url).replace(served, DEMO_ORIGIN, 1)
    doc.id = document_id(doc.canonical_url)
    doc.text = doc.text.replace(served, DEMO_ORIGIN)
    doc.content_hash = content_hash(doc.title, doc.text, doc.product)
    return doc


def demo_config(data_dir: Path, base_url: str) -> Config:
    """The demo's config: the bundled template with the site URL and data directory filled in."""
    import tomllib

    text = TEMPLATE.read_text(encoding="utf-8")
    text = text.replace("{{BASE_URL}}", base_url).replace("{{DATA_DIR}}", data_dir.resolve().as_posix())
    data_dir.mkdir(parents=True, exist_ok=True)
    saved = data_dir / "newswatch.toml"
    saved.write_text(text, encoding="utf-8")
    return parse_config(tomllib.loads(text), saved, text)


def run_demo(data_dir: Path, port: int = 0) -> int:
    started = time.monotonic()
    # A fixed port keeps document URLs (their identity) the same from one run to the next.
    chosen = port or (DEMO_PORT if _free(DEMO_PORT) else 0)
    if not port and chosen == 0:
        print(f"port {DEMO_PORT} is busy: serving the demo site on another port", file=sys.stderr)
    with SiteServer(port=chosen) as site:
        config = demo_config(data_dir, site.base_url)
        print(f"newswatch demo: serving the bundled site at {site.base_url}", file=sys.stderr)
        print(f"data directory: {config.data_dir}", file=sys.stderr)
        store = make_store(config)
        try:
            print("loading NLP models ...", file=sys.stderr)
            analyzer = make_analyzer(config)
            alerts = make_alert_engine(config, store, echo=False)
            correlator, stories = make_event_stages(config, store, [alerts])
            ingestor = Ingestor(store, analyzer, [alerts, *([correlator] if correlator else [])], stories=stories)
            print("crawling ...", file=sys.stderr)
            report = run_crawl_job(config.sources, ingestor, CRAWL_SETTINGS, verbose=False,
                                   rewrite=partial(pin_origin, served=site.base_url))
            alerts.close()  # folded matches go out as their follow-up alert; the outbox is flushed
            _print_summary(config, store, report.stored, report.quarantined, alerts)
        finally:
            store.close()
    print(f"\ndone in {time.monotonic() - started:.1f} s. Try: {sys.argv[0]} search --config "
          f"{config.path} 'Duarte mug'")
    return 0


def _print_stances(store: Store, names: dict[str, str], limit: int = 8) -> None:
    """Who is for or against the watched entities, with the quote that shows it (quoted speakers only)."""
    seen: dict[tuple[str, str], tuple[str, float, str, str | None]] = {}
    for doc in store.iter_since(None):
        for q in doc.annotations.quotes:
            for s in q.stance:
                if s.entity_id not in names or q.speaker is None:
                    continue
                rank = (s.label != "neutral", s.score)  # the most decided quote speaks for the speaker
                old = seen.get((s.holder, s.entity_id))
                if old is None or rank > (old[0] != "neutral", old[1]):
                    seen[(s.holder, s.entity_id)] = (s.label, s.score, q.text, q.speaker.affiliation)
    print("\n== Who is for or against whom (quoted speakers, trained stance model)")
    if not seen:
        print("  no quoted stance toward a watched entity")
    for (holder, entity_id), (label, score, quote, affiliation) in sorted(seen.items())[:limit]:
        who = f"{holder} ({affiliation})" if affiliation else holder
        text = quote if len(quote) <= 110 else quote[:107] + "..."
        print(f"  {who} -> {names[entity_id]}: {label.upper()} {score:.2f}")
        print(f'      "{text}"')


def _print_summary(config: Config, st: Store, stored: dict[str, dict[str, int]],
                   quarantined: dict[str, int], alerts: AlertEngine) -> None:
    new_total = sum(c["new"] + c["updated"] for c in stored.values())
    print("\n== Documents per source (this run)")
    print(f"{'source':<16} {'new':>5} {'updated':>8} {'unchanged':>10} {'in store':>9} {'quarantined':>12}")
    for source in sorted(set(stored) | {s.name for s in config.sources}):
        c = stored.get(source, {"new": 0, "updated": 0, "unchanged": 0})
        total = st.count({"source": source})
        print(f"{source:<16} {c['new']:>5} {c['updated']:>8} {c['unchanged']:>10} {total:>9} "
              f"{quarantined.get(source, 0):>12}")
    print(f"{new_total} new documents this run; {st.count()} in the store")

    names = {e.id: e.name for e in config.watch_entries()}
    watched: Counter[str] = Counter()
    others: Counter[str] = Counter()
    for doc in st.iter_since(None):
        for ent in doc.annotations.entities:
            if ent.entity_id:
                watched[names.get(ent.entity_id, ent.entity_id)] += 1
            elif ent.label in ("PERSON", "ORG", "GPE", "NORP", "PRODUCT"):
                others[f"{ent.canonical or ent.text} ({ent.label})"] += 1
    print("\n== Top entities")
    for name, n in watched.most_common(5):
        print(f"  {n:>4}  {name}  [watched]")
    for name, n in others.most_common(8):
        print(f"  {n:>4}  {name}")

    _print_stances(st, names)

    print("\n".join(demo_summary(st, names)))

    for query in EXAMPLE_SEARCHES:
        result = st.search(query, limit=3)
        print(f"\n== Search: {query}  ({result.total} matches)")
        for hit in result.hits:
            print(f"  - {hit.title or hit.url}  [{hit.source}, {hit.kind}]")
            print(f"    {hit.snippet[:160]}")

    print("\n== Alerts")
    if alerts.fired:
        for alert in alerts.fired:  # a folded follow-up names its documents in its headline
            print(f"  FIRED {alert.headline()}")
    log = read_alert_log(alert_log_path(config))
    if not alerts.fired:
        if log:
            last = log[-1]
            print(f"  already sent: [{last['rule']}] {last['entity_name']} ({len(log)} alert(s) in "
                  f"{alert_log_path(config)}); no new matches this run")
        else:
            print("  no alert matched")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    _, path = build_for_config(config, st, log, None, stamp)
    print(f"\n== Digest\n  {path.resolve()}")
