"""``newswatch bench AREA``: speed figures next to a baseline measured in the same run.

Machines here are small and noisy, so absolute numbers mean little; the ratio to a baseline run
on the same data, in the same process, moments apart, is what to compare over time. Tests never
assert timings; this command is where speed is measured. Each area is a module of this package
with ``run(docs: int | None, as_json: bool) -> int``; add an area by adding a module and a name here.
"""

from __future__ import annotations

import importlib

AREAS: tuple[str, ...] = ("store", "search", "nlp", "alerts", "events", "crawl", "scale", "scale_search")


def run_bench(area: str, docs: int | None, as_json: bool = False) -> int:
    for name in AREAS if area == "all" else (area,):
        module = importlib.import_module(f"pipeline.benches.{name}")
        code = module.run(docs, as_json)
        if code:
            return int(code)
    return 0
