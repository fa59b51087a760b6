"""``newswatch eval AREA``: quality figures on public data, next to baselines run in the same call.

Each area is a module of this package with ``run(args: argparse.Namespace) -> int``; add an area by
adding a module and its name to ``AREAS``. Data is read by path from ../shared/data, never copied.
"""

from __future__ import annotations

import argparse
import importlib

AREAS: tuple[str, ...] = ("nlp", "events", "extraction", "extractors")
EVAL_AREAS_HINT = "no evaluation areas are installed yet"


def run_eval(area: str, args: argparse.Namespace) -> int:
    module = importlib.import_module(f"pipeline.evals.{area}")
    return int(module.run(args))
