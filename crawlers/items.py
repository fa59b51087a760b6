"""Items the crawl yields besides ``storage.models.Document``: a page kept aside, with why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from storage.models import utc_now_iso

# Error classes counted by source health (see STYLE.md, "Errors users can act on").
QUARANTINE_REASONS: tuple[str, ...] = (
    "extract_empty", "http_4xx", "http_5xx", "timeout", "robots", "too_large", "parse", "network", "js_only",
    "bad_url",  # a feed entry or post whose URL is not http(s) (javascript:, data:, ...): never stored
    "listing",  # a page a sitemap or feed named as content that is a page of links (an index): not stored
)


@dataclass
class Quarantined:
    """A fetched (or attempted) page that gave no document: never dropped silently."""

    url: str
    source: str
    reason: str
    detail: str = ""
    fetched_at: str = field(default_factory=utc_now_iso)

    def __post_init__(self) -> None:
        if self.reason not in QUARANTINE_REASONS:
            raise ValueError(f"reason: expected one of {', '.join(QUARANTINE_REASONS)}, got {self.reason!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
