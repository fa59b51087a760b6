"""The HTTP API and web UI (``newswatch serve``): analyst search over the store.

JSON under ``/api/``; server-rendered HTML pages (``pipeline.web.pages``) for people. The store is opened
per request from its URL, so the app holds no connection state across threads. When a token is
configured every request must carry it (``Authorization: Bearer``, or the cookie set by
``/login``); the CLI refuses to bind beyond localhost without one.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal
from urllib.parse import unquote_plus

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

import pipeline.web.pages as ui
from pipeline.config import Config
from pipeline.health import source_health
from pipeline.web.csrf import cross_site_reason, json_or_token, new_form_token
from pipeline.web.disconnect import ClientGone, unless_disconnected
from pipeline.web.offline_docs import add_offline_docs
from pipeline.web.render import STATIC
from pipeline.web.routes import add_routes
from storage.base import Store, StoreError
from storage.open import open_store as open_store_url
from storage.query import QuerySyntaxError

TOKEN_COOKIE = "newswatch_token"
FACETS = ["source", "kind", "lang", "entity_id", "event", "stance", "day"]
# Scripts only from this server (no inline ones: the pages' own scripts are files under /static),
# so markup smuggled into a page could not run even if it escaped escaping.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    # Other sites learn nothing of what was read here; our own forms keep their Origin, which the CSRF
    # check reads (under no-referrer Chromium sends "Origin: null" even to this server).
    "Referrer-Policy": "same-origin",
}


MAX_OFFSET = 1_000_000_000
SEARCH_RATE, SEARCH_BURST = 5.0, 20  # searches per second per client, and how many may come at once
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
MIN_TOKEN_CHARS = 32


def bearer_token(header: str) -> str:
    """The token of an ``Authorization: Bearer <token>`` header (the scheme is case-insensitive)."""
    scheme, _, value = header.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def login_cookie_value(token: str) -> str:
    """What the login cookie holds: a keyed hash of the token, never the token itself."""
    return hmac.new(token.encode(), b"newswatch-login-cookie", hashlib.sha256).hexdigest()


def allowed_hosts(config: Config) -> set[str]:
    extra = getattr(config.api, "allowed_hosts", None) or []
    return {h.lower() for h in (*LOOPBACK_NAMES, *extra)}


def host_allowed(header: str, allowed: set[str]) -> bool:
    """Is the ``Host`` header (port ignored) one of ``allowed``? An absent Host counts as local."""
    host = header.strip().lower()
    if not host:
        return True
    if host.startswith("["):
        name = host[: host.find("]") + 1] if "]" in host else host
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return name in allowed or name.rstrip(".") in allowed or host in allowed


class SearchQueryHTTPError(HTTPException):
    """A query the parser refused, kept whole so the answer can say where the problem is."""

    def __init__(self, error: QuerySyntaxError) -> None:
        super().__init__(status_code=400, detail=str(error))
        self.error = error


def _client(request: Request | None) -> str:
    return request.client.host if request is not None and request.client is not None else ""


class RateLimiter:
    """A token bucket per client address: ``rate`` requests per second, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, at = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if len(self._buckets) > 10_000:  # forget idle clients rather than grow without end
                self._buckets.clear()
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                return False
            self._buckets[client] = (tokens - 1.0, now)
            return True


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (binding there needs no token)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(config: Config, token: str | None = None,
               store_factory: Callable[[], Store] | None = None) -> FastAPI:
    """Build the app; ``token`` None means open access (only sensible on localhost).

    ``store_factory`` opens one store per request (the CLI passes its wiring's); by default the configured URL.
    """
    open_store = store_factory or (lambda: open_store_url(config.storage_url))
    names = {e.id: e.name for e in config.watch_entries()}
    app = FastAPI(title="newswatch", version="0.1.0", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json")
    add_offline_docs(app, "/api/openapi.json")  # before /static: its assets are mounted under /static/swagger
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @contextmanager
    def store() -> Iterator[Store]:
        s = open_store()
        try:
            yield s
        finally:
            s.close()

    hosts = allowed_hosts(config)
    limiter = RateLimiter(SEARCH_RATE, SEARCH_BURST)
    cookie_value = login_cookie_value(token) if token else ""
    form_token = new_form_token(token)

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Any]) -> Response:
        if not token and not host_allowed(request.headers.get("host", ""), hosts):
            # No token: only this machine may ask. A page on another site that points a name it
            # controls at 127.0.0.1 (DNS rebinding) sends its own name as Host, and is refused.
            return JSONResponse({"error": "unexpected Host header; without a token only localhost names "
                                          "(and [api] allowed_hosts) are served"}, status_code=421)
        refused = cross_site_reason(request.method, request.headers.get("host", ""), request.headers.get("origin"),
                                    request.headers.get("sec-fetch-site"))
        if refused is None and request.method == "POST" and request.url.path.startswith("/api/") and \
                not json_or_token(request.headers.get("content-type", ""), request.headers.get("x-csrf-token", ""),
                                  form_token):
            refused = "a POST to the API needs Content-Type: application/json (or the page's X-CSRF-Token)"
        if refused is not None:
            return JSONResponse({"error": refused}, status_code=403, headers=SECURITY_HEADERS)
        public = request.url.path in ("/login", "/healthz") or request.url.path.startswith("/static/")
        if token and not public:
            given = bearer_token(request.headers.get("authorization", ""))
            cookie = request.cookies.get(TOKEN_COOKIE, "")
            ok = hmac.compare_digest(given.encode(), token.encode()) if given else \
                bool(cookie) and hmac.compare_digest(cookie.encode(), cookie_value.encode())
            if not ok:
                if request.url.path.startswith("/api/"):
                    return JSONResponse({"error": "missing or wrong token: send 'Authorization: Bearer <token>'"},
                                        status_code=401)
                return HTMLResponse(ui.login_page(), status_code=401, headers=SECURITY_HEADERS)
        response: Response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        """A parameter out of range (``offset=2**63``, ``page=0``) is the caller's error: 400, said plainly."""
        problems = "; ".join(f"{'.'.join(str(x) for x in e.get('loc', ())[1:])}: {e.get('msg')}" for e in exc.errors())
        return JSONResponse({"error": problems or "bad request"}, status_code=400)

    @app.exception_handler(StoreError)
    async def store_unusable(request: Request, exc: StoreError) -> JSONResponse:
        """A store that cannot be opened or written (read-only, unreachable) is said as such, not a bare 500."""
        return JSONResponse({"error": str(exc)}, status_code=503)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = (await request.body()).decode("utf-8", "replace")
        given = dict(p.split("=", 1) for p in form.split("&") if "=" in p).get("token", "")
        if token and hmac.compare_digest(unquote_plus(given).encode(), token.encode()):
            resp = RedirectResponse("/", status_code=303)
            secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
            resp.set_cookie(TOKEN_COOKIE, cookie_value, httponly=True, samesite="strict", secure=secure)
            return resp
        return HTMLResponse(ui.login_page("Wrong token."), status_code=401, headers=SECURITY_HEADERS)

    def _filters(source: str | None, kind: str | None, lang: str | None, entity: str | None,
                 since: str | None, until: str | None) -> dict[str, Any]:
        raw = {"source": source, "kind": kind, "lang": lang, "entity_id": entity, "since": since, "until": until}
        return {k: v for k, v in raw.items() if v}

    @app.exception_handler(SearchQueryHTTPError)
    async def bad_query(request: Request, exc: SearchQueryHTTPError) -> JSONResponse:
        """A query that cannot be read: 400 with the message and where (0-based ``position``)."""
        return JSONResponse({"detail": exc.detail, **exc.error.to_dict()}, status_code=400)

    def _search(q: str, filters: dict[str, Any], limit: int, offset: int, client: str = "",
                sort: str = "relevance", collapse: bool = False) -> dict[str, Any]:
        """Every search of the API and the UI: the store parses ``q`` (one query language everywhere)."""
        if not limiter.allow(client):
            raise HTTPException(status_code=429, detail="too many searches from this client; wait a moment")
        with store() as s:
            try:
                result = s.search(q, filters=filters, facets=FACETS, limit=limit, offset=offset, sort=sort,
                                  collapse=collapse)
            except QuerySyntaxError as exc:
                raise SearchQueryHTTPError(exc) from None
            except StoreError as exc:
                raise HTTPException(status_code=400, detail=str(exc)) from None
        return {"total": result.total, "hits": [h.to_dict() for h in result.hits], "facets": result.facets,
                "sort": result.sort, "collapsed": result.collapsed}

    app.state.searches_cancelled = 0

    @app.exception_handler(ClientGone)
    async def client_gone(request: Request, exc: ClientGone) -> Response:
        """Nobody is left to read this answer: count the stopped search, send an empty 499."""
        app.state.searches_cancelled += 1
        return Response(status_code=499)

    @app.get("/api/search", tags=["search"])
    async def api_search(request: Request, q: str = "", source: str | None = None, kind: str | None = None,
                   lang: str | None = None, entity: str | None = None, since: str | None = None,
                   until: str | None = None, limit: int = Query(20, ge=1, le=200),
                   offset: int = Query(0, ge=0, le=MAX_OFFSET),
                   sort: Literal["relevance", "date", "oldest"] = "relevance",
                   collapse: bool = False) -> dict[str, Any]:
        filters = _filters(source, kind, lang, entity, since, until)
        return await unless_disconnected(
            request, lambda: _search(q, filters, limit, offset, _client(request), sort, collapse))

    @app.get("/api/documents/{doc_id}", tags=["documents"])
    def api_document(doc_id: str) -> dict[str, Any]:
        with store() as s:
            doc = s.get(doc_id)
        if doc is None:
            raise HTTPException(status_code=404, detail=f"no document {doc_id!r}")
        return doc.to_dict()

    @app.get("/api/sources", tags=["sources"])
    def api_sources() -> list[dict[str, Any]]:
        with store() as s:
            return source_health(s, config)

    @app.get("/api/stats/volume", tags=["search"])
    def api_volume() -> dict[str, Any]:
        with store() as s:
            return {"per_day": ui.volume_per_day(s)}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page_search(request: Request, q: str = "", source: str | None = None, kind: str | None = None,
                    lang: str | None = None, entity: str | None = None, since: str | None = None,
                    until: str | None = None, sort: Literal["relevance", "date", "oldest"] = "relevance",
                    collapse: str = "", page: int = Query(1, ge=1, le=MAX_OFFSET // 20)) -> HTMLResponse:
        since, until = since or None, until or None  # an emptied date box sends ""
        filters = _filters(source, kind, lang, entity, since, until)
        params = {"source": source, "kind": kind, "lang": lang, "entity": entity, "since": since, "until": until}
        error, at = None, None
        try:
            found = await unless_disconnected(request, lambda: _search(
                q, filters, ui.PAGE_SIZE, (page - 1) * ui.PAGE_SIZE, _client(request), sort, bool(collapse)))
        except SearchQueryHTTPError as exc:
            found, error, at = {"total": 0, "hits": [], "facets": {}}, str(exc.detail), exc.error.position
        except HTTPException as exc:
            found, error = {"total": 0, "hits": [], "facets": {}}, str(exc.detail)

        def render() -> HTMLResponse:
            with store() as s:
                volume = ui.volume_per_day(s)
            return HTMLResponse(ui.search_page(q, params, found, volume, names, page, error, csrf=form_token,
                                               sort=sort, collapse=bool(collapse), error_at=at))

        return await run_in_threadpool(render)

    @app.get("/doc/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
    def page_document(doc_id: str) -> HTMLResponse:
        with store() as s:
            doc = s.get(doc_id)
            if doc is None:
                return HTMLResponse(ui.not_found(f"No document {doc_id}"), status_code=404)
            return HTMLResponse(ui.document_page(s, doc, names))

    @app.get("/sources", response_class=HTMLResponse, include_in_schema=False)
    def page_sources() -> HTMLResponse:
        with store() as s:
            rows = source_health(s, config)
        return HTMLResponse(ui.sources_page(rows))

    add_routes(app, store, config, form_token)

    return app
