"""Which found events are reported: the gate between the rules' candidates and what a digest shows.

Crawled pages are not all news. On shop pages, software documentation and how-to pages the trigger words
are there in another sense ("pipenv shell will launch a new shell process", "buy the perfect item",
"version 2.1 is now available") and the main actor is missing or is a product, not a party. The gate drops:

- on a product page (a crawl stores it with ``kind`` "product") every event but merchandise: a shop's own
  copy ("new release", "buy now", "available in") is no company's launch or deal;
- in software text (shell commands, code, package and configuration words in the page; see
  :func:`software_text`), every event: release notes and docs say "released", "available", "introduced"
  of versions and features, not of a company's products;
- a company's event or goods that name no actor at all (after :mod:`nlp.events.parties` kept only named
  companies of the right kind), no date and no name the recogniser missed up to the trigger: it says nothing
  a reader can use (the issue's "an event with neither actor nor date is not reported"). A launch said with a
  pronoun ("It introduced new features") keeps the company the text named before (``carry_parties``, the
  parse's antecedent); a product named ("The Orvane X2 headset is now available") stays.

Company news keeps its launches: the gate reads the page kind and the page's words, never the launch
trigger itself, so a launch sentence in an article is reported as before.
"""

from __future__ import annotations

import re
from typing import Any

from nlp.events.parties import looks_named

# a company's events and goods: a measure's party may be a government body said with a common noun ("the ministry")
_PARTY_TYPES = ("product_launch", "deal", "investment", "merchandise")
# Marks of software text: shell prompts and commands, code, package/config files and words of documentation.
_SOFTWARE_RE = re.compile(
    r"(?:^|\n)\s*(?:\$|>>>|#!|sudo\s|pip3?\s+install|npm\s+(?:install|run|i)\b|yarn\s+add|apt(?:-get)?\s+install|"
    r"brew\s+install|docker\s+(?:run|build|pull|compose)|git\s+(?:clone|commit|push|pull|checkout)|cd\s+\S)|"
    r"\b[\w.]+\.(?:py|js|ts|yaml|yml|toml|json|cfg|ini|sh|rs|go|java|cpp|lock)\b|"
    r"\b(?:def|class|import|return|const|let|var|function|async|await)\s+[\w{(]|[\w\]]\([^()\n]{0,40}\)\s*[;:{]|"
    r"--[a-z][\w-]+|\b(?:stdout|stderr|localhost|config(?:uration)?\s+file|command[- ]line|CLI|API|SDK|"
    r"repository|dependenc(?:y|ies)|virtualenv|plugin|runtime|deprecated|changelog|namespace|"
    r"environment\s+variables?)\b")
SOFTWARE_MIN_MARKS = 6  # distinct marks: one API or CLI mention in a news story is not documentation
SOFTWARE_DENSITY = 1.0  # marks per 1,000 characters
SOFTWARE_MANY_MARKS = 12  # distinct marks that make a long technical post software text at any density


def software_text(text: str) -> bool:
    """Whether the text reads as software documentation, release notes or a coding how-to."""
    marks = _SOFTWARE_RE.findall(text[:50_000])
    distinct = len(set(marks))
    if distinct < SOFTWARE_MIN_MARKS:
        return False
    return distinct >= SOFTWARE_MANY_MARKS or len(marks) * 1000 / max(1, min(len(text), 50_000)) >= SOFTWARE_DENSITY


def drop_reason(ev: dict[str, Any], text: str, kind: str | None, software: bool) -> str | None:
    """Why ``ev`` is not reported (None: reported)."""
    if kind == "product" and ev["type"] != "merchandise":
        return "product page: only goods are reported there"
    if software:
        return "software text: versions and features, not a party's event"
    if ev["type"] in _PARTY_TYPES and not ev["actors"] and not ev["date"].get("resolved") and not looks_named(
            text[ev["evidence"]["start"]:ev["trigger"]["end"] + 40]):
        return "names no party and no date"
    return None


def reportable(events: list[dict[str, Any]], text: str, kind: str | None) -> list[dict[str, Any]]:
    """The events a reader is shown: those with no drop reason."""
    if not events:
        return events
    software = software_text(text)
    return [ev for ev in events if drop_reason(ev, text, kind, software) is None]
