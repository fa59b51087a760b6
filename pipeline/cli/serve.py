"""``newswatch serve``: the HTTP API and web UI, refusing to expose the store beyond this machine without a token."""

from __future__ import annotations

import argparse
import errno
import socket
import sys

import uvicorn

from pipeline.config import Config
from pipeline.errors import UsageError
from pipeline.web.api import MIN_TOKEN_CHARS, create_app, is_loopback
from pipeline.wiring import make_store


def port_in_use(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be bound right now (in use, not allowed...), None when it is free."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is no obstacle
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return "the port is already in use (another newswatch serve, or another program)"
            return exc.strerror or str(exc)
    return None


def serve(config: Config, args: argparse.Namespace) -> int:
    host = args.host or config.api.host
    port = args.port or config.api.port
    token = config.api.token()
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise UsageError(f"{config.api.token_env} holds a token of {len(token)} characters; use at least "
                         f"{MIN_TOKEN_CHARS} (e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')")
    if not is_loopback(host) and not token:
        raise UsageError(f"binding to {host} exposes the store beyond this machine: set a token first "
                         f"(export {config.api.token_env}=<a long random string>) or bind to 127.0.0.1")
    busy = port_in_use(host, port)
    if busy:
        raise UsageError(f"cannot serve on {host}:{port}: {busy}. Stop what uses it, or pick another port "
                         f"(--port {port + 1}, or [api] port in the config)")
    print(f"newswatch: serving on http://{host}:{port}/ ({'token required' if token else 'no token: local only'})",
          file=sys.stderr)
    app = create_app(config, token, store_factory=lambda: make_store(config))
    uvicorn.run(app, host=host, port=port, log_level="warning")
    return 0
