"""The correlator's settings, in a module that loads nothing heavy (the config loader fills them)."""

from __future__ import annotations

from dataclasses import dataclass

from nlp.events.pairing import DEFAULT_RULES, PairRule
from nlp.settings import STORY_THRESHOLD


@dataclass
class CorrelatorSettings:
    enabled: bool = True
    rules: tuple[PairRule, ...] = DEFAULT_RULES  # [[correlator.rules]] replace these built-in rules
    surge_window_days: int = 3  # a listing surge: new listings of these last days ...
    surge_baseline_days: int = 14  # ... against the daily mean of these days before them
    surge_min_listings: int = 3
    surge_factor: float = 3.0
    story_threshold: float = STORY_THRESHOLD
    batch: int = 1000  # new events per write transaction (their links and the cursor past them)
    max_links_per_event: int = 3  # per rule and direction: the best-scored partners of a new event
