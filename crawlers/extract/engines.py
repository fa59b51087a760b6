"""Main-text extractors from PyPI behind one fail-soft call: HTML in, plain text (paragraphs on lines) out.

Each engine is a well-kept library; ``run_engine`` gives every call a per-page time budget and turns
a crash, a timeout or an empty result into an ``EngineResult`` with ``error`` set, so that callers
fall back to another engine and say which one failed in ``warnings``. Libraries are imported on
first use: a missing one is an error of that engine, not of the page.
"""

from __future__ import annotations

import functools
import importlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import lxml.html
from lxml import etree

DEFAULT_BUDGET_S = 2.0


@dataclass(frozen=True)
class EngineResult:
    engine: str
    text: str
    seconds: float
    error: str | None = None  # "crashed (ValueError)", "timed out after 2.0 s", "returned no text"


class EngineTimeout(Exception):
    """An engine ran past its per-page budget."""


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Interrupt the block with ``EngineTimeout`` after ``seconds``.

    Uses SIGALRM, so only in the main thread (elsewhere the block runs unbounded); an alarm already
    set by the caller (a test runner's timeout) is put back afterwards, and left alone if it is due first.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    outer_left, _interval = signal.getitimer(signal.ITIMER_REAL)
    if 0 < outer_left <= seconds:
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise EngineTimeout

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left > 0:
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - started), 0.001))


def run_engine(name: str, html: str, url: str | None = None, budget_s: float = DEFAULT_BUDGET_S) -> EngineResult:
    """Text of ``html`` by engine ``name``; never raises."""
    started = time.perf_counter()
    try:
        prepare(name)
    except Exception as exc:  # a missing library is an error of this engine, not of the page
        return EngineResult(name, "", time.perf_counter() - started, f"crashed ({type(exc).__name__})")
    started = time.perf_counter()
    try:
        with budget(budget_s):
            text = ENGINES[name](html, url)
    except EngineTimeout:
        return EngineResult(name, "", time.perf_counter() - started, f"timed out after {budget_s:g} s")
    except Exception as exc:  # fail soft: one engine's bug must not cost the page
        return EngineResult(name, "", time.perf_counter() - started, f"crashed ({type(exc).__name__})")
    text = "\n".join(line for line in (" ".join(raw.split()) for raw in text.splitlines()) if line)
    seconds = time.perf_counter() - started
    return EngineResult(name, text, seconds, None if text else "returned no text")


def _html_blocks_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one line per block element."""
    if not fragment.strip():
        return ""
    try:
        node = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for el in node.iter("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "br", "pre"):
        el.tail = "\n" + (el.tail or "")
    return str(node.text_content())


def _trafilatura(html: str, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False, include_tables=True) or ""


def _trafilatura_recall(html: str, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False, include_tables=True, favor_recall=True) or ""


def _readability(html: str, url: str | None) -> str:
    from readability import Document

    return _html_blocks_to_text(Document(html, url=url).summary(html_partial=True))


def _goose(html: str, url: str | None) -> str:
    from goose3 import Goose

    with Goose({"enable_image_fetching": False, "http_timeout": 0.01}) as goose:
        return str(goose.extract(raw_html=html).cleaned_text or "")


def _newspaper(html: str, url: str | None) -> str:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "nltk is not installed": only its NLP features need it
        import newspaper

    article = newspaper.Article(url or "http://localhost/", fetch_images=False)
    article.download(input_html=html)
    article.parse()
    return str(article.text or "")


@functools.cache
def _justext_stoplist() -> frozenset[str]:
    import justext

    # Every language's stop words at once, as trafilatura does: the page's language is not known yet.
    return frozenset().union(*(justext.get_stoplist(lang) for lang in justext.get_stoplists()))


def _justext(html: str, url: str | None) -> str:
    import justext

    paragraphs = justext.justext(html.encode("utf-8", "replace"), _justext_stoplist(), encoding="utf-8")
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def _resiliparse(html: str, url: str | None) -> str:
    from resiliparse.extract.html2text import extract_plain_text

    return str(extract_plain_text(html, main_content=True, alt_texts=False, links=False, list_bullets=False))


def _inscriptis(html: str, url: str | None) -> str:
    import inscriptis

    return str(inscriptis.get_text(html))


def _import_all(*modules: str) -> Callable[[], None]:
    def load() -> None:
        for module in modules:
            importlib.import_module(module)
    return load


# One-time work of an engine (imports, justext's stop words of every language: seconds on a loaded
# machine), done before its first page's budget starts: the budget is for the page's work.
_PREPARE: dict[str, Callable[[], object]] = {
    "trafilatura": _import_all("trafilatura"),
    "trafilatura-recall": _import_all("trafilatura"),
    "readability": _import_all("readability"),
    "goose3": _import_all("goose3"),
    "justext": _justext_stoplist,
    "resiliparse": _import_all("resiliparse.extract.html2text"),
    "inscriptis": _import_all("inscriptis"),
}


@functools.cache
def prepare(name: str) -> None:
    """Engine ``name``'s one-time work (raises what its import raises); ``run_engine`` calls it first."""
    _PREPARE.get(name, lambda: None)()


ENGINES: dict[str, Callable[[str, str | None], str]] = {
    "trafilatura": _trafilatura,
    "trafilatura-recall": _trafilatura_recall,
    "readability": _readability,
    "goose3": _goose,
    "newspaper4k": _newspaper,
    "justext": _justext,
    "resiliparse": _resiliparse,
    "inscriptis": _inscriptis,
}
