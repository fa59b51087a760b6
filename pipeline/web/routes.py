"""Routes beyond search: entities, events, links, the timeline, stories, versions, exports, saved searches.

JSON under ``/api/`` and the matching HTML pages. ``open_store`` opens the store for one request
(a context manager), so no connection outlives it. State-changing requests pass the CSRF checks of
``pipeline.web.csrf`` first: forms carry the page's token, JSON bodies need their content type.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from pipeline.alerts.saved_searches import FREQUENCIES, SavedSearchError, SavedSearches
from pipeline.config import Config
from pipeline.web import exports, pages
from pipeline.web.csrf import form_token_ok
from pipeline.web.entity_view import entity_profile
from pipeline.web.timeline_view import timeline_data
from storage.base import Store

OpenStore = Callable[[], AbstractContextManager[Store]]
Frequency = Literal["as_it_happens", "daily", "weekly"]
MAX_FORM_BYTES = 64 * 1024
TypeParam = Annotated[list[str] | None, Query(alias="type", description="event types (repeat for several)")]


class SavedSearchIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    query: str = Field(min_length=1, max_length=4000)
    alert: bool = False
    muted: bool = False
    frequency: Frequency = "as_it_happens"
    channels: list[str] = Field(default_factory=list)


class SavedSearchChange(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    query: str | None = Field(default=None, min_length=1, max_length=4000)
    alert: bool | None = None
    muted: bool | None = None
    frequency: Frequency | None = None
    channels: list[str] | None = None


class AlertSettings(BaseModel):
    frequency: Frequency = "as_it_happens"
    channels: list[str] = Field(default_factory=list)


async def form_fields(request: Request) -> dict[str, list[str]]:
    """An urlencoded form body as ``{field: [values]}`` (bounded in size; no multipart needed)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(status_code=413, detail="form too large")
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


def _first(form: dict[str, list[str]], key: str) -> str:
    return (form.get(key) or [""])[0]


def add_routes(app: FastAPI, open_store: OpenStore, config: Config, csrf_token: str) -> None:
    entries = {e.id: e for e in config.watch_entries()}
    names = {e.id: e.name for e in entries.values()}
    channel_names = [c.name for c in getattr(config, "channels", []) or []]

    def saved() -> SavedSearches:
        return SavedSearches(config.scheduler.db_url, channel_names)

    def entity_or_404(entity_id: str) -> Any:
        entity = entries.get(entity_id)
        if entity is None:
            raise HTTPException(status_code=404, detail=f"no watched entity {entity_id!r}")
        return entity

    # ---------------------------------------------------------------- entities

    @app.get("/api/entities", tags=["entities"])
    def api_entities() -> list[dict[str, Any]]:
        """Every watched entity (id, name, type, watchlist)."""
        return [{"id": e.id, "name": e.name, "type": e.type, "watchlist": e.watchlist} for e in entries.values()]

    @app.get("/api/entities/{entity_id}", tags=["entities"])
    def api_entity(entity_id: str, sample: int = Query(300, ge=1, le=5000)) -> dict[str, Any]:
        """Mentions per day, stance over time with quote evidence, events, quotes, top sources and
        co-mentioned entities of one watched entity."""
        entity = entity_or_404(entity_id)
        with open_store() as s:
            return entity_profile(s, entity, sample, names)

    @app.get("/entity/{entity_id}", response_class=HTMLResponse, include_in_schema=False)
    def page_entity(entity_id: str) -> HTMLResponse:
        entity = entries.get(entity_id)
        if entity is None:
            return HTMLResponse(pages.not_found(f"No watched entity {entity_id}"), status_code=404)
        with open_store() as s:
            return HTMLResponse(pages.entity_page(entity_profile(s, entity, names=names)))

    # ---------------------------------------------------------------- events, links, timeline

    @app.get("/api/events", tags=["events"])
    def api_events(types: TypeParam = None, since: str | None = None, until: str | None = None,
                   entity: str | None = None) -> dict[str, Any]:
        """Stored events (of the given types, dated within since..until, involving an entity)."""
        with open_store() as s:
            data = timeline_data(s, types, since, until, entity)
        return {"events": data["events"], "undated": data["undated"], "truncated": data["truncated"]}

    @app.get("/api/links", tags=["events"])
    def api_links(since: str | None = None, limit: int = Query(1000, ge=1, le=100_000)) -> list[dict[str, Any]]:
        """Stored links in the shape of ``newswatch links --json`` (``since`` compares with created_at)."""
        with open_store() as s:
            return [link.to_dict() for link in s.events.links(since=since, limit=limit)]

    @app.get("/api/timeline", tags=["events"])
    def api_timeline(types: TypeParam = None, since: str | None = None,
                     until: str | None = None, entity: str | None = None) -> dict[str, Any]:
        """Events, the links between them, and each visit with the events dated inside it."""
        with open_store() as s:
            return timeline_data(s, types, since, until, entity)

    @app.get("/timeline", response_class=HTMLResponse, include_in_schema=False)
    def page_timeline(types: TypeParam = None, since: str | None = None,
                      until: str | None = None, entity: str | None = None) -> HTMLResponse:
        with open_store() as s:
            data = timeline_data(s, types, since or None, until or None, entity or None)
        return HTMLResponse(pages.timeline_page(data, since, until, entity, names.get(entity or "", entity or "")))

    # ---------------------------------------------------------------- stories, versions

    @app.get("/api/stories", tags=["stories"])
    def api_stories(min_size: int = Query(2, ge=1), limit: int = Query(100, ge=1, le=10_000)) -> list[dict[str, Any]]:
        """Stories (near-duplicate clusters), largest first."""
        with open_store() as s:
            return s.events.stories(min_size)[:limit]

    @app.get("/api/stories/{story_id}", tags=["stories"])
    def api_story(story_id: str) -> dict[str, Any]:
        """One story with the ids of its documents, first seen first."""
        with open_store() as s:
            es = s.events
            story = es.story(story_id)
            if story is None:
                raise HTTPException(status_code=404, detail=f"no story {story_id!r}")
            return {**story, "documents": es.story_members(story_id, limit=1000)}

    @app.get("/api/documents/{doc_id}/versions", tags=["documents"])
    def api_versions(doc_id: str) -> list[dict[str, Any]]:
        """Every stored version of a document, oldest first."""
        with open_store() as s:
            versions = s.versions(doc_id)
        if not versions:
            raise HTTPException(status_code=404, detail=f"no document {doc_id!r}")
        return [v.to_dict() for v in versions]

    @app.get("/api/documents/{doc_id}/diff", tags=["documents"])
    def api_diff(doc_id: str, a: int, b: int) -> dict[str, Any]:
        """What changed between versions ``a`` and ``b``: fields, and the text word by word."""
        with open_store() as s:
            diff = pages.version_diff(s.versions(doc_id), a, b)
        if diff is None:
            raise HTTPException(status_code=404, detail=f"document {doc_id!r} has no versions {a} and {b}")
        return diff

    @app.get("/doc/{doc_id}/diff", response_class=HTMLResponse, include_in_schema=False)
    def page_diff(doc_id: str, a: int = 0, b: int = 0) -> HTMLResponse:
        with open_store() as s:
            versions = s.versions(doc_id)
        if not versions:
            return HTMLResponse(pages.not_found(f"No document {doc_id}"), status_code=404)
        b = b or versions[-1].version
        a = a or (versions[-2].version if len(versions) > 1 else b)
        diff = pages.version_diff(versions, a, b)
        if diff is None:
            return HTMLResponse(pages.not_found(f"Document {doc_id} has no versions {a} and {b}"), status_code=404)
        return HTMLResponse(pages.diff_page(versions[-1], versions, diff))

    # ---------------------------------------------------------------- exports

    @app.get("/api/export", tags=["export"],
             responses={200: {"content": {t: {} for t in exports.FORMATS.values()}}})
    def api_export(format: Literal["csv", "jsonl", "parquet"] = "jsonl",
                   since: str | None = None) -> Response:
        """Every stored document with its annotations, streamed (no row cap)."""
        try:
            exports.check_format(format)
        except exports.ExportUnavailable as exc:
            raise HTTPException(status_code=501, detail=str(exc)) from None
        name = f"newswatch-export.{format}"
        return StreamingResponse(exports.stream_export(open_store, format, since), media_type=exports.FORMATS[format],
                                 headers={"Content-Disposition": f'attachment; filename="{name}"'})

    # ---------------------------------------------------------------- saved searches (JSON)

    def _saved_error(exc: SavedSearchError) -> HTTPException:
        return HTTPException(status_code=400, detail=str(exc))

    @app.get("/api/saved-searches", tags=["saved searches"])
    def api_saved_list() -> list[dict[str, Any]]:
        return [s.to_dict() for s in saved().all()]

    @app.post("/api/saved-searches", tags=["saved searches"], status_code=201)
    def api_saved_create(body: SavedSearchIn) -> dict[str, Any]:
        try:
            return saved().create(**body.model_dump()).to_dict()
        except SavedSearchError as exc:
            raise _saved_error(exc) from None

    @app.get("/api/saved-searches/{ident}", tags=["saved searches"])
    def api_saved_get(ident: str) -> dict[str, Any]:
        found = saved().get(ident)
        if found is None:
            raise HTTPException(status_code=404, detail=f"no saved search {ident!r}")
        return found.to_dict()

    @app.patch("/api/saved-searches/{ident}", tags=["saved searches"])
    def api_saved_change(ident: str, body: SavedSearchChange) -> dict[str, Any]:
        try:
            found = saved().update(ident, **body.model_dump(exclude_none=True))
        except SavedSearchError as exc:
            raise _saved_error(exc) from None
        if found is None:
            raise HTTPException(status_code=404, detail=f"no saved search {ident!r}")
        return found.to_dict()

    @app.delete("/api/saved-searches/{ident}", tags=["saved searches"], status_code=204)
    def api_saved_delete(ident: str) -> Response:
        if not saved().delete(ident):
            raise HTTPException(status_code=404, detail=f"no saved search {ident!r}")
        return Response(status_code=204)

    @app.post("/api/saved-searches/{ident}/alert", tags=["saved searches"])
    def api_saved_to_rule(ident: str, body: AlertSettings) -> dict[str, Any]:
        """Turn a saved search into an alert rule (run by the alert engine as ``saved:<id>``)."""
        try:
            found = saved().update(ident, alert=True, muted=False, frequency=body.frequency, channels=body.channels)
        except SavedSearchError as exc:
            raise _saved_error(exc) from None
        if found is None:
            raise HTTPException(status_code=404, detail=f"no saved search {ident!r}")
        rule = found.rule()
        return {**found.to_dict(), "rule": {"name": rule.name, "type": rule.type, "query": rule.query,
                                            "channels": rule.channels, "cooldown_s": rule.cooldown_s}}

    # ---------------------------------------------------------------- saved searches (pages)

    def saved_html(message: str = "", editing: str | None = None, status: int = 200) -> HTMLResponse:
        items = [s.to_dict() for s in saved().all()]
        return HTMLResponse(pages.saved_page(items, csrf_token, channel_names, message, editing), status_code=status)

    async def checked_form(request: Request) -> dict[str, list[str]]:
        form = await form_fields(request)
        if not form_token_ok(_first(form, "csrf"), csrf_token):
            raise HTTPException(status_code=403, detail="missing or stale form token; reload the page and try again")
        return form

    def settings_of(form: dict[str, list[str]]) -> dict[str, Any]:
        frequency = _first(form, "frequency") or "as_it_happens"
        return {"name": _first(form, "name"), "query": _first(form, "query"), "alert": bool(_first(form, "alert")),
                "muted": bool(_first(form, "muted")),
                "frequency": frequency if frequency in FREQUENCIES else frequency,
                "channels": form.get("channels", [])}

    @app.get("/saved", response_class=HTMLResponse, include_in_schema=False)
    def page_saved(edit: str | None = None) -> HTMLResponse:
        return saved_html(editing=edit)

    @app.post("/saved", include_in_schema=False)
    async def page_saved_create(request: Request) -> Response:
        form = await checked_form(request)
        settings = settings_of(form)
        settings.pop("muted")
        try:
            saved().create(**settings)
        except SavedSearchError as exc:
            return saved_html(str(exc), status=400)
        return RedirectResponse("/saved", status_code=303)

    @app.post("/saved/{ident}", include_in_schema=False)
    async def page_saved_edit(ident: str, request: Request) -> Response:
        form = await checked_form(request)
        try:
            found = saved().update(ident, **settings_of(form))
        except SavedSearchError as exc:
            return saved_html(str(exc), editing=ident, status=400)
        if found is None:
            return HTMLResponse(pages.not_found(f"No saved search {ident}"), status_code=404)
        return RedirectResponse("/saved", status_code=303)

    @app.post("/saved/{ident}/mute", include_in_schema=False)
    async def page_saved_mute(ident: str, request: Request) -> Response:
        await checked_form(request)
        store = saved()
        found = store.get(ident)
        if found is None:
            return HTMLResponse(pages.not_found(f"No saved search {ident}"), status_code=404)
        store.update(ident, muted=not found.muted)
        return RedirectResponse("/saved", status_code=303)

    @app.post("/saved/{ident}/delete", include_in_schema=False)
    async def page_saved_delete(ident: str, request: Request) -> Response:
        await checked_form(request)
        saved().delete(ident)
        return RedirectResponse("/saved", status_code=303)
