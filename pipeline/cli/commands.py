"""Handlers of the store-facing CLI commands (crawl, ingest, search, export, sources, digest)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.alerts.rules import AlertEngine, jsonl_notifier, read_alert_log
from pipeline.config import Config
from pipeline.ingest.ingestor import IngestError, Ingestor, document_from_record
from pipeline.ingest.jsonl import JsonlWriter, chunks, open_input, read_lines
from pipeline.progress import progress
from pipeline.wiring import make_analyzer, make_store
from storage.base import Store
from storage.models import Document

INGEST_CHUNK = 32


def alert_log_path(config: Config) -> Path:
    return config.data_dir / "alerts.jsonl"


def make_alert_engine(config: Config, store: Store, echo: bool = True) -> AlertEngine:
    notifiers = [jsonl_notifier(alert_log_path(config))]
    if echo:
        notifiers.append(lambda a: print(f"ALERT {a.headline()}", file=sys.stderr))
    engine = AlertEngine(config.alerts, store, config.watch_entries(), notifiers)
    if any(r.channels or r.email for r in config.alerts):
        from pipeline.alerts.delivery import attach_outbox

        attach_outbox(engine, config)
    return engine


def crawl(config: Config, args: argparse.Namespace) -> int:
    from pipeline.service.crawl_job import run_crawl_job

    sources = [s for s in config.sources if not args.source or s.name in args.source]
    unknown = set(args.source) - {s.name for s in config.sources}
    if unknown:
        from pipeline.errors import UsageError

        raise UsageError(f"--source: unknown source(s) {', '.join(sorted(unknown))}; "
                         f"configured: {', '.join(s.name for s in config.sources) or 'none'}")
    store = make_store(config)
    try:
        alerts = make_alert_engine(config, store)
        from pipeline.correlator import make_event_stages

        correlator, stories = make_event_stages(config, store, [alerts])  # new links may fire 'link' rules
        ingestor = Ingestor(store, make_analyzer(config), [alerts, *([correlator] if correlator else [])],
                            stories=stories)
        report = run_crawl_job(sources, ingestor)
        for line in report.summary_lines():
            print(line)
        print(f"alerts fired: {len(alerts.fired)} (already sent before: {alerts.already_sent})")
        alerts.close()
    finally:
        store.close()
    return crawl_exit_code(report)


def crawl_exit_code(report: Any) -> int:
    """1 when the store refused items or a source gave nothing but errors (said on stderr), else 0."""
    failed = report.failed_sources()
    if report.store_errors:
        print(f"newswatch: error: {report.store_errors} item(s) could not be stored ({report.first_store_error}); "
              "their pages will be fetched again by the next crawl", file=sys.stderr)
    if failed:
        print(f"newswatch: error: no document from source(s) {', '.join(failed)}: every page was quarantined "
              "(see the reasons above and `newswatch sources`)", file=sys.stderr)
    return 1 if report.store_errors or failed else 0


def ingest(config: Config, args: argparse.Namespace) -> int:
    stream = open_input(args.file)
    store = make_store(config)
    out = JsonlWriter(sys.stdout)
    try:
        analyzer = None if args.no_analyze else make_analyzer(config)
        engine = make_alert_engine(config, store)
        from pipeline.correlator import make_event_stages

        correlator, stories = make_event_stages(config, store, [engine])
        ingestor = Ingestor(store, analyzer, [engine, *([correlator] if correlator else [])], stories=stories)
        with progress("ingest") as bar:
            for chunk in chunks(read_lines(stream, require_id=False), INGEST_CHUNK):
                # Bad lines answer in place; good ones are analyzed together (one nlp.pipe pass).
                answers: list[dict[str, Any] | int] = []
                docs = []
                for line in chunk:
                    try:
                        if line.error or line.obj is None:
                            raise IngestError(line.error or "unreadable line")
                        docs.append(document_from_record(line.obj))
                        answers.append(line.number)
                    except IngestError as exc:
                        answers.append(line.error_answer(str(exc)))
                results = iter(ingestor.ingest_batch(docs))
                for answer in answers:
                    if isinstance(answer, int):
                        result = next(results)
                        answer = {"line": answer, "id": result.id, "status": result.status}
                    out.write(answer)
                bar.advance(len(chunk))
        engine.close()
    finally:
        store.close()
    return 0


def sqlite_store_path(config: Config) -> Path | None:
    """The file of a SQLite store (None for PostgreSQL or an in-memory store)."""
    url = config.storage_url
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return None
    return Path(url[len("sqlite:///"):])


def _search_filters(args: argparse.Namespace) -> dict[str, Any]:
    """The filters of ``search``; an unreadable ``--since``/``--until`` is a usage error, not an empty result."""
    from pipeline.errors import UsageError
    from pipeline.when import WhenError, parse_when

    filters: dict[str, Any] = {}
    for key in ("source", "kind", "lang"):
        if getattr(args, key):
            filters[key] = getattr(args, key)
    for key in ("since", "until"):
        value = getattr(args, key)
        if value:
            try:
                moment = parse_when(value, f"--{key}")
            except WhenError as exc:
                raise UsageError(str(exc)) from None
            whole_day = value.strip().lower() in ("today", "yesterday") or len(value.strip()) == 10
            filters[key] = moment.date().isoformat() if whole_day else moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if args.entity:
        filters["entity_id"] = args.entity
    return filters


def search(config: Config, args: argparse.Namespace) -> int:
    filters = _search_filters(args)
    links = re.findall(r"(?:^|\s)link:(\S+)", args.query)  # link:ID|RULE|ENTITY|TYPE|any
    if links:
        filters["link"] = links
    query = re.sub(r"(?:^|\s)link:\S+", " ", args.query).strip()
    from pipeline.errors import UsageError
    from storage.base import StoreError

    if not 0 <= args.limit <= 10_000 or not 0 <= args.offset <= 1_000_000_000:
        raise UsageError(f"--limit must be 0 to 10000 and --offset 0 to 1000000000 (got {args.limit}, {args.offset})")
    from storage.text_search import QueryError, parse_query

    try:
        parse_query(query)
    except QueryError as exc:
        raise UsageError(str(exc)) from None
    path = sqlite_store_path(config)
    if path is not None and not path.exists():
        # never create a store (and ./newswatch-data) just to find nothing in it
        where = f"config {config.path}" if config.path else "no config found: the built-in defaults"
        print(f"newswatch: no store at {path} ({where}); nothing has been crawled or ingested there yet. "
              "Run `newswatch crawl` or `newswatch ingest FILE` first, or pass --config", file=sys.stderr)
        return 1
    store = make_store(config)
    try:
        held = store.count()
        result = store.search(query, filters=filters, limit=args.limit, offset=args.offset)
    except StoreError as exc:  # a query with no words, too many words, a bad filter: the caller's to fix
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    if held == 0:
        print(f"newswatch: the store at {path or config.storage_url} holds no documents yet; "
              "run `newswatch crawl` or `newswatch ingest FILE` first", file=sys.stderr)
    if args.json:
        out = JsonlWriter(sys.stdout)
        for hit in result.hits:
            out.write(hit.to_dict())
        return 0
    print(f"{result.total} matches for {args.query!r}")
    for i, hit in enumerate(result.hits, args.offset + 1):
        print(f"{i:>3}. {hit.title or hit.url}  [{hit.source} · {hit.kind} · {hit.published_at or '-'}]")
        print(f"     {hit.snippet}")
        print(f"     {hit.url}")
    return 0


def _flat_record(doc: Document) -> dict[str, Any]:
    ann = doc.annotations
    rec = {k: v for k, v in doc.to_dict().items() if k not in ("annotations", "provenance", "product")}
    product = doc.product.to_dict() if doc.product else {}
    for key in ("name", "price", "currency", "availability", "seller", "sku", "brand"):
        rec[f"product_{key}"] = product.get(key)
    rec["entity_ids"] = sorted({e.entity_id for e in ann.entities if e.entity_id})
    rec["tone"] = ann.tone
    rec["entities"] = [e.to_dict() for e in ann.entities]
    rec["quotes"] = [q.to_dict() for q in ann.quotes]
    rec["stance"] = [s.to_dict() for s in ann.stance]
    rec["events"] = ann.events
    return rec


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """A crawled text cell that a spreadsheet would run as a formula, made inert (OWASP's CSV injection recipe).

    Titles and text come from pages an attacker writes; a leading quote makes Excel, LibreOffice and Sheets show
    the cell as text. Values that are not text (numbers, missing values) are left as they are.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export(config: Config, args: argparse.Namespace) -> int:
    import pandas as pd

    store = make_store(config)
    try:
        if args.format == "jsonl":
            target = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
            writer = JsonlWriter(target)
            for doc in store.iter_since(args.since):
                writer.write(doc.to_dict())
            if args.output:
                target.close()
                print(f"wrote {writer.count} documents to {args.output}", file=sys.stderr)
            return 0
        records = [_flat_record(d) for d in store.iter_since(args.since)]
    finally:
        store.close()
    frame = pd.DataFrame.from_records(records)
    if args.format == "csv":
        for col in ("entity_ids", "entities", "quotes", "stance", "events"):
            if col in frame:
                frame[col] = frame[col].map(lambda v: json.dumps(v, ensure_ascii=False))
        for col in frame.columns:
            frame[col] = frame[col].map(neutralise_formula)
        frame.to_csv(args.output or sys.stdout, index=False)
    else:
        output = args.output or "newswatch-export.parquet"
        for col in ("entities", "quotes", "stance", "events"):
            if col in frame:
                frame[col] = frame[col].map(lambda v: json.dumps(v, ensure_ascii=False))
        frame.to_parquet(output, index=False)
        print(f"wrote {len(frame)} documents to {output}", file=sys.stderr)
    return 0


def source_health(store: Store, config: Config) -> list[dict[str, Any]]:
    """Per-source health as the store keeps it (counted while crawling, see ``storage.crawl_state``).

    ``items_stored`` is the number of documents the store holds for the source (whichever way
    they arrived); ``errors`` counts quarantined pages by class.
    """
    held = store.search("", facets=["source"], limit=1).facets.get("source", {})
    rows = store.crawl.source_health(sorted({s.name for s in config.sources} | set(held)))
    for row in rows:
        row["items_stored"] = int(held.get(row["source"], 0))
    return rows


def sources(config: Config, args: argparse.Namespace) -> int:
    store = make_store(config)
    try:
        rows = source_health(store, config)
    finally:
        store.close()
    if args.json:
        out = JsonlWriter(sys.stdout)
        for row in rows:
            out.write(row)
        return 0
    print(f"{'source':<20} {'stored':>7} {'pages':>6} {'errors':>6}  last success")
    for r in rows:
        print(f"{r['source']:<20} {r['items_stored']:>7} {r['pages_fetched']:>6} {sum(r['errors'].values()):>6}  "
              f"{r['last_success'] or '-'}")
        for reason, n in sorted(r["errors"].items()):
            print(f"{'':<20}   quarantined {n} x {reason}")
    return 0


def _digest_tz(config: Config) -> str:
    """The recipients' time zone when they share one, else UTC."""
    zones = {r.timezone for r in config.digest.recipients}
    return zones.pop() if len(zones) == 1 else "UTC"


def _digest_window(config: Config, args: argparse.Namespace) -> Any:
    """The window ``--date`` or ``--since`` asks for (None: the default), in the recipients' time zone."""
    from pipeline.digest.build import Window
    from pipeline.errors import UsageError
    from pipeline.when import WhenError, parse_when

    tz = _digest_tz(config)
    day = getattr(args, "date", None)
    if day is not None:
        try:
            datetime.strptime(day, "%Y-%m-%d")
        except ValueError:
            raise UsageError(f"--date: expected YYYY-MM-DD, got {day!r}") from None
        return Window.day(day, tz)
    if args.since:
        try:
            start = parse_when(args.since, "--since", tz)
        except WhenError as exc:
            raise UsageError(str(exc)) from None
        return Window(start, datetime.now(UTC), tz)
    return None


def digest(config: Config, args: argparse.Namespace) -> int:
    """Write the digest of a window (default: the last 24 hours) and, with ``--send``, email each recipient
    theirs (default: since the last digest sent to them, else the last 24 hours)."""
    from pipeline.digest.build import Window, build_for_config, default_window, recipient_email

    asked = _digest_window(config, args)
    window = asked or Window.last_hours(24, tz=_digest_tz(config))
    out = Path(args.out) if getattr(args, "out", None) else None
    store = make_store(config)
    try:
        alerts = read_alert_log(alert_log_path(config))
        data, path = build_for_config(config, store, alerts, None, window=window, out=out)
        print(f"digest of {window.label()}: {data.total} documents, {len(data.alerts)} alerts -> {path}")
        if args.send:
            if not config.digest.recipients:
                print("newswatch: no digest recipients configured ([[digest.recipients]]); nothing sent",
                      file=sys.stderr)
                return 0
            windows = {r.email: Window(asked.start, asked.end, r.timezone) if asked else default_window(config, r)
                       for r in config.digest.recipients}
            if getattr(args, "dry_run", False):
                for r in config.digest.recipients:
                    print(f"dry run: would send to {r.email} ({', '.join(r.watchlists)}): {windows[r.email].label()}")
                return 0
            from pipeline.alerts.channels import DIGEST_CHANNEL, make_senders
            from pipeline.alerts.outbox import Outbox

            outbox = Outbox(config.scheduler.db_url)
            outbox.deferred = {c.name for c in config.channels if c.type == "stdout"}  # printed by `run` only
            for r in config.digest.recipients:
                w = windows[r.email]
                payload = recipient_email(config, store, r, window=w)
                outbox.put(f"digest|{r.email}|{w.to_dict()['start']}|{w.to_dict()['end']}", DIGEST_CHANNEL, payload)
            sent, failed = outbox.deliver_due(make_senders(config, "defer"))
            print(f"sent {sent} digest emails via {config.smtp.host}:{config.smtp.port}"
                  + (f"; {failed} waiting in the outbox for a retry (newswatch run retries)" if failed else ""))
    finally:
        store.close()
    return 0
