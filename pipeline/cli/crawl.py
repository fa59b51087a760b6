"""``newswatch crawl``: crawl the configured sources into the store, alerting and linking on the way."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pipeline.config import Config
from pipeline.correlator import make_event_stages
from pipeline.errors import UsageError
from pipeline.ingest.staged import StagedIngestError
from pipeline.service.crawl_job import run_crawl_job
from pipeline.wiring import TwoStage, make_alert_engine, make_store


def crawl(config: Config, args: argparse.Namespace) -> int:
    sources = [s for s in config.sources if not args.source or s.name in args.source]
    unknown = set(args.source) - {s.name for s in config.sources}
    if unknown:
        raise UsageError(f"--source: unknown source(s) {', '.join(sorted(unknown))}; "
                         f"configured: {', '.join(s.name for s in config.sources) or 'none'}")
    store = make_store(config)
    try:
        alerts = make_alert_engine(config, store)
        correlator, stories = make_event_stages(config, store, [alerts])  # new links may fire 'link' rules
        # arrival alerts while crawling, the analysis in a child process behind it (wiring.TwoStage)
        two = TwoStage(config, store, [alerts, *([correlator] if correlator else [])], stories=stories)
        report = None
        try:
            report = run_crawl_job(sources, two.ingestor, config.crawl.scrapy_settings(), stage=two.stage)
        finally:
            try:
                two.close()
            except StagedIngestError as exc:  # documents the analysis stage could not store (a full disk...)
                if report is None:  # the crawl itself failed: that error is the one to show
                    print(f"newswatch: error: {exc}", file=sys.stderr)
                else:
                    report.store_errors += exc.lost
                    report.first_store_error = report.first_store_error or exc.first_error
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
