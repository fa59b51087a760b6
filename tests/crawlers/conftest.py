"""A local HTTP server for crawl tests, and a helper that runs a crawl in a subprocess."""

from __future__ import annotations

import json
import mimetypes
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
REPO = HERE.parent.parent
TEXT_TYPES = {".html": "text/html", ".xml": "application/xml", ".txt": "text/plain",
              ".json": "application/json"}


@dataclass
class SiteServer:
    """Serves ``root`` with ``{{BASE_URL}}`` replaced; records every requested path."""

    root: Path
    base_url: str = ""
    requests: list[str] = field(default_factory=list)


def serve(root: Path) -> tuple[SiteServer, ThreadingHTTPServer]:
    site = SiteServer(root=root)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            site.requests.append(self.path)
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            target = (root / path.lstrip("/")).resolve()
            if path.endswith("/"):
                target = target / "index.html"
            if root.resolve() not in target.parents or not target.is_file():
                self.send_error(404)
                return
            body = target.read_bytes()
            ctype = TEXT_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if target.suffix in TEXT_TYPES:
                body = body.replace(b"{{BASE_URL}}", site.base_url.encode())
                ctype += "; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return site, httpd


@pytest.fixture(scope="module")
def site_server() -> Iterator[SiteServer]:
    site, httpd = serve(HERE / "site")
    yield site
    httpd.shutdown()
    httpd.server_close()


FAST_SETTINGS = {"AUTOTHROTTLE_START_DELAY": 0.01, "DOWNLOAD_DELAY": 0, "RETRY_TIMES": 0,
                 "DOWNLOAD_TIMEOUT": 10, "CONCURRENT_REQUESTS_PER_DOMAIN": 8}


def run_crawl_subprocess(sources: list[dict[str, Any]], workdir: Path,
                         settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """Crawl in a fresh interpreter; returns items, stats, stdout and stderr."""
    paths = {k: workdir / f"{k}" for k in ("sources.json", "settings.json", "items.jsonl", "stats.json")}
    paths["sources.json"].write_text(json.dumps(sources))
    paths["settings.json"].write_text(json.dumps({**FAST_SETTINGS, **(settings or {})}))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, str(HERE / "crawl_subprocess.py"), *(str(paths[k]) for k in
                                                            ("sources.json", "settings.json", "items.jsonl",
                                                             "stats.json"))],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    items = [json.loads(line) for line in paths["items.jsonl"].read_text().splitlines() if line.strip()]
    return {"items": items, "stats": json.loads(paths["stats.json"].read_text()),
            "stdout": proc.stdout, "stderr": proc.stderr}
