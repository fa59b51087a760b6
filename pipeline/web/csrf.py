"""Cross-site request forgery checks for state-changing requests (POST, PUT, PATCH, DELETE).

Two layers, both needed because the UI may run without a token on localhost, where a page on any
other site can still make the browser send requests:

* the request must not come from another site: an ``Origin`` that is not this server, or
  ``Sec-Fetch-Site: cross-site``, is refused;
* it must prove it was made by our own page or by a program: HTML forms carry a token embedded in
  the page (another site cannot read our pages, CORS being off), and JSON API calls need
  ``Content-Type: application/json``, which a cross-site form cannot send and a cross-site script
  can only send after a CORS preflight that this server never grants.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def new_form_token(token: str | None) -> str:
    """The form token of this server: derived from the access token when there is one (stable across
    restarts), else random per process (forms opened before a restart must be reloaded)."""
    key = token.encode() if token else secrets.token_bytes(32)
    return hmac.new(key, b"newswatch-form-token", hashlib.sha256).hexdigest()


def form_token_ok(given: str, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def cross_site_reason(method: str, host: str, origin: str | None, fetch_site: str | None) -> str | None:
    """Why a state-changing request must be refused as cross-site, or None when it may proceed."""
    if method.upper() not in UNSAFE_METHODS:
        return None
    if fetch_site and fetch_site.lower() == "cross-site":
        return "cross-site request refused (Sec-Fetch-Site: cross-site)"
    if origin:
        if origin == "null":
            return "request from an opaque origin refused"
        netloc = urlsplit(origin).netloc.lower()
        if netloc != host.strip().lower():
            return f"cross-origin request refused: Origin {origin!r} is not this server"
    return None


def json_or_token(content_type: str, header_token: str, expected: str) -> bool:
    """May a state-changing API call proceed: a JSON body, or the form token in ``X-CSRF-Token``?"""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or form_token_ok(header_token, expected)
