"""The article text after the learned line classifier: the engines it needs, fail-soft, then ``refine``.

Runs the engines the shipped model votes with (each under the fallback budget), and hands their texts
with the page's DOM blocks to ``line_model.refine``. When the model is missing or one of its engines
crashes or times out, the text stays as the rest of the pipeline made it and ``warnings`` says why:
the model was trained with every engine's text, so a missing one would be read as an engine that
found nothing.
"""

from __future__ import annotations

import time

import lxml.html

from crawlers.extract.engines import prepare, run_engine
from crawlers.extract.line_model import load_model, refine
from crawlers.extract.lines import BlockIndex

# One budget for all the model's engines together (as for a fallback engine): a huge page costs at most
# this much more than before, and keeps its base text when the engines run past it.
ENGINE_BUDGET_S = 2.0
# Engines whose text the pipeline already has: trafilatura's is the main text before the article steps.
_GIVEN = ("trafilatura",)


def learned_text(body: str, html: str, url: str | None, tree: lxml.html.HtmlElement, trafilatura_text: str,
                 warnings: list[str]) -> str:
    """``body`` refined by the line model, or ``body`` itself when the model or an engine is missing."""
    model = load_model()
    if model is None or not body:
        return body
    others = {"trafilatura": trafilatura_text}
    names = [name for name in dict.fromkeys((*model.voters, *model.proposers)) if name not in _GIVEN]
    for name in names:  # imports and stop lists once per process, outside the page's budget
        try:
            prepare(name)
        except Exception as exc:  # fail soft: the page keeps its base text
            warnings.append(f"text: {name} crashed ({type(exc).__name__}); line model not applied")
            return body
    deadline = time.monotonic() + ENGINE_BUDGET_S
    for name in names:
        left = deadline - time.monotonic()
        if left <= 0.05:
            warnings.append(f"text: line model engines ran past {ENGINE_BUDGET_S:g} s; line model not applied")
            return body
        result = run_engine(name, html, url, left)
        if result.error and result.error != "returned no text":
            warnings.append(f"text: {name} {result.error}; line model not applied")
            return body
        others[name] = result.text
    text, _dropped, _added = refine(model, body, others, BlockIndex(tree))
    return text or body
