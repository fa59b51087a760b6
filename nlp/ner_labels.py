"""One mapping of entity classes to the four CoNLL classes (PER/ORG/LOC/MISC), for scoring.

spaCy's OntoNotes labels and WNUT-17's classes both map here; labels with no CoNLL class (dates,
numbers) map to None and are left out of entity F1.
"""

from __future__ import annotations

from collections.abc import Sequence

WNUT_TO_CONLL = {"person": "PER", "location": "LOC", "corporation": "ORG", "group": "ORG",
                 "product": "MISC", "creative-work": "MISC"}
SPACY_TO_CONLL = {"PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "ORG": "ORG",
                  "NORP": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC", "EVENT": "MISC",
                  "LANGUAGE": "MISC", "LAW": "MISC"}


def conll_class(label: str) -> str | None:
    """The CoNLL class of a spaCy label or a WNUT-17 class (None: not scored)."""
    return SPACY_TO_CONLL.get(label) or WNUT_TO_CONLL.get(label)


def bio_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """BIO tags -> (first word, last word + 1, class); an ``I-`` after another class starts an entity.

    The one decoder for WNUT-17's files and the post network's output, so both are read alike."""
    spans: list[tuple[int, int, str]] = []
    start, kind = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        if tag.startswith("I-") and kind == tag[2:]:
            continue
        if start >= 0:
            spans.append((start, i, kind))
            start, kind = -1, ""
        if tag.startswith(("B-", "I-")):
            start, kind = i, tag[2:]
    return spans
