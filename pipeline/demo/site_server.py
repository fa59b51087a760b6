"""A local HTTP server for a static fixture site, with ``{{BASE_URL}}`` filled in as it serves.

Used by ``newswatch demo`` (the bundled site) and by tests: nothing ever crawls the internet.
"""

from __future__ import annotations

import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TEXT_SUFFIXES = {".html", ".xml", ".txt", ".json", ".rss", ".atom"}
DEMO_SITE = Path(__file__).resolve().parent.parent / "demo_site"


class _Handler(SimpleHTTPRequestHandler):
    base_url = ""

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            body = path.read_text(encoding="utf-8").replace("{{BASE_URL}}", self.base_url).encode("utf-8")
            self.send_response(200)
            ctype = self.guess_type(str(path))
            if path.suffix in (".html", ".txt"):
                ctype += "; charset=utf-8"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            import io

            return io.BytesIO(body)
        return super().send_head()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        return None


class SiteServer:
    """Serve ``root`` on 127.0.0.1 in a daemon thread; use as a context manager."""

    def __init__(self, root: Path = DEMO_SITE, port: int = 0) -> None:
        self.root = root
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), partial(_Handler, directory=str(root)))
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        handler_cls = type("BoundHandler", (_Handler,), {"base_url": self.base_url})
        self.httpd.RequestHandlerClass = partial(handler_cls, directory=str(root))  # type: ignore[assignment]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> SiteServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


EXAMPLE_PORT = 8765
"""The port ``newswatch.example.toml`` expects the demo site on (``python -m pipeline.demo.site_server``)."""


def main(argv: list[str] | None = None) -> int:
    """Serve the bundled demo site until Ctrl-C, for the example configuration to crawl."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m pipeline.demo.site_server", description=main.__doc__)
    p.add_argument("--port", type=int, default=EXAMPLE_PORT, help=f"port on 127.0.0.1 (default {EXAMPLE_PORT})")
    args = p.parse_args(argv)
    try:
        server = SiteServer(port=args.port)
    except OSError as exc:
        print(f"cannot serve the demo site on 127.0.0.1:{args.port}: {exc}; pass --port", file=sys.stderr)
        return 2
    print(f"demo site on {server.base_url}/ (Ctrl-C stops it)", file=sys.stderr)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
