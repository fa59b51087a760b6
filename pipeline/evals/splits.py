"""A fixed two-way split of evaluation pages by site: a ``tune`` half to develop on, a ``held-out`` half to report.

Pages of one site share a template, so a split by page would let a rule written against one page of
a site score on its sibling. The split key is therefore the site: the host's name without ``www.``
and without its public suffix (``amazon.com`` and ``amazon.fr`` are one site), read through
``web.archive.org`` snapshots to the archived host. The half is a hash of that key: fixed across
runs and machines, independent of the order of the files and of any score.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

HALVES = ("tune", "held-out")

# Labels that end host names without naming the site (with every two-letter country label: enough to
# group shops' country sites).
_SUFFIX_LABELS = frozenset(
    "com net org info biz co ac gov edu uk de fr es it nl be at ch pl pt br ru jp cn in au ca us eu se no "
    "dk fi cz sk hu ro gr tr mx ar cl ie nz za kr tw hk sg my id th vn ua io me tv".split())
_ARCHIVED = re.compile(r"^/web/\d+[a-z_]*/(.+)$")


def site_of(url: str | None, fallback: str = "") -> str:
    """The site a page belongs to: ``https://www.amazon.co.uk/dp/X`` -> ``amazon``."""
    if not url:
        return _site_of_name(fallback)
    parts = urlsplit(url if "://" in url else f"http://{url}")
    host = (parts.hostname or "").lower()
    archived = _ARCHIVED.match(parts.path)
    if host == "web.archive.org" and archived:
        return site_of(archived.group(1), fallback)
    labels = [label for label in host.split(".") if label and label != "www"]
    while len(labels) > 1 and (labels[-1] in _SUFFIX_LABELS or len(labels[-1]) == 2):
        labels.pop()
    return labels[-1] if labels else _site_of_name(fallback)


def _site_of_name(name: str) -> str:
    """For pages without a URL, the file is its own unit (its name without extensions)."""
    return re.sub(r"(\.html?)?(\.gz)?$", "", name.rsplit("/", 1)[-1].lower())


def half_of(site: str) -> str:
    """``tune`` or ``held-out`` for a site key; the same key always lands in the same half."""
    digest = hashlib.sha256(site.encode("utf-8")).digest()
    return HALVES[digest[0] % 2]
