"""``/api/docs`` without the network: Swagger UI's files served from the ``swagger-ui-bundle-v2`` package.

FastAPI's default docs page loads Swagger UI from a CDN and starts it with an inline script, so it is
blank offline and under our Content-Security-Policy. Here the page, its script and its styles all come
from this server (the recipe of FastAPI's "self-hosting JavaScript and CSS for docs").
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from pipeline.web.render import render

ASSETS_URL = "/static/swagger"


def swagger_assets() -> Path | None:
    """The folder of Swagger UI's dist files inside the installed package, or None when it is missing."""
    try:
        from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]
    except ImportError:
        return None
    path = Path(str(swagger_ui_path))
    return path if (path / "swagger-ui-bundle.js").is_file() else None


def add_offline_docs(app: FastAPI, openapi_url: str, docs_url: str = "/api/docs") -> None:
    assets = swagger_assets()
    if assets is not None:
        app.mount(ASSETS_URL, StaticFiles(directory=str(assets)), name="swagger")

    @app.get(docs_url, include_in_schema=False, response_class=HTMLResponse)
    def docs() -> HTMLResponse:
        if assets is None:
            return HTMLResponse(render("not_found.html", title="API docs",
                                       heading=f"Swagger UI is not installed (pip install swagger-ui-bundle-v2); "
                                               f"the schema is at {openapi_url}"), status_code=503)
        return HTMLResponse(render("api_docs.html", title="API", assets=ASSETS_URL, openapi_url=openapi_url))
