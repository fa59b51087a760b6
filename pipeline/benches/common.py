"""Shared pieces of ``newswatch bench``: the result table and where the evaluation data lives.

Machines here are small and noisy, so absolute numbers mean little; the ratio to a baseline run
on the same data, in the same process, moments apart, is what to compare over time. Tests never
assert timings; this command is where speed is measured.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SHARED_DATA_ENV = "NEWSWATCH_SHARED_DATA"


@dataclass
class Row:
    measure: str
    newswatch: float
    baseline: float
    unit: str
    higher_is_better: bool = True

    @property
    def ratio(self) -> float:
        if not self.baseline:
            return float("nan")
        return self.newswatch / self.baseline

    def to_dict(self) -> dict[str, object]:
        return {"measure": self.measure, "newswatch": round(self.newswatch, 3), "baseline": round(self.baseline, 3),
                "unit": self.unit, "ratio": round(self.ratio, 3), "higher_is_better": self.higher_is_better}


def print_table(title: str, rows: list[Row], baseline_name: str, as_json: bool) -> None:
    if as_json:
        for r in rows:
            print(json.dumps({"area": title, "baseline_name": baseline_name, **r.to_dict()}))
        return
    print(f"\n{title} (baseline: {baseline_name})")
    width = max([36, *(len(r.measure) for r in rows)])  # a long measure name must not push its figures out of line
    units = max([8, *(len(r.unit) for r in rows)])
    print(f"{'measure':<{width}} {'newswatch':>12} {'baseline':>12} {'unit':<{units}} {'ratio':>7}")
    for r in rows:
        better = "" if r.higher_is_better else " (lower is better)"
        ours, theirs = _figure(r.newswatch), _figure(r.baseline)
        print(f"{r.measure:<{width}} {ours:>12} {theirs:>12} {r.unit:<{units}} {r.ratio:>7.2f}{better}")


def _figure(value: float) -> str:
    """Two decimals below 10 (0.95 s and 1.04 s must not both read 1.0), one above."""
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def shared_data_dir() -> Path:
    """``../shared/data`` beside the project (or $NEWSWATCH_SHARED_DATA): evaluation data, read by path."""
    if os.environ.get(SHARED_DATA_ENV):
        return Path(os.environ[SHARED_DATA_ENV])
    for base in (Path.cwd(), Path(__file__).resolve().parent.parent):
        cand = base.parent / "shared" / "data"
        if cand.is_dir():
            return cand
    raise FileNotFoundError(f"shared evaluation data not found: put it at ../shared/data or set {SHARED_DATA_ENV}")


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def query_latency_ms(run: Callable[[str], object], queries: list[str], warm: bool = False) -> tuple[float, float]:
    """p50 and p99 in milliseconds of ``run`` over ``queries``; ``warm`` runs each once first, so that
    both sides of a comparison meet the same page cache."""
    if warm:
        for q in queries:
            run(q)
    times = []
    for q in queries:
        t0 = time.perf_counter()
        run(q)
        times.append((time.perf_counter() - t0) * 1000)
    return percentile(times, 0.5), percentile(times, 0.99)
