"""One Jinja2 environment for every web page, with autoescape on.

Crawled text reaches templates as plain ``str`` and is escaped by Jinja; the only ``Markup`` a template
receives is built here or in ``pipeline.web.plots`` from escaped pieces (highlights, marked text, SVG).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from storage.url_safety import safe_http_url

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


def highlighted(snippet: str, highlights: Iterable[Sequence[int]]) -> Markup:
    """A plain-text snippet escaped, its highlight offsets (into the raw text) wrapped in ``<mark>``."""
    out, pos = [], 0
    for start, end in sorted((int(s), int(e)) for s, e in highlights):
        if start < pos:
            continue
        out.append(escape(snippet[pos:start]))
        out.append(Markup("<mark>%s</mark>") % snippet[start:end])
        pos = end
    out.append(escape(snippet[pos:]))
    return Markup("").join(out)


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 match``, ``2 matches``, ``1,204 documents``: the count with the right form of the noun."""
    if n == 1:
        return f"1 {word}"
    return f"{n:,} {words or (word + 'es' if word.endswith(('s', 'sh', 'ch', 'x', 'z')) else word + 's')}"


def query_link(path: str, params: dict[str, Any], **changes: Any) -> str:
    """``path?params`` with ``changes`` applied; empty values are left out so links stay short."""
    merged = {**params, **changes}
    query = urlencode({k: v for k, v in merged.items() if v not in (None, "", False)})
    return f"{path}?{query}" if query else path


def external_href(url: str | None) -> str | None:
    """An http(s) link to a crawled page, or None for anything else (``javascript:``, ``data:``)."""
    return safe_http_url(url)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["highlighted"] = highlighted
    env.globals.update(plural=plural, query_link=query_link, external_href=external_href)
    return env


def render(template: str, **context: Any) -> str:
    """Render ``template`` (a file in ``pipeline/web/templates``) with ``context``."""
    return environment().get_template(template).render(**context)
