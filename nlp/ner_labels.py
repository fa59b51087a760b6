"""One mapping of entity classes to the four CoNLL classes (PER/ORG/LOC/MISC), for scoring.

spaCy's OntoNotes labels and WNUT-17's classes both map here; labels with no CoNLL class (dates,
numbers) map to None and are left out of entity F1.
"""

from __future__ import annotations

WNUT_TO_CONLL = {"person": "PER", "location": "LOC", "corporation": "ORG", "group": "ORG",
                 "product": "MISC", "creative-work": "MISC"}
SPACY_TO_CONLL = {"PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "ORG": "ORG",
                  "NORP": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC", "EVENT": "MISC",
                  "LANGUAGE": "MISC", "LAW": "MISC"}


def conll_class(label: str) -> str | None:
    """The CoNLL class of a spaCy label or a WNUT-17 class (None: not scored)."""
    return SPACY_TO_CONLL.get(label) or WNUT_TO_CONLL.get(label)
