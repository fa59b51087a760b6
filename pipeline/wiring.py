"""Wiring: build each component from the validated config, passing only the settings it needs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.config import Config
from storage.base import Store

if TYPE_CHECKING:
    from nlp.analyzer import Analyzer


def make_store(config: Config) -> Store:
    from storage.open import open_store

    if config.storage_url.startswith("sqlite:"):
        config.data_dir.mkdir(parents=True, exist_ok=True)
    return open_store(config.storage_url)


def make_analyzer(config: Config) -> Analyzer:
    """Load the NLP models once for the whole run (slow: seconds), with the config's watchlists."""
    from nlp.analyzer import Analyzer

    return Analyzer(config.watch_entries(), config.nlp)
