"""A real ``newswatch worker`` (Celery, the config's broker) with a recording analyzer instead of the models.

``NEWSWATCH_TEST_LOG``: folder where each analysis notes it started (``started-PID-N``) and, when it
finishes, appends the document's first word to ``done.log``. ``NEWSWATCH_TEST_BLOCK=1``: the first
attempt at a text starting with BLOCK never finishes (the test kills the worker, or its pool process,
mid-task); later attempts do. A text starting with FAIL always raises (retries, then the dead letters).
``NEWSWATCH_TEST_CONCURRENCY``: pool processes (default 1: the solo pool).
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from pathlib import Path
from typing import Any

from pipeline.config import load_config
from pipeline.wiring import worker_analysis
from pipeline.workers.runner import run_worker
from storage.models import Annotations

LOG = Path(os.environ["NEWSWATCH_TEST_LOG"])
BLOCK = os.environ.get("NEWSWATCH_TEST_BLOCK") == "1"
_N = itertools.count()


class RecordingAnalyzer:
    def model_versions(self) -> dict[str, str]:
        return {"recording-analyzer": "1"}

    def analyze_document(self, text: str, title: str | None = None, targets: Any = (),
                         published_at: str | None = None, lang: str | None = None) -> tuple[Annotations, str]:
        first = text.split()[0]
        earlier = [p for p in LOG.glob("started-*") if p.read_text(encoding="utf-8") == text]
        (LOG / f"started-{os.getpid()}-{next(_N)}").write_text(text, encoding="utf-8")
        if BLOCK and first == "BLOCK" and not earlier:
            while True:
                time.sleep(0.1)
        if first == "FAIL":
            raise RuntimeError("this text always fails")
        with (LOG / "done.log").open("a", encoding="utf-8") as out:
            out.write(first + "\n")
        return Annotations(tone=0.5), "en"


if __name__ == "__main__":
    config = load_config(sys.argv[1])
    concurrency = int(os.environ.get("NEWSWATCH_TEST_CONCURRENCY") or 1)
    run_worker(config.workers, worker_analysis(config, RecordingAnalyzer), concurrency=concurrency, loglevel="INFO")
