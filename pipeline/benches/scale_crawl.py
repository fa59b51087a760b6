"""The crawl line of ``newswatch bench scale``: pages/min of 2 crawler processes sharing one crawl, next to 1.

The site is ``benches.crawl``'s (article pages of 30-80 KB, generated, served from memory in this
process); the frontier is Redis (``crawlers.shared_frontier``, 127.0.0.1:6379 database 0, a crawl
name of its own per round). Each crawler is a subprocess with one extraction worker, politeness
off but the per-host limit shared over the processes (32 at once). The clock runs from the first
process's crawl start to the last one's end, so interpreter and Scrapy start-up are not timed.
No store and no analysis: this is the crawl and extraction alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from crawlers.runner import run_crawl
from pipeline.benches.common import Row
from pipeline.benches.crawl import _Site

CRAWL_PAGES = 1000
REDIS = os.environ.get("NEWSWATCH_BENCH_REDIS", "redis://127.0.0.1:6379/0")


def crawl_worker(sources_path: str, settings_path: str, out_path: str) -> None:
    """Subprocess entry: one crawler of the shared crawl; writes its page count and crawl start/end times."""
    counts = {"docs": 0, "quarantined": 0}

    def on_item(item: Any) -> None:
        counts["docs" if type(item).__name__ == "Document" else "quarantined"] += 1

    settings = json.loads(Path(settings_path).read_text())
    started = time.time()
    stats = run_crawl(json.loads(Path(sources_path).read_text()), on_item, settings, progress=False)
    Path(out_path).write_text(json.dumps({**counts, "start": started, "end": time.time(),
                                          "pages_fetched": stats.pages_fetched}))


def crawl_round(site: _Site, pages: int, processes: int, folder: Path) -> tuple[float, list[int]]:
    """Pages/min of ``processes`` crawlers sharing one crawl of the site, and the documents each made."""
    sources = folder / "sources.json"
    sources.write_text(json.dumps([{"name": "bench", "type": "sitemap", "url": f"{site.base}/sitemap.xml",
                                    "max_pages": pages}]))
    settings = folder / f"settings-{processes}.json"
    settings.write_text(json.dumps({
        "NEWSWATCH_REDIS_URL": REDIS, "NEWSWATCH_CRAWL_NAME": f"bench-{uuid.uuid4().hex[:10]}",
        "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 32, "RETRY_TIMES": 0, "LOG_LEVEL": "ERROR",
        "NEWSWATCH_EXTRACT_WORKERS": 1}))
    outs = [folder / f"out-{processes}-{i}.json" for i in range(processes)]
    code = "import sys; from pipeline.benches.scale_crawl import crawl_worker; crawl_worker(*sys.argv[1:4])"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(sources), str(settings), str(out)],
                              stderr=subprocess.PIPE, text=True) for out in outs]
    for p in procs:
        _, err = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(f"a crawler failed: {err[-2000:]}")
    results = [json.loads(out.read_text()) for out in outs]
    docs = [int(r["docs"]) for r in results]
    span = max(r["end"] for r in results) - min(r["start"] for r in results)
    return sum(docs) / span * 60 if span > 0 else float("nan"), docs


def crawl_rows(docs: int | None) -> list[Row]:
    """2 crawler processes on one shared crawl next to 1, each round a fresh crawl of the same site."""
    n = docs or CRAWL_PAGES
    print(f"bench scale: crawl, {n} generated pages, shared frontier {REDIS}", file=sys.stderr, flush=True)
    with _Site(n) as site, tempfile.TemporaryDirectory() as tmp:
        one, _ = crawl_round(site, n, 1, Path(tmp))
        two, split = crawl_round(site, n, 2, Path(tmp))
    print(f"bench scale: crawl with 2 processes: documents per process {split}", file=sys.stderr, flush=True)
    return [Row("pages/min, 2 crawler processes (baseline: 1)", two, one, "pages/min")]
