"""The ``newswatch`` command. Thin: parse arguments, load config, call the component, map errors.

Exit codes follow the public contract: 0 done (per-line errors included), 2 usage or configuration
problem (with file, key path and line where known), 1 any other failure. No traceback reaches the
user unless NEWSWATCH_DEBUG=1. stdout carries results only; logs and progress go to stderr.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crawlers.budgets import DEFAULT_PAGE_BUDGET_S
from pipeline import benches, evals
from pipeline.config import Config, ConfigError, resolve_config
from pipeline.errors import UsageError
from pipeline.ingest.jsonl import InputFileError
from storage.base import StoreFull, StoreReadOnly

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

HANDLERS: dict[str, tuple[str, str]] = {
    "crawl": ("pipeline.cli.crawl", "crawl"),
    "extract": ("pipeline.cli.batch", "extract"),
    "analyze": ("pipeline.cli.batch", "analyze"),
    "ingest": ("pipeline.cli.ingest", "ingest"),
    "search": ("pipeline.cli.search", "search"),
    "export": ("pipeline.cli.export", "export"),
    "sources": ("pipeline.cli.sources", "sources"),
    "links": ("pipeline.cli.links", "links"),
    "digest": ("pipeline.cli.digest", "digest"),
    "run": ("pipeline.cli.service", "run"),
    "jobs": ("pipeline.cli.service", "jobs"),
    "serve": ("pipeline.cli.serve", "serve"),
    "worker": ("pipeline.cli.worker", "worker"),
    "migrate": ("pipeline.cli.migrate", "migrate"),
}
"""Command -> (module, function) of its handler, ``handler(config, args) -> exit code``.

The module is imported only when its command runs, so ``newswatch --help`` and a mistyped option stay
instant: the handlers pull in FastAPI, SQLAlchemy, pandas, Scrapy or spaCy, each of which takes a while.
"""


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="PATH", help="config file (else $NEWSWATCH_CONFIG, ./newswatch.toml, defaults)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newswatch", description="News and social-media monitoring.")
    parser.add_argument("--version", action="version", version="newswatch 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("demo", help="crawl the bundled demo site, analyze, store, search, alert, digest")
    p.add_argument("--data-dir", default="./newswatch-demo", help="where the demo keeps its state")
    p.add_argument("--port", type=int, default=0, help="port of the local demo site (0: any free port)")

    p = sub.add_parser("crawl", help="crawl the configured sources into the store")
    _add_config(p)
    p.add_argument("--source", action="append", default=[], help="only this source (repeatable)")

    for name, what in (("extract", "pages in, extraction out"), ("analyze", "texts in, annotations out")):
        p = sub.add_parser(name, help=f"JSON lines: {what}")
        _add_config(p)
        p.add_argument("--batch", metavar="IN.jsonl", required=True,
                       help="input file, one request per line ('-': stdin)")
        if name == "extract":
            p.add_argument("--confine-paths", action="store_true",
                           help="read html_path only inside the folder of IN.jsonl (paths are otherwise read as "
                                "given, with your permissions: use this for input you did not write)")
            p.add_argument("--page-budget", metavar="SECONDS", type=_positive_seconds, default=DEFAULT_PAGE_BUDGET_S,
                           help="stop extracting a page after this long and answer it with a warning "
                                f"(default {DEFAULT_PAGE_BUDGET_S:g})")

    p = sub.add_parser("ingest", help="store documents from a JSON-lines file (analyzed on the way in)")
    _add_config(p)
    p.add_argument("file", metavar="FILE.jsonl")
    p.add_argument("--no-analyze", action="store_true", help="store without running the NLP stage")

    p = sub.add_parser("search", help="full-text search of the store")
    _add_config(p)
    p.add_argument("query", help='words, "phrases", AND/OR/NOT, (groups), -exclude, word*, a NEAR/5 b, '
                                 "source: kind: lang: entity: stance:against:X event: link: story: published: "
                                 "(docs/search.md); any script")
    p.add_argument("--json", action="store_true", help="one JSON hit per line")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--sort", choices=("relevance", "date", "oldest"), default="relevance",
                   help="best first (default), newest first, or oldest first")
    p.add_argument("--collapse", action="store_true", help="one hit per story, with the story's size")
    for f in ("source", "kind", "lang", "entity", "since", "until"):
        p.add_argument(f"--{f}", help=f"filter on {f}")

    p = sub.add_parser("export", help="export stored documents with their annotations")
    _add_config(p)
    p.add_argument("--format", choices=("csv", "parquet", "jsonl"), required=True)
    p.add_argument("--output", "-o", help="output file (default: stdout for csv/jsonl, newswatch-export.parquet)")
    p.add_argument("--since", help="only documents stored since this ISO date/time")

    p = sub.add_parser("sources", help="health of each source")
    _add_config(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("links", help="co-timed event pairs found by the correlator ('timed to')")
    _add_config(p)
    p.add_argument("--json", action="store_true", help="one JSON link per line")
    p.add_argument("--since", help="only links created since this ISO date/time")

    p = sub.add_parser("migrate", help="move a store to another (SQLite <-> PostgreSQL), resumable, then compare")
    _add_config(p)
    p.add_argument("--from", dest="source", metavar="URL", required=True,
                   help="store to read (sqlite:///PATH or postgresql://...?schema=S)")
    p.add_argument("--to", dest="target", metavar="URL", required=True, help="store to fill (same forms)")
    p.add_argument("--limit", type=int, metavar="N", help="stop after moving N documents (run again to go on)")

    p = sub.add_parser("digest", help="write (and optionally email) the digest")
    _add_config(p)
    p.add_argument("--since", help="the window starts here (ISO date/time, today, yesterday, 36h, 2d); "
                                   "default: the last 24 hours, or for --send since the recipient's last digest")
    p.add_argument("--send", action="store_true", help="email it to the configured recipients")
    p.add_argument("--date", metavar="D",
                   help="the digest of one day (YYYY-MM-DD, in the recipients' time zone) by publication time")
    p.add_argument("--dry-run", action="store_true", help="write it, send nothing (with --send: show what would go)")
    p.add_argument("--out", metavar="FILE.html", help="write the HTML here (default: DATA_DIR/digests/)")

    p = sub.add_parser("run", help="the long-running service: scheduled crawls, alerts, daily digests")
    _add_config(p)

    p = sub.add_parser("jobs", help="scheduled jobs with next run time and last result")
    _add_config(p)
    p.add_argument("--json", action="store_true", help="one JSON object per job")

    p = sub.add_parser("worker", help="an analysis worker: analyses and stores what crawl and ingest queue "
                                      "([workers] in the config, docs/deployment.md)")
    _add_config(p)
    p.add_argument("--concurrency", type=int, default=None, metavar="N",
                   help="worker processes (default from [workers], 1); each loads the models")
    p.add_argument("--loglevel", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    p.add_argument("--retry-dead", action="store_true",
                   help="queue the dead-lettered documents again (see newswatch jobs) and exit")
    p.add_argument("--resend", action="store_true",
                   help="queue again every document waiting for a worker (the broker lost its queue) and exit")

    p = sub.add_parser("serve", help="HTTP API and web UI for analyst search")
    _add_config(p)
    p.add_argument("--host", help="address to bind (default from [api], 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default from [api], 8080)")

    p = sub.add_parser("config", help="validate the configuration and print a summary")
    _add_config(p)

    p = sub.add_parser("bench", help="measure speed next to a baseline measured in the same run")
    p.add_argument("area", choices=(*benches.AREAS, "all"))
    p.add_argument("--docs", type=int, default=None, help="number of documents (each area has its default)")
    p.add_argument("--json", action="store_true", help="print the table as JSON lines")

    p = sub.add_parser("eval", help="quality on public evaluation data, next to baselines")
    p.add_argument("area", choices=evals.AREAS or ("none",))
    p.add_argument("--limit", type=int, default=None, help="evaluate on at most this many items")
    p.add_argument("--section", action="append", default=None, metavar="NAME",
                   help="run only this section of the area (repeatable; nlp: ner, reuters, stance, quotes)")
    p.add_argument("--json", action="store_true", help="print the table as JSON lines")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except (ConfigError, InputFileError, UsageError) as exc:
        print(f"newswatch: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("newswatch: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except (StoreReadOnly, StoreFull) as exc:  # the machine's permissions or disk, not a bug: say what to do
        print(f"newswatch: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a message, not a traceback
        if os.environ.get("NEWSWATCH_DEBUG"):
            raise
        print(f"newswatch: error: {type(exc).__name__}: {exc}\n"
              "  (set NEWSWATCH_DEBUG=1 to see the traceback, and please report it)", file=sys.stderr)
        return EXIT_FAILURE


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command
    if command == "demo":
        return int(_import("pipeline.demo").run_demo(Path(args.data_dir), port=args.port))
    if command == "bench":
        return benches.run_bench(args.area, args.docs, as_json=args.json)
    if command == "eval":
        if args.area == "none":
            raise UsageError(evals.EVAL_AREAS_HINT)
        return int(evals.run_eval(args.area, args))

    config = resolve_config(getattr(args, "config", None))
    if command == "config":
        return _show_config(config)
    module, function = HANDLERS[command]
    return int(getattr(_import(module), function)(config, args))


def _import(module: str) -> Any:
    """A command's module, imported when the command runs (see ``HANDLERS``); the demo's too (it loads spaCy)."""
    return importlib.import_module(module)


def _show_config(config: Config) -> int:
    print(f"config: {config.path or 'built-in defaults'}")
    print(f"data_dir: {config.data_dir}\nstorage: {config.storage_url}")
    print(f"sources: {len(config.sources)}; watchlists: "
          f"{', '.join(f'{n} ({len(w.entries)})' for n, w in config.watchlists.items()) or 'none'}; "
          f"alert rules: {len(config.alerts)}; digest recipients: {len(config.digest.recipients)}")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
