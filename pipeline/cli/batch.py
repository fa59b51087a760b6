"""``newswatch extract|analyze --batch IN.jsonl``: JSON lines in, one answer per line out (public contract)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.config import Config
from pipeline.ingest.batch import run_analyze, run_extract
from pipeline.ingest.jsonl import JsonlWriter, open_input
from pipeline.wiring import make_analyzer


def extract(config: Config, args: argparse.Namespace) -> int:
    """Pages in, extraction out; relative page paths are read from beside the input file."""
    stream = open_input(args.batch)
    base = Path(args.batch).resolve().parent if args.batch != "-" else Path.cwd()
    run_extract(stream, base, JsonlWriter(sys.stdout), confine_paths=args.confine_paths,
                page_budget_s=args.page_budget)
    return 0


def analyze(config: Config, args: argparse.Namespace) -> int:
    """Texts in, annotations out, with the config's watchlists."""
    stream = open_input(args.batch)
    run_analyze(stream, make_analyzer(config), JsonlWriter(sys.stdout))
    return 0
