"""Typed events with evidence: rules over the parse plus a small trainable sentence classifier.

``newswatch_events`` (a registered spaCy component) proposes candidates; :func:`finalize` resolves
their dates against the publication date, merges repeats and links co-timed events of one text.
"""

from nlp.events.component import COMPONENT_VERSION, EventsComponent, add_events_component, finalize
from nlp.events.pairing import DEFAULT_RULES, PairRule, link_events
from nlp.events.rules import EVENT_TYPES

__all__ = ["COMPONENT_VERSION", "DEFAULT_RULES", "EVENT_TYPES", "EventsComponent", "PairRule",
           "add_events_component", "finalize", "link_events"]
