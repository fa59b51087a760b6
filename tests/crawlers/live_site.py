"""A programmable local site for crawl tests: pages from a dict, validators, delays, a request log.

Every page answers with an ``ETag`` (hash of its body) and honours ``If-None-Match`` with 304,
so tests can see exactly which pages a re-crawl fetched. ``delay_s`` slows every page down (for
kill -9 tests); ``hold_after`` holds every page answer after the first N until ``release`` is set
(a crawl that cannot finish before the test kills it); ``routes`` hold special answers (status,
headers, body) such as 429 + Retry-After.
The content served is invented for these tests.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Hit:
    path: str
    status: int
    at: float
    conditional: bool


@dataclass
class LiveSite:
    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # path -> (content type, body)
    routes: dict[str, Callable[[LiveSite, dict[str, str]], Answer]] = field(default_factory=dict)
    delay_s: float = 0.0
    hold_after: int | None = None
    release: threading.Event = field(default_factory=threading.Event)
    hits: list[Hit] = field(default_factory=list)
    base_url: str = ""
    _httpd: Any = None
    _answered: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def page(self, path: str, body: str | bytes, ctype: str = "text/html; charset=utf-8") -> None:
        self.pages[path] = (ctype, body.encode() if isinstance(body, str) else body)

    def paths(self, status: int | None = None) -> list[str]:
        return [h.path for h in self.hits if status is None or h.status == status]

    def start(self) -> LiveSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, out_headers, body = site.answer(self.path, headers)
                site.hits.append(Hit(self.path, status, time.monotonic(), "if-none-match" in headers))
                self.send_response(status)
                for k, v in out_headers.items():
                    self.send_header(k, v)
                if "Content-Length" not in out_headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    try:
                        self.wfile.write(body)
                    except (BrokenPipeError, ConnectionResetError):
                        pass

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()  # held answers end with the test
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def answer(self, path: str, headers: dict[str, str]) -> Answer:
        if path in self.routes:
            return self.routes[path](self, headers)
        if path == "/robots.txt" and path not in self.pages:
            return 404, {"Content-Type": "text/plain"}, b"no robots here"
        if path not in self.pages:
            return 404, {"Content-Type": "text/html"}, b"<html><body><h1>Not found</h1></body></html>"
        if self.delay_s:
            time.sleep(self.delay_s)
        if self.hold_after is not None:
            with self._lock:
                self._answered += 1
                held = self._answered > self.hold_after
            if held:
                self.release.wait(120)
        ctype, body = self.pages[path]
        body = body.replace(b"{{BASE_URL}}", self.base_url.encode())
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": ctype, "ETag": etag}, body


def article(title: str, paragraphs: list[str], author: str = "Desk", date: str = "2026-03-02T08:00:00Z",
            lang: str = "en", extra_head: str = "") -> str:
    """An article page in the usual shape: header, nav, article with byline, footer."""
    paras = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="author" content="{author}">'
            f'<meta property="article:published_time" content="{date}">{extra_head}</head>'
            f'<body><nav><a href="/">Home</a> <a href="/about">About</a></nav>'
            f"<article><h1>{title}</h1><p class=\"byline\">By {author}</p>{paras}</article>"
            f"<footer>Copyright the Invented Gazette</footer></body></html>")


def sitemap(paths: list[str]) -> str:
    urls = "".join(f"<url><loc>{{{{BASE_URL}}}}{p}</loc></url>" for p in paths)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' \
           f"{urls}</urlset>"
