"""``newswatch bench crawl``: pages per minute crawling a generated local site with extraction on.

The site (default 5,000 article pages of 30-80 KB: navigation, sidebars, inline scripts, a JSON-LD
block, the article and a long comment thread, all generated words) is served from memory by a
local HTTP server in this process; the crawl runs in a subprocess (Scrapy's reactor cannot restart)
through a sitemap, politeness off (one local host), every page going through ``extract_page`` in
extraction worker processes. The baseline is ``scrapy bench`` (Scrapy's own local server and a
link-following spider doing no work per page), run in the same invocation.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from crawlers.runner import run_crawl
from pipeline.benches.common import Row, print_table

DEFAULT_PAGES = 5000
_WORDS = ("harbour ferry council market quay lantern timetable island tide pier gull crane trade port "
          "minister shipment contract export tariff steel grain vessel cargo mayor budget festival "
          "fisher school bridge road rail station night morning weather storm season price report").split()


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def make_page(i: int, n_pages: int) -> bytes:
    """One realistic page of 30-80 KB: most bytes are boilerplate, as on real news sites."""
    rng = random.Random(i)
    target = rng.randint(30_000, 80_000)
    nav = "".join(f'<li><a href="/section/{k}">Section {k}</a></li>' for k in range(60))
    related = "".join(f'<li><a href="/news/{rng.randrange(n_pages)}.html">{_sentence(rng, 6)}</a></li>'
                      for _ in range(20))
    paras = "".join(f"<p>{' '.join(_sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(3, 6)))}</p>"
                    for _ in range(rng.randint(6, 14)))
    title = _sentence(rng, 7)[:-1]
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                     "datePublished": f"2026-0{1 + i % 9}-{1 + i % 28:02d}T0{i % 10}:15:00Z",
                     "author": {"@type": "Person", "name": f"Reporter {i % 37}"}})
    head = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} | Bench Gazette</title>'
            f'<meta name="viewport" content="width=device-width"><link rel="canonical" href="/news/{i}.html">'
            f'<script type="application/ld+json">{ld}</script>'
            f"<style>{'.c{color:#333;margin:0 auto;padding:4px}' * 40}</style>"
            f"<script>var cfg={{'ads':true,'slots':[{','.join(str(k) for k in range(200))}]}};</script></head>")
    body = (f'<body><header><nav><ul>{nav}</ul></nav></header><main><article><h1>{title}</h1>'
            f'<p class="byline">By Reporter {i % 37}</p>{paras}</article>'
            f'<aside class="related"><h2>Related</h2><ul>{related}</ul></aside>')
    comments = []
    size = len(head) + len(body)
    k = 0
    while size < target - 400:
        said = _sentence(rng, rng.randint(10, 30))
        c = f'<li class="comment"><p class="comment-author">reader{k}</p><p>{said}</p></li>'
        comments.append(c)
        size += len(c)
        k += 1
    tail = (f'<section id="comments"><ol>{"".join(comments)}</ol></section></main>'
            "<footer><p>Copyright Bench Gazette. All rights reserved.</p></footer></body></html>")
    return (head + body + tail).encode()


class _Site:
    def __init__(self, n_pages: int) -> None:
        self.n = n_pages
        self.cache: dict[int, bytes] = {}
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                body, ctype = site.answer(self.path)
                self.send_response(200 if body is not None else 404)
                body = body or b"not found"
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def answer(self, path: str) -> tuple[bytes | None, str]:
        if path == "/sitemap.xml":
            urls = "".join(f"<url><loc>{self.base}/news/{i}.html</loc></url>" for i in range(self.n))
            return (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}'
                    "</urlset>").encode(), "application/xml"
        m = re.match(r"^/news/(\d+)\.html$", path)
        if m and int(m.group(1)) < self.n:
            i = int(m.group(1))
            with self.lock:
                page = self.cache.get(i)
            if page is None:
                page = make_page(i, self.n)
                with self.lock:
                    self.cache[i] = page
            return page, "text/html; charset=utf-8"
        return None, "text/plain"

    def __enter__(self) -> _Site:
        for i in range(self.n):  # generate up front: the server must not be what is measured
            self.cache[i] = make_page(i, self.n)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _worker(sources_path: str, out_path: str) -> None:
    """Subprocess entry: crawl, count items, write stats (no store, no analysis: crawl + extraction)."""
    counts = {"docs": 0, "quarantined": 0}

    def on_item(item: Any) -> None:
        counts["docs" if type(item).__name__ == "Document" else "quarantined"] += 1

    settings = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS": 32,
                "CONCURRENT_REQUESTS_PER_DOMAIN": 32, "RETRY_TIMES": 0, "LOG_LEVEL": "ERROR",
                "NEWSWATCH_EXTRACT_WORKERS": int(os.environ.get("NEWSWATCH_BENCH_WORKERS", "2"))}
    stats = run_crawl(json.loads(Path(sources_path).read_text()), on_item, settings, progress=False)
    Path(out_path).write_text(json.dumps({**counts, "elapsed_s": stats.elapsed_s,
                                          "pages_fetched": stats.pages_fetched}))


def _scrapy_bench(seconds: int = 20) -> float:
    """Pages/min of ``scrapy bench`` (its own server, a spider following links, no work per page)."""
    # the Scrapy this interpreter imports, whatever PATH holds (a venv run without being activated)
    cmd = [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}", "-s", "LOG_LEVEL=INFO"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    out = proc.stderr + proc.stdout
    count = re.search(r"'response_received_count': (\d+)", out)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", out)
    if not count or not elapsed:
        return float("nan")
    return int(count.group(1)) / float(elapsed.group(1)) * 60


def run(docs: int | None, as_json: bool) -> int:
    n = docs or DEFAULT_PAGES
    print(f"bench crawl: generating {n} pages ...", file=sys.stderr, flush=True)
    with _Site(n) as site, tempfile.TemporaryDirectory() as tmp:
        sizes = [len(p) for p in site.cache.values()]
        print(f"bench crawl: {n} pages, {min(sizes) // 1000}-{max(sizes) // 1000} KB (mean "
              f"{sum(sizes) // len(sizes) // 1000} KB); crawling with extraction ...", file=sys.stderr, flush=True)
        sources = Path(tmp) / "sources.json"
        out = Path(tmp) / "out.json"
        sources.write_text(json.dumps([{"name": "bench", "type": "sitemap", "url": f"{site.base}/sitemap.xml",
                                        "max_pages": n}]))
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-c", "import sys; from pipeline.benches.crawl import _worker; "
                               "_worker(sys.argv[1], sys.argv[2])", str(sources), str(out)],
                              capture_output=True, text=True)
        wall = time.monotonic() - started
        if proc.returncode != 0:
            print(proc.stderr[-2000:], file=sys.stderr)
            return 1
        result = json.loads(out.read_text())
    ours = result["docs"] / result["elapsed_s"] * 60 if result["elapsed_s"] else float("nan")
    print(f"bench crawl: {result['docs']} documents, {result['quarantined']} quarantined in "
          f"{result['elapsed_s']:.1f} s (process {wall:.1f} s); now scrapy bench ...", file=sys.stderr, flush=True)
    baseline = _scrapy_bench()
    rows = [Row("pages/min, crawl + extraction (5,000-page site)" if n == DEFAULT_PAGES
                else f"pages/min, crawl + extraction ({n}-page site)", ours, baseline, "pages/min")]
    print_table("crawl", rows, "scrapy bench (no extraction)", as_json)
    return 0
