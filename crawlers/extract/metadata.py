"""Page metadata: meta tags, canonical URL, language, byline and publication date."""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, date, datetime
from typing import Any

import lxml.html

from crawlers.extract.structured import _as_list, _name_of
from crawlers.extract.text import _clean
from crawlers.urls import canonicalize_url


def _meta_tags(tree: lxml.html.HtmlElement) -> dict[str, str]:
    out: dict[str, str] = {}
    for el in tree.xpath("//meta[@content]"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or ""
        key = key.strip()
        if key and key.lower() not in out:
            out[key.lower()] = el.get("content", "").strip()
    return out


def _canonical(tree: lxml.html.HtmlElement, meta: dict[str, str], base: str | None) -> str | None:
    for href in tree.xpath("//link[translate(@rel, 'CANONICAL', 'canonical')='canonical']/@href"):
        href = str(href).strip()
        if href:
            return canonicalize_url(href, base)
    if meta.get("og:url"):
        return canonicalize_url(meta["og:url"], base)
    return canonicalize_url(base) if base else None


def _html_lang(tree: lxml.html.HtmlElement, meta: dict[str, str]) -> str | None:
    for value in (tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
                  meta.get("content-language"), meta.get("og:locale")):
        code = _lang_code(value)
        if code:
            return code
    return None


def _lang_code(value: str | None) -> str | None:
    if not value:
        return None
    code = re.split(r"[-_,;\s]", value.strip().lower())[0]
    return code if re.fullmatch(r"[a-z]{2}", code) else None


def _detect_lang(text: str) -> str | None:
    if len(re.findall(r"\w", text)) < 12:
        return None
    try:
        import py3langid

        code, _score = py3langid.classify(text[:5000])
    except Exception:
        return None
    return _lang_code(str(code))


def _author(ld: dict[str, Any] | None, meta: dict[str, str], tree: lxml.html.HtmlElement,
            traf: dict[str, Any]) -> str | None:
    if ld:
        names = [_strip_by(n) for n in (_name_of(a) for a in _as_list(ld.get("author"))) if n]
        if names:
            return ", ".join(names)
    for key in ("author", "article:author", "byl", "dc.creator", "parsely-author", "sailthru.author"):
        value = meta.get(key)
        if value and not value.startswith("http"):
            return _strip_by(value)
    for xp in ("//*[@rel='author']", "//*[@itemprop='author']", "//*[contains(@class, 'byline')]",
               "//*[contains(@class, 'author')]"):
        nodes = tree.xpath(xp)
        if nodes:
            text = _clean(nodes[0].text_content())
            if text and len(text) < 120:
                return _strip_by(text)
    traf_author = _clean(traf.get("author"))
    return _strip_by(traf_author) if traf_author else None


def _strip_by(value: str) -> str:
    return re.sub(r"^(by|von|par|por|文/|记者)\s*[:：]?\s*", "", value.strip(), flags=re.IGNORECASE).strip()


def _published(ld: dict[str, Any] | None, meta: dict[str, str], tree: lxml.html.HtmlElement,
               traf: dict[str, Any], warnings: list[str]) -> str | None:
    candidates: list[str] = []
    if ld:
        candidates += [str(v) for v in (ld.get("datePublished"), ld.get("dateCreated")) if v]
    for key in ("article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
                "date", "dc.date", "dc.date.issued", "dcterms.created", "sailthru.date", "parsely-pub-date"):
        if meta.get(key):
            candidates.append(meta[key])
    candidates += [str(v) for v in tree.xpath("//article//time/@datetime | //time[@itemprop='datePublished']"
                                              "/@datetime | //time[@pubdate]/@datetime | //time/@datetime")]
    if traf.get("date"):
        candidates.append(str(traf["date"]))
    for raw in candidates:
        value, warning = normalize_date(raw)
        if value:
            if warning:
                warnings.append(warning)
            return value
    if candidates:
        warnings.append(f"date: could not read a date from {candidates[0]!r}")
    return None


def normalize_date(raw: str) -> tuple[str | None, str | None]:
    """ISO date, or UTC ``...Z`` timestamp when the source gives a time with a zone.

    A time without a zone keeps only its date (the day is known, the instant is not), with a warning.
    """
    raw = raw.strip()
    if not raw:
        return None, None
    dt: datetime | None = None
    iso = raw.replace("Z", "+00:00").replace("z", "+00:00")
    iso = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", iso)  # +0800 -> +08:00
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return date.fromisoformat(raw).isoformat(), None
        dt = datetime.fromisoformat(iso)
    except ValueError:
        try:
            dt = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            dt = None
    if dt is None:
        m = re.match(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", raw)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3])).isoformat(), None
            except ValueError:
                return None, None
        return None, None
    if dt.tzinfo is None:
        if (dt.hour, dt.minute, dt.second) == (0, 0, 0) and "T" not in raw and ":" not in raw:
            return dt.date().isoformat(), None
        return dt.date().isoformat(), f"date: {raw!r} has a time but no time zone; kept the date only"
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), None
