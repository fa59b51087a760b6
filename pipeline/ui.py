"""Server-rendered pages of the web UI: search with facets, a document view, source health.

Every value that may come from a crawled page is passed through ``html.escape`` here, in one
place; the pages carry no inline scripts, so a strict Content-Security-Policy can forbid them all.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from pipeline.charts import bar_chart
from storage.base import Store
from storage.models import Document
from storage.url_safety import link_html

_EXTERNAL = 'rel="noopener noreferrer"'  # links to crawled sites: no opener, no referrer

STYLE = """body{font-family:system-ui,sans-serif;margin:0;color:#222}
header{background:#0d47a1;color:#fff;padding:.6em 1.2em}header a{color:#fff;margin-right:1em}
main{display:flex;gap:2em;padding:1em 1.2em}aside{min-width:200px}section{flex:1;max-width:860px}
.hit{margin:0 0 1.2em}.hit small,.meta{color:#666}mark{background:#fff59d}
table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
input[type=search]{width:60%;padding:.4em}.error{color:#b71c1c}.ent{background:#e3f2fd;padding:0 3px}"""


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · newswatch</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
            f'<body><header><a href="/"><strong>newswatch</strong></a><a href="/">Search</a>'
            f'<a href="/sources">Sources</a><a href="/api/docs">API</a></header>{body}</body></html>')


def volume_per_day(store: Store) -> list[dict[str, Any]]:
    """Documents per publication day (oldest first), from the store's ``day`` facet."""
    days = store.search("", facets=["day"], limit=1).facets.get("day", {})
    return [{"date": d, "count": n} for d, n in sorted(days.items())]


def highlighted(snippet: str, highlights: list[list[int]] | list[tuple[int, int]]) -> str:
    """Escape a plain-text snippet and wrap its highlight offsets in <mark> (offsets index the raw text)."""
    out, pos = [], 0
    for start, end in sorted((int(s), int(e)) for s, e in highlights):
        if start < pos:
            continue
        out.append(escape(snippet[pos:start]))
        out.append(f"<mark>{escape(snippet[start:end])}</mark>")
        pos = end
    out.append(escape(snippet[pos:]))
    return "".join(out)


def _link(params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    return "/?" + urlencode({k: v for k, v in merged.items() if v})


def search_page(q: str, filters: dict[str, Any], found: dict[str, Any], volume: list[dict[str, Any]],
                names: dict[str, str], page: int, error: str | None = None) -> str:
    params = {"q": q, "source": filters.get("source"), "kind": filters.get("kind"), "lang": filters.get("lang"),
              "entity": filters.get("entity_id")}
    facet_html = []
    for facet, label, param in (("source", "Source", "source"), ("kind", "Kind", "kind"), ("lang", "Language", "lang"),
                                ("entity_id", "Watched entity", "entity")):
        counts = found["facets"].get(facet, {})
        if not counts:
            continue
        items = []
        for value, n in list(counts.items())[:12]:
            shown = names.get(value, value) if facet == "entity_id" else value
            active = params.get(param) == value
            href = _link(params, **{param: None if active else value})
            items.append(f'<li><a href="{escape(href, quote=True)}">{"✓ " if active else ""}{escape(str(shown))}</a>'
                         f" ({n})</li>")
        facet_html.append(f"<h3>{label}</h3><ul class=\"facet-{facet}\">{''.join(items)}</ul>")
    hits = []
    for h in found["hits"]:
        title = escape(h["title"] or h["url"])
        hits.append(f'<div class="hit"><a class="title" href="/doc/{escape(h["id"], quote=True)}">{title}</a><br>'
                    f'<small>{escape(h["source"])} · {escape(h["kind"])} · {escape(h["published_at"] or "")}'
                    f' · {link_html(h["url"], "source", _EXTERNAL)}</small>'
                    f'<p class="snippet">{highlighted(h["snippet"], h["highlights"])}</p></div>')
    pager = ""
    if found["total"] > page * 20:
        pager = f'<a href="{escape(_link(params, page=page + 1), quote=True)}">Next page</a>'
    chart = bar_chart([(v["date"], v["count"]) for v in volume[-30:]], "Documents per day (publication date)")
    err = f'<p class="error">{escape(error)}</p>' if error else ""
    body = (f'<main><aside>{"".join(facet_html)}</aside><section>'
            f'<form method="get" action="/"><input type="search" name="q" value="{escape(q, quote=True)}" '
            f'placeholder="words, &quot;phrases&quot;, OR, -exclude, 维创" autofocus> <button>Search</button></form>'
            f'{err}<p id="total">{found["total"]} matches</p>{"".join(hits)}{pager}'
            f'<h2>Volume</h2>{chart}</section></main>')
    return _page(q or "Search", body)


def document_page(doc: Document, names: dict[str, str]) -> str:
    ents = sorted({(e.entity_id or "", e.canonical or e.text, e.label) for e in doc.annotations.entities})
    ent_rows = "".join(f"<tr><td>{escape(names.get(eid, canon))}</td><td>{escape(label)}</td>"
                       f"<td>{'watched' if eid else ''}</td></tr>" for eid, canon, label in ents)
    stance_rows = "".join(f"<tr><td>{escape(s.target)}</td><td>{escape(s.holder)}</td><td>{escape(s.label)}</td>"
                          f"<td>{s.score:.2f}</td><td>{escape(s.evidence.text)}</td></tr>"
                          for s in doc.annotations.stance + [st for q in doc.annotations.quotes for st in q.stance])
    quotes = "".join(f"<li>“{escape(q.text)}” — {escape(q.speaker.text if q.speaker else 'unknown')}</li>"
                     for q in doc.annotations.quotes)
    product = ""
    if doc.product:
        p = doc.product
        product = (f'<p class="meta">{escape(p.name or "")} · {escape(p.price or "?")} {escape(p.currency or "")} · '
                   f'{escape(p.availability or "")} · seller {escape(p.seller or "?")}</p>')
    paragraphs = "".join(f"<p>{escape(par)}</p>" for par in doc.text.split("\n") if par.strip())
    tone = f"{doc.annotations.tone:+.2f}" if doc.annotations.tone is not None else "n/a"
    body = (f'<main><section><h1>{escape(doc.title or doc.url)}</h1>'
            f'<p class="meta">{escape(doc.source)} · {escape(doc.kind)} · {escape(doc.published_at or "")} · '
            f'{escape(doc.author or "")} · lang {escape(doc.lang or "?")} · tone {tone} · version {doc.version} · '
            f'{link_html(doc.url, "original", _EXTERNAL)}</p>{product}'
            f'<article>{paragraphs}</article></section><aside><h3>Entities</h3><table>{ent_rows}</table>'
            f'<h3>Quotes</h3><ul>{quotes or "<li>none</li>"}</ul><h3>Stance</h3><table>{stance_rows}</table>'
            f'</aside></main>')
    return _page(doc.title or doc.url, body)


def sources_page(rows: list[dict[str, Any]]) -> str:
    trs = "".join(
        f"<tr><td>{escape(r['source'])}</td><td>{r['items_stored']}</td><td>{r['pages_fetched']}</td>"
        f"<td>{escape(', '.join(f'{k}: {v}' for k, v in sorted(r['errors'].items())) or '-')}</td>"
        f"<td>{escape(str(r['last_success'] or '-'))}</td></tr>" for r in rows)
    chart = bar_chart([(r["source"], r["items_stored"]) for r in rows], "Items stored per source")
    body = (f"<main><section><h1>Sources</h1><table><tr><th>Source</th><th>Stored</th><th>Pages</th>"
            f"<th>Errors</th><th>Last success</th></tr>{trs}</table>{chart}</section></main>")
    return _page("Sources", body)


def login_page(message: str = "") -> str:
    msg = f'<p class="error">{escape(message)}</p>' if message else ""
    body = (f'<main><section><h1>Sign in</h1>{msg}<form method="post" action="/login">'
            f'<label>Access token <input type="password" name="token"></label> <button>Sign in</button></form>'
            f"<p>The token is the value of the environment variable named by <code>api.token_env</code>.</p>"
            f"</section></main>")
    return _page("Sign in", body)


def not_found(doc_id: str) -> str:
    return _page("Not found", f"<main><section><h1>No document {escape(doc_id)}</h1></section></main>")
