"""The web UI's pages: what each template is given, gathered from the store.

Every page is a Jinja2 template under ``pipeline/web/templates`` rendered with autoescape on
(``pipeline.web.render``); nothing here builds HTML from crawled text. Pages carry no inline
scripts, so the Content-Security-Policy can allow scripts from this server only.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pipeline.web import plots
from pipeline.web.marking import entity_groups, marked_paragraphs
from pipeline.web.render import plural, query_link, render
from storage.base import Store
from storage.models import Document

PAGE_SIZE = 20
SYNTAX = [
    ("veltrix nova", "both words (AND is implied)"),
    ('"trade minister"', "the exact phrase"),
    ("veltrix OR kestrel", "either word"),
    ("nova -case   nova NOT case", "nova, but not case"),
    ("(visit OR tour) AND duarte", "parentheses group"),
    ("export*", "words starting with export"),
    ("duarte NEAR/5 visit", "within 5 words of each other"),
    ("source:harbor-ledger kind:product lang:fr", "source, kind (article, product, post, feed_item), language"),
    ("entity:veltrix  stance:against:veltrix", "mentions a watched entity; stance against it"),
    ("event:official_visit  link:any  story:ID", "has an event of a type; is evidence of a link; in a story"),
    ("published:>=2026-09-01  published:2026-09-01..2026-09-10  published:7d",
     "publication date: from, range, the last 7 days"),
    ("海伦娜·杜阿尔特", "names in Chinese, Japanese, Korean: no spaces needed"),
]
# (facet, heading, how a value narrows the search: a URL parameter, a term of the query, or a day)
FACETS = [("source", "Source", "param", "source"), ("kind", "Kind", "param", "kind"),
          ("lang", "Language", "param", "lang"), ("entity_id", "Watched entity", "param", "entity"),
          ("event", "Event type", "term", "event:"), ("stance", "Stance", "term", "stance:"),
          ("day", "Day", "day", "")]
FACET_ITEMS = 12


def _with_term(q: str, term: str) -> str:
    """``q`` with ``term`` added, or taken out when it is already one of its words."""
    words = q.split()
    if term in words:
        return " ".join(w for w in words if w != term)
    return f"{q} {term}".strip()


def _facet_label(name: str, value: str, names: dict[str, str]) -> str:
    if name == "entity_id":
        return names.get(value, value)
    if name == "stance":
        label, _, target = value.partition(":")
        return f"{label} · {names.get(target, target)}" if target else label
    if name == "event":
        return value.replace("_", " ")
    return value


def volume_per_day(store: Store) -> list[dict[str, Any]]:
    """Documents per publication day (oldest first), from the store's ``day`` facet."""
    days = store.search("", facets=["day"], limit=1).facets.get("day", {})
    return [{"date": d, "count": n} for d, n in sorted(days.items())]


def login_page(message: str = "") -> str:
    return render("login.html", title="Sign in", message=message)


def not_found(heading: str) -> str:
    return render("not_found.html", title="Not found", heading=heading)


def search_page(q: str, params: dict[str, Any], found: dict[str, Any], volume: list[dict[str, Any]],
                names: dict[str, str], page: int, error: str | None = None, *, csrf: str = "",
                sort: str = "relevance", collapse: bool = False,
                syntax: list[tuple[str, str]] | None = None, error_at: int | None = None) -> str:
    """``params`` are the page's query-string values (``q``, ``source``, ``kind``, ``lang``, ``entity``,
    ``since``, ``until``, ``sort``, ``collapse``); facet and pager links keep all of them."""
    link_params = {**params, "q": q, "sort": None if sort == "relevance" else sort,
                   "collapse": "story" if collapse else None}
    facets = []
    for name, label, mode, key in FACETS:
        counts = found["facets"].get(name, {})
        if not counts:
            continue
        values = list(counts.items())
        values = sorted(values, reverse=True)[:FACET_ITEMS] if mode == "day" else values[:FACET_ITEMS]
        items = []
        for value, n in values:
            if mode == "param":
                active = params.get(key) == value
                href = query_link("/", link_params, **{key: None if active else value}, page=None)
            elif mode == "term":
                active = f"{key}{value}" in q.split()
                href = query_link("/", link_params, q=_with_term(q, f"{key}{value}"), page=None)
            else:
                active = params.get("since") == value and params.get("until") == value
                href = query_link("/", link_params, since=None if active else value, until=None if active else value,
                                  page=None)
            items.append({"label": _facet_label(name, value, names), "count": n, "active": active, "href": href})
        facets.append({"name": name, "label": label, "items": items})
    total = int(found["total"])
    pages = max(1, -(-total // PAGE_SIZE))
    prev_href = query_link("/", link_params, page=page - 1 if page > 2 else None) if page > 1 else None
    next_href = query_link("/", link_params, page=page + 1) if total > page * PAGE_SIZE else None
    chart = plots.day_bars([(v["date"], v["count"]) for v in volume[-30:]], "Documents per day (publication date)")
    title = q or "Search"
    marker = None
    if error_at is not None and 0 <= error_at <= len(q):
        marker = (q[:error_at], q[error_at:error_at + 1] or " ", q[error_at + 1:])
    return render("search.html", title=title, nav="search", q=q, params=params, facets=facets, hits=found["hits"],
                  marker=marker,
                  total=total, page=page, pages=pages, prev_href=prev_href, next_href=next_href, chart=chart,
                  error=error, csrf=csrf, sort=sort, collapse=collapse, can_collapse=True,
                  syntax=syntax or SYNTAX)


def _story(store: Store, doc: Document) -> dict[str, Any] | None:
    es = store.events
    sid = doc.annotations.story_id or es.story_of(doc.id)
    summary = es.story(sid) if sid else None
    if not sid or not summary or int(summary["size"]) < 2:
        return None
    members = []
    for mid in es.story_members(sid, limit=50):
        other = doc if mid == doc.id else store.get(mid)
        if other is not None:
            members.append({"id": other.id, "title": other.title or other.url, "source": other.source,
                            "published_at": other.published_at})
    return {"id": sid, "size": int(summary["size"]), "members": members}


def _event_rows(doc: Document) -> list[dict[str, Any]]:
    rows = []
    for ev in doc.annotations.events:
        date = ev.get("date") or {}
        start, end = date.get("start"), date.get("end")
        when = f"{start} to {end}" if start and end and end != start else (start or date.get("text") or "")
        actors = ", ".join(f"{a.get('text')} ({a.get('role')})" for a in ev.get("actors") or []
                           if isinstance(a, dict) and a.get("text"))
        evidence = ev.get("evidence") or {}
        rows.append({"type": str(ev.get("type") or "event").replace("_", " "), "date": when, "actors": actors,
                     "evidence": evidence.get("text") if isinstance(evidence, dict) else None})
    return rows


def _versions(store: Store, doc: Document) -> list[dict[str, Any]]:
    out = []
    for v in store.versions(doc.id):
        p = v.product
        fetched = (v.fetched_at or "").replace("T", " ").rstrip("Z")[:16]
        out.append({"version": v.version, "fetched_at": fetched, "price": p.price if p else None,
                    "currency": p.currency if p else None, "availability": p.availability if p else None})
    return out


def _price_chart(versions: list[dict[str, Any]]) -> Any:
    points = []
    for v in versions:
        try:
            points.append((f"version {v['version']}", float(v["price"])))
        except (TypeError, ValueError):
            continue
    return plots.hbars(points, "Price per version", width=520, label_chars=12) if len(points) > 1 else None


def document_page(store: Store, doc: Document, names: dict[str, str]) -> str:
    tone = f"{doc.annotations.tone:+.2f}" if doc.annotations.tone is not None else "n/a"
    versions = _versions(store, doc)
    paragraphs = marked_paragraphs(doc, names)
    return render("document.html", title=doc.title or doc.url, doc=doc, tone=tone, paragraphs=paragraphs,
                  marked=any(seg.marks for para in paragraphs for seg in para), entities=entity_groups(doc, names),
                  events=_event_rows(doc), story=_story(store, doc), versions=versions,
                  price_chart=_price_chart(versions) if doc.product else None)


_TOKENS = re.compile(r"\s+|[^\s]+")


def _diff_sides(old: str, new: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Word-level changes: the old text with deletions marked, the new one with insertions marked."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    left: list[tuple[str, str]] = []
    right: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            left.append(("same", "".join(a[i1:i2])))
            right.append(("same", "".join(b[j1:j2])))
        else:
            if i2 > i1:
                left.append(("del", "".join(a[i1:i2])))
            if j2 > j1:
                right.append(("ins", "".join(b[j1:j2])))
    return left, right


def version_diff(versions: list[Document], a: int, b: int) -> dict[str, Any] | None:
    """What changed between versions ``a`` and ``b`` of one document (fields and text), or None."""
    by_number = {v.version: v for v in versions}
    old, new = by_number.get(a), by_number.get(b)
    if old is None or new is None:
        return None
    fields = []
    for name in ("title", "published_at", "author"):
        if getattr(old, name) != getattr(new, name):
            fields.append((name, getattr(old, name) or "", getattr(new, name) or ""))
    op, np_ = (old.product.to_dict() if old.product else {}), (new.product.to_dict() if new.product else {})
    for key in sorted(set(op) | set(np_)):
        if op.get(key) != np_.get(key):
            fields.append((f"product {key}", op.get(key) or "", np_.get(key) or ""))
    left, right = _diff_sides(old.text, new.text)
    return {"a": a, "b": b, "fields": fields, "left": left, "right": right}


def diff_page(doc: Document, versions: list[Document], diff: dict[str, Any]) -> str:
    return render("diff.html", title=f"Changes: {doc.title or doc.url}", heading=doc.title or doc.url, doc_id=doc.id,
                  versions=[v.version for v in versions], **diff)


def sources_page(rows: list[dict[str, Any]]) -> str:
    chart = plots.hbars([(r["source"], r["items_stored"]) for r in rows], "Items stored per source")
    return render("sources.html", title="Sources", nav="sources", rows=rows, chart=chart)


def entity_page(profile: dict[str, Any]) -> str:
    mentions = plots.day_bars([(d["date"], d["count"]) for d in profile["mentions_per_day"][-60:]],
                              "Documents mentioning it per day")
    stance = plots.stance_day_bars([(d["date"], {k: d[k] for k in plots.STANCE_COLOURS})
                                    for d in profile["stance_per_day"][-60:]],
                                   "Stance toward it per day (author and quoted speakers)")
    sources = plots.hbars([(s["source"], s["count"]) for s in profile["top_sources"]], "Documents per source")
    return render("entity.html", title=profile["entity"]["name"], profile=profile, mentions_chart=mentions,
                  stance_chart=stance, sources_chart=sources)


def timeline_page(data: dict[str, Any], since: str | None, until: str | None, entity: str | None,
                  entity_name: str) -> str:
    anchors = {i["key"]: f"ev{n}" for n, i in enumerate(data["events"] + data["undated"])}
    items = [plots.TimelineItem(key=i["key"], type=i["type"], label=i["label"], start=i["start"], end=i["end"],
                                anchor=anchors[i["key"]]) for i in data["events"]]
    links = [plots.TimelineLink(a=link["events"][0]["id"], b=link["events"][1]["id"], note=link["explanation"])
             for link in data["links"]]
    chart = plots.timeline(items, links, "Events per type over time; dashed arcs are links")
    shown = plural(len(data["events"]), "event")
    return render("timeline.html", title=f"Timeline · {shown}", nav="timeline", data=data, chart=chart,
                  anchors=anchors, by_key={i["key"]: i for i in data["events"]}, since=since, until=until,
                  entity=entity, entity_name=entity_name)


def saved_page(searches: list[dict[str, Any]], csrf: str, channels: list[str], message: str = "",
               editing: str | None = None) -> str:
    return render("saved.html", title="Saved searches", nav="saved", searches=searches, csrf=csrf,
                  channels=channels, message=message, editing=editing, query_link=query_link)
