"""Typed events with evidence: rules over the parse plus a small trainable sentence classifier.

``newswatch_events`` (a registered spaCy component) proposes candidates; :func:`finalize` resolves
their dates against the publication date, merges repeats and links co-timed events of one text.

The names below load on first use (PEP 562): the component pulls in spaCy, and the light
submodules (``pairing``, ``rules``) are read by the config loader of every command.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOMES = {"COMPONENT_VERSION": "component", "EventsComponent": "component", "add_events_component": "component",
          "finalize": "component", "DEFAULT_RULES": "pairing", "PairRule": "pairing", "link_events": "pairing",
          "EVENT_TYPES": "rules"}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'nlp.events' has no attribute {name!r}")
    return getattr(import_module(f"nlp.events.{home}"), name)
