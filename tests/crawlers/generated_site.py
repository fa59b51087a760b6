"""A generated news site of N small article pages, served from memory by a local HTTP server.

For the shared-crawl tests: the server counts every fetch of every page, and the most requests it
was ever serving at once (politeness over all crawler processes). Each page answers after a few
milliseconds, so that concurrent requests really overlap. Text is generated from a fixed seed.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_WORDS = ("river council harbour market ferry school budget storm bridge rail mayor festival "
          "tariff grain vessel station report season night morning island trade price road").split()


def page_html(i: int) -> bytes:
    """Article ``i``: a title, a byline, four paragraphs that name the page's number (so no two are alike)."""
    rng = random.Random(i)
    title = f"Report {i}: " + " ".join(rng.choice(_WORDS) for _ in range(6)).capitalize()
    paras = "".join(
        "<p>" + " ".join(" ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."
                         for _ in range(4)) + f" Filed as story number {i}.</p>"
        for _ in range(4))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
            f'<body><nav><a href="/">Home</a></nav><article><h1>{title}</h1>'
            f'<p class="byline">By Desk {i % 13}</p>{paras}</article></body></html>').encode()


class GeneratedSite:
    """``with GeneratedSite(2000) as site:`` serves /robots.txt, /sitemap.xml and /news/<i>.html."""

    def __init__(self, pages: int, answer_delay_s: float = 0.005) -> None:
        self.pages = pages
        self.delay = answer_delay_s
        self.fetches: Counter[str] = Counter()
        self.active = 0
        self.max_active = 0
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                with site.lock:
                    site.fetches[self.path] += 1
                    site.active += 1
                    site.max_active = max(site.max_active, site.active)
                try:
                    time.sleep(site.delay)
                    body, ctype = site.answer(self.path)
                    self.send_response(200 if body is not None else 404)
                    body = body or b"not found"
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                finally:
                    with site.lock:
                        site.active -= 1

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def page_url(self, i: int) -> str:
        return f"{self.base}/news/{i}.html"

    def answer(self, path: str) -> tuple[bytes | None, str]:
        if path == "/robots.txt":
            return b"User-agent: *\nDisallow: /private/\n", "text/plain"
        if path == "/sitemap.xml":
            urls = "".join(f"<url><loc>{self.page_url(i)}</loc></url>" for i in range(self.pages))
            return (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}'
                    "</urlset>").encode(), "application/xml"
        m = re.match(r"^/news/(\d+)\.html$", path)
        if m and int(m.group(1)) < self.pages:
            return page_html(int(m.group(1))), "text/html; charset=utf-8"
        return None, "text/plain"

    def page_fetches(self) -> dict[str, int]:
        """Fetches per article path (robots.txt and the sitemap left out)."""
        with self.lock:
            return {p: n for p, n in self.fetches.items() if p.startswith("/news/")}

    def __enter__(self) -> GeneratedSite:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
