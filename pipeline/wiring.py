"""Wiring: build each component from the validated config, passing only the settings it needs.

Only entry points import this module (the CLI commands, the service, the demo, benches): the rooms
below them take their stores, analyzers and engines as arguments.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from pipeline.alerts.delivery import attach_outbox
from pipeline.alerts.rules import AlertEngine, alert_log_path, jsonl_notifier
from pipeline.config import Config
from storage.base import Store
from storage.open import open_store

if TYPE_CHECKING:
    from nlp.analyzer import Analyzer


def make_store(config: Config) -> Store:
    if config.storage_url.startswith("sqlite:"):
        config.data_dir.mkdir(parents=True, exist_ok=True)
    return open_store(config.storage_url)


def make_analyzer(config: Config) -> Analyzer:
    """Load the NLP models once for the whole run (slow: seconds), with the config's watchlists."""
    # Deferred on purpose: spaCy and torch take seconds to import; commands that only read the store skip them.
    from nlp.analyzer import Analyzer

    return Analyzer(config.watch_entries(), config.nlp)


def make_alert_engine(config: Config, store: Store, echo: bool = True) -> AlertEngine:
    notifiers = [jsonl_notifier(alert_log_path(config))]
    if echo:
        notifiers.append(lambda a: print(f"ALERT {a.headline()}", file=sys.stderr))
    engine = AlertEngine(config.alerts, store, config.watch_entries(), notifiers)
    if any(r.channels or r.email for r in config.alerts):
        attach_outbox(engine, config)
    return engine
