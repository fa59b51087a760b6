"""The one check that a URL may be stored as a document's address or rendered as a link.

Crawled pages, feeds and social posts choose their own URLs; a ``javascript:`` or ``data:`` URL
stored as a document URL becomes a script link in every digest, alert email and UI page that
shows it. Only absolute ``http``/``https`` URLs with a host pass. Control characters are
refused anywhere in the URL, and spaces around it, because browsers drop some of them before reading
the scheme (``java\\tscript:`` runs as ``javascript:``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

SAFE_SCHEMES = ("http", "https")


def safe_http_url(url: object) -> str | None:
    """``url`` when it is an absolute http(s) URL with a host and no control characters, else None."""
    if not isinstance(url, str) or not url or len(url) > 8192:
        return None
    if url != url.strip() or any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or ch in "\u2028\u2029\ufeff"
                                 for ch in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES or not host:
        return None
    return url


def unsafe_url_reason(url: object) -> str:
    """Why ``safe_http_url`` refused ``url``, for quarantine details and error lines."""
    shown = repr(url)[:120]
    if not isinstance(url, str) or not url:
        return f"no URL ({shown})"
    scheme = url.split(":", 1)[0].strip().lower() if ":" in url else ""
    if scheme and scheme not in SAFE_SCHEMES and scheme.isalnum():
        return f"not an http(s) URL (scheme {scheme!r}): {shown}"
    return f"not a well-formed http(s) URL: {shown}"


def link_html(url: object, text: str, attrs: str = "") -> str:
    """``<a href=...>text</a>`` when ``url`` is http(s); the escaped text alone otherwise.

    Every page and email that shows a stored URL renders it through here: the check happens
    at render time too, whatever an older store or another writer let in.
    """
    from html import escape

    safe = safe_http_url(url)
    if safe is None:
        return escape(text)
    extra = f" {attrs}" if attrs else ""
    return f'<a href="{escape(safe, quote=True)}"{extra}>{escape(text)}</a>'
