"""URL canonicalisation: one key per page, whatever tracking parameters a link carried."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from storage.url_safety import safe_http_url

# Query parameters that identify a campaign or a click, never the page itself.
TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|yclid|igshid|"
    r"_hsenc|_hsmi|mkt_tok|ref_src|spm|scm|cmpid|ncid|ocid|s_cid|__twitter_impression)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonicalize_url(url: str, base: str | None = None) -> str:
    """Absolute URL with tracking parameters, fragment and default port removed, host lower-cased.

    Keeps the order of the remaining query parameters (some sites' routing depends on it).
    A string that is not an http(s) URL is returned stripped but otherwise unchanged.
    """
    url = url.strip()
    if base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return url
    host = parts.hostname.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in pairs if not TRACKING_PARAMS.match(k)]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def same_site(url: str, other: str) -> bool:
    """True when both URLs have the same host (ignoring a leading ``www.``)."""
    def host(u: str) -> str:
        h = (urlsplit(u).hostname or "").lower()
        return h[4:] if h.startswith("www.") else h

    return host(url) == host(other)


def join_http_url(base: str, href: object) -> str | None:
    """``href`` made absolute against ``base`` when the result is a usable http(s) URL, else None.

    Links in sitemaps and feeds are written by whoever runs the site: a malformed one
    (``http://[::1/x``) or a ``javascript:`` one must cost that entry only, never the whole file.
    """
    if not isinstance(href, str) or not href.strip():
        return None
    try:
        url = urljoin(base, href.strip())
        urlsplit(url).port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    return safe_http_url(url)


def absolute_or_raw(base: str, link: object) -> str | None:
    """``link`` made absolute against ``base``; one that cannot be joined is kept as written.

    Readers keep such a link so that the spider can refuse it with a reason (``bad_url``)
    instead of losing the whole feed or timeline to a ``ValueError``.
    """
    if not isinstance(link, str) or not link:
        return None
    try:
        return urljoin(base, link)
    except ValueError:
        return str(link)


_PSL: Any = None


def registrable_domain(url: str) -> str:
    """The domain one owner controls (``news.bbc.co.uk`` -> ``bbc.co.uk``; ``ana.github.io`` stays whole).

    Uses the Public Suffix List snapshot bundled with ``tldextract`` (private suffixes included),
    never fetched at run time. An IP address or a bare host name is its own registrable domain.
    """
    global _PSL
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    if _PSL is None:
        import tldextract

        _PSL = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)
    parts = _PSL(host)
    return str(parts.top_domain_under_public_suffix or host)


def canonical_allowed(page_url: str, canonical: str, extra_domains: list[str] | tuple[str, ...] = ()) -> bool:
    """May a page fetched from ``page_url`` name ``canonical`` as its canonical URL?

    Only on the page's own registrable domain or one its source declares (``canonical_domains``):
    otherwise any page could take over another site's document by naming its URL.
    """
    if safe_http_url(canonical) is None:
        return False
    claimed = registrable_domain(canonical)
    if not claimed:
        return False
    allowed = {registrable_domain(page_url)} | {registrable_domain(f"http://{d.strip().lower()}/")
                                               for d in extra_domains}
    return claimed in allowed
