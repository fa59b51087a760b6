"""The main text of a page: trafilatura on a copy without paywall prompts, fail-soft fallbacks, app shells."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import lxml.html

from crawlers.extract.engines import EngineTimeout, budget, run_engine
from crawlers.extract.text import _strip_noise
from crawlers.extract.vote import add_confirmed_lines

_WALL_RE = re.compile(r"(?:^|[\s_-])(?:paywall|pay-wall|regwall|reg-wall|subscribe-(?:box|prompt|wall)|"
                      r"subscription-(?:wall|prompt)|login-wall|piano-(?:container|offer)|tp-container|"
                      r"meter-(?:wall|prompt))(?:$|[\s_-])|^paywall|paywall$", re.IGNORECASE)


_BOILERPLATE_LINE = re.compile(
    r"^\W*(?:"
    # "read also" links set inside the article, in the languages we meet most
    r"(?:lea|lee|léase|lire|à lire|voir|read|see|also read|leggi|lesen sie|czytaj|leia|veja|zie ook|les også|läs)"
    r"\s+(?:también|tambien|más|mas|aussi|also|more|anche|auch|też|także|również|mais|também|ook|også|mer)\b"
    r"|(?:le|te) puede interesar|related(?: articles?| stories| posts)?\s*:|mehr zum thema|"
    r"das (?:thema|könnte) .{0,40}interessieren|auch interessant|weitere (?:beiträge|artikel|meldungen|tipps)|"
    r"vorschau auf den nächsten artikel|(?:next|previous) (?:article|story|post)\b|"
    # comments, ads, paywall and newsletter prompts
    r"keine kommentare|no comments(?: yet)?\b|\d+\s+(?:comments?|kommentare|commentaires)\b|leave a (?:comment|reply)|"
    r"anzeige\b|advertisement\b|publicidad\b|werbung\b|sponsored\b|"
    r"pour (?:lire la suite|accéder)|to continue reading|subscribe to (?:read|continue)|"
    r"(?:kategorie|category|categories|tags?|schlagwörter|quellenangaben|release date)\s*:\s*\S{0,30}\s*$|"
    r"\(?alle angaben ohne gewähr\)?\s*$"
    r")",
    re.IGNORECASE,
)
# Short lines under or after the article that are never its text: picture credits and sources, copyright,
# share / "loading" widgets, "read more" and "recommended" links, login prompts.
_CREDIT_LINE = re.compile(
    r"^\W*(?:photo|photos|foto|fotos|bild|bilder|titelbild|image|images|picture|crédits? photos?|credits?|"
    r"source|sources|quelle|quellen|źródło|fuente|fonte|zdjęcie|fot\.)\s*:"
    r"|^\W*(?:©|\(c\)\s|copyright\b)|all rights reserved|alle rechte vorbehalten|tous droits réservés"
    r"|todos los derechos reservados|wszelkie prawa zastrzeżone|materiał chroniony prawem"
    r"|^\W*(?:share(?: this)?(?: article| post| story)?|teilen(?: mit)?|artikel teilen|partager|compartir|condividi"
    r"|udostępnij|podziel się|loading|wird geladen|chargement|cargando|ładowanie"
    r"|read more|mehr erfahren|weiterlesen|mehr lesen|lire la suite|leer más|leggi tutto|czytaj dalej"
    r"|dowiedz się więcej|view comments|show comments|kommentare anzeigen|bild anzeigen"
    r"|recommended|empfohlene beiträge|weitere themen|das könnte sie auch interessieren|you may also like"
    r"|you might also like|related posts|ähnliche beiträge|zobacz też|zobacz także|czytaj też|czytaj także"
    r"|polecamy)\W*$"
    r"|^\W*(?:sie sind (?:aktuell )?nicht eingeloggt|you are not logged in|log ?in to|anmelden|zaloguj się)",
    re.IGNORECASE,
)
_NEWSLETTER_LINE = re.compile(r"newsletter|sign up|subscribe|abonnier|abonnez|registrier|subskrypc|suscríb|iscriviti",
                              re.IGNORECASE)


def drop_boilerplate_lines(text: str) -> str:
    """Main text without the lines extractors are known to keep: in-article "read also" links, comment
    counters, ad labels, paywall and newsletter prompts (short lines only: a paragraph that merely
    mentions a newsletter stays)."""
    if not text:
        return text
    kept = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped and len(stripped) < 200 and _BOILERPLATE_LINE.search(stripped):
            continue
        if stripped and len(stripped) < 160 and _NEWSLETTER_LINE.search(stripped):
            continue
        if stripped and len(stripped) < 120 and _CREDIT_LINE.search(" ".join(stripped.split())):
            continue
        kept.append(line)
    out = "\n".join(kept).strip()
    return out or text


def _without_walls(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A copy of ``tree`` without paywall / login prompts, which trafilatura takes for article text."""
    import copy

    def is_wall(el: lxml.html.HtmlElement) -> bool:
        # A prompt is short; a long element named "paywall" is the container of the article itself.
        return bool(_WALL_RE.search(f"{el.get('class', '')} {el.get('id', '')}")) and \
            len(" ".join(el.text_content().split())) < 600

    if not any(is_wall(el) for el in tree.xpath("//*[@class or @id]")):
        return tree
    clone = copy.deepcopy(tree)
    for el in clone.xpath("//*[@class or @id]"):
        if el.getparent() is not None and is_wall(el):
            el.drop_tree()
    return clone


TRAFILATURA_BUDGET_S = 5.0
FALLBACK_BUDGET_S = 2.0
# Tried in this order when trafilatura fails or finds nothing: measured next best on the shared article
# set (``newswatch eval extractors``), then the fastest, then one that scores paragraphs on its own.
FALLBACK_ENGINES = ("readability", "resiliparse", "justext")
# On threads trafilatura drops replies it takes for comments (answers of a Q&A page, the last posts):
# readability keeps a thread's posts, resiliparse confirms them (``eval extractors``, own thread pages).
THREAD_ENGINES = ("readability", "resiliparse")


@dataclass
class MainText:
    text: str
    metadata: dict[str, Any]  # trafilatura's title, author, date... ({} when it failed)
    js_only: bool  # an app shell: no server-rendered text at all


def main_text(html: str, tree: lxml.html.HtmlElement, url: str | None, warnings: list[str],
              keep_comments: bool = False) -> MainText:
    """The page's main text: trafilatura on a copy without paywall prompts, else the first fallback engine
    that finds text, else the page's own paragraphs. ``keep_comments`` for threads, where replies are content."""
    walled = _without_walls(tree)
    source = html if walled is tree else lxml.html.tostring(walled, encoding="unicode")
    metadata, failure = _trafilatura(source, url, keep_comments)
    text = (metadata.get("text") or "").strip()
    if len(text) < 200 and _js_only(tree):
        return MainText("", metadata, True)
    if text:
        if keep_comments:
            text = _thread_text(text, source, url, warnings)
        return MainText(text, metadata, False)
    tried = [f"trafilatura {failure}"]
    for name in FALLBACK_ENGINES:
        result = run_engine(name, source, url, FALLBACK_BUDGET_S)
        if result.text:
            warnings.append(f"text: {tried[0]}; used {name}" + (f" ({', '.join(tried[1:])})" if tried[1:] else ""))
            return MainText(result.text, metadata, False)
        tried.append(f"{name} {result.error}")
    text = _fallback_text(tree)
    if text:
        warnings.append(f"text: no extractor found main text ({', '.join(tried)}); used the page's paragraphs")
    return MainText(text, metadata, False)


def _thread_text(text: str, source: str, url: str | None, warnings: list[str]) -> str:
    """A thread's text: trafilatura's, plus the posts readability found and resiliparse confirms."""
    results = [run_engine(name, source, url, FALLBACK_BUDGET_S) for name in THREAD_ENGINES]
    failed = [f"{r.engine} {r.error}" for r in results if r.error]
    if failed:
        warnings.append(f"text: {', '.join(failed)}; thread text from trafilatura alone")
        return text
    combined, _added = add_confirmed_lines(text, results[0].text, [r.text for r in results[1:]])
    return combined


def _trafilatura(text: str, url: str | None, keep_comments: bool) -> tuple[dict[str, Any], str]:
    """(trafilatura's document as a dict, why it gave no text: "crashed (X)", "timed out ...", "found no text")."""
    import trafilatura

    try:
        with budget(TRAFILATURA_BUDGET_S):
            result = trafilatura.bare_extraction(
                text, url=url, with_metadata=True, include_comments=keep_comments, include_tables=True,
            )
    except EngineTimeout:
        return {}, f"timed out after {TRAFILATURA_BUDGET_S:g} s"
    except Exception as exc:  # fail soft: the fallbacks take over
        return {}, f"crashed ({type(exc).__name__})"
    if result is None:
        return {}, "found no text"
    if not isinstance(result, dict):
        result = result.as_dict() if hasattr(result, "as_dict") else {}
    return result, "found no text"


def _fallback_text(tree: lxml.html.HtmlElement) -> str:
    """Paragraph text of ``<article>``/``<main>``/``<body>`` without navigation and scripts."""
    for xp in ("//article", "//main", "//*[@role='main']", "//body"):
        nodes = tree.xpath(xp)
        if not nodes:
            continue
        node = _strip_noise(nodes[0])
        elements = node.xpath(".//p|.//li|.//h2|.//h3|.//blockquote")
        blocks = [" ".join(el.text_content().split()) for el in elements]
        blocks = [b for b in blocks if b]
        text = "\n".join(blocks) if blocks else " ".join(node.text_content().split())
        if text:
            return text
    return ""


def _js_only(tree: lxml.html.HtmlElement) -> bool:
    body = tree.find("body")
    if body is None:
        return bool(tree.xpath("//script"))
    # Only code is taken out here: a page whose text sits in <header>/<nav> is still server-rendered, and the
    # whole tree is read because broken markup can push the body's text into <head>.
    shown = " ".join(str(t) for t in tree.xpath("//text()[not(ancestor::script or ancestor::style or "
                                                "ancestor::noscript or ancestor::template or ancestor::title)]"))
    visible = " ".join(shown.split())
    has_app = bool(tree.xpath("//script|//noscript|//*[@id='root' or @id='app' or @id='__next']"))
    return has_app and len(visible) < 80
