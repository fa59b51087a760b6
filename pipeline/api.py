"""The HTTP API and web UI (``newswatch serve``): analyst search over the store.

JSON under ``/api/``; server-rendered HTML pages (``pipeline.ui``) for people. The store is opened
per request from its URL, so the app holds no connection state across threads. When a token is
configured every request must carry it (``Authorization: Bearer``, or the cookie set by
``/login``); the CLI refuses to bind beyond localhost without one.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

import pipeline.ui as ui
from pipeline.config import Config
from storage.base import Store, StoreError

TOKEN_COOKIE = "newswatch_token"
FACETS = ["source", "kind", "lang", "entity_id"]
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


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
    """Build the app; ``token`` None means open access (only sensible on localhost)."""
    from pipeline.commands import source_health
    from pipeline.components import make_store

    open_store = store_factory or (lambda: make_store(config))
    names = {e.id: e.name for e in config.watch_entries()}
    app = FastAPI(title="newswatch", version="0.1.0", docs_url="/api/docs", openapi_url="/api/openapi.json")

    @contextmanager
    def store() -> Iterator[Store]:
        s = open_store()
        try:
            yield s
        finally:
            s.close()

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Any]) -> Response:
        if token and request.url.path not in ("/login", "/healthz"):
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            given = given or request.cookies.get(TOKEN_COOKIE, "")
            if not hmac.compare_digest(given.encode(), token.encode()):
                if request.url.path.startswith("/api/"):
                    return JSONResponse({"error": "missing or wrong token: send 'Authorization: Bearer <token>'"},
                                        status_code=401)
                return HTMLResponse(ui.login_page(), status_code=401, headers=SECURITY_HEADERS)
        response: Response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = (await request.body()).decode("utf-8", "replace")
        given = dict(p.split("=", 1) for p in form.split("&") if "=" in p).get("token", "")
        from urllib.parse import unquote_plus

        if token and hmac.compare_digest(unquote_plus(given).encode(), token.encode()):
            resp = RedirectResponse("/", status_code=303)
            resp.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
            return resp
        return HTMLResponse(ui.login_page("Wrong token."), status_code=401, headers=SECURITY_HEADERS)

    def _filters(source: str | None, kind: str | None, lang: str | None, entity: str | None,
                 since: str | None, until: str | None) -> dict[str, Any]:
        raw = {"source": source, "kind": kind, "lang": lang, "entity_id": entity, "since": since, "until": until}
        return {k: v for k, v in raw.items() if v}

    def _search(q: str, filters: dict[str, Any], limit: int, offset: int) -> dict[str, Any]:
        with store() as s:
            try:
                result = s.search(q, filters=filters, facets=FACETS, limit=limit, offset=offset)
            except StoreError as exc:
                raise HTTPException(status_code=400, detail=str(exc)) from None
        return {"total": result.total, "hits": [h.to_dict() for h in result.hits], "facets": result.facets}

    @app.get("/api/search")
    def api_search(q: str = "", source: str | None = None, kind: str | None = None, lang: str | None = None,
                   entity: str | None = None, since: str | None = None, until: str | None = None,
                   limit: int = Query(20, ge=1, le=200), offset: int = Query(0, ge=0)) -> dict[str, Any]:
        return _search(q, _filters(source, kind, lang, entity, since, until), limit, offset)

    @app.get("/api/documents/{doc_id}")
    def api_document(doc_id: str) -> dict[str, Any]:
        with store() as s:
            doc = s.get(doc_id)
        if doc is None:
            raise HTTPException(status_code=404, detail=f"no document {doc_id!r}")
        return doc.to_dict()

    @app.get("/api/sources")
    def api_sources() -> list[dict[str, Any]]:
        with store() as s:
            return source_health(s, config)

    @app.get("/api/stats/volume")
    def api_volume() -> dict[str, Any]:
        with store() as s:
            return {"per_day": ui.volume_per_day(s)}

    @app.get("/", response_class=HTMLResponse)
    def page_search(q: str = "", source: str | None = None, kind: str | None = None, lang: str | None = None,
                    entity: str | None = None, page: int = Query(1, ge=1)) -> HTMLResponse:
        filters = _filters(source, kind, lang, entity, None, None)
        error = None
        try:
            found = _search(q, filters, 20, (page - 1) * 20)
        except HTTPException as exc:
            found, error = {"total": 0, "hits": [], "facets": {}}, str(exc.detail)
        with store() as s:
            volume = ui.volume_per_day(s)
        return HTMLResponse(ui.search_page(q, filters, found, volume, names, page, error))

    @app.get("/doc/{doc_id}", response_class=HTMLResponse)
    def page_document(doc_id: str) -> HTMLResponse:
        with store() as s:
            doc = s.get(doc_id)
        if doc is None:
            return HTMLResponse(ui.not_found(doc_id), status_code=404)
        return HTMLResponse(ui.document_page(doc, names))

    @app.get("/sources", response_class=HTMLResponse)
    def page_sources() -> HTMLResponse:
        with store() as s:
            rows = source_health(s, config)
        return HTMLResponse(ui.sources_page(rows))

    return app
