"""Invented documents the contract suites share (imported by the test modules, never a test itself)."""

from __future__ import annotations

from storage.models import Document


def doc(url: str, text: str, **kw) -> Document:
    return Document(url=url, text=text, **kw)


FILLER = [
    doc(f"https://example.test/filler/{i}", f"Weather report number {i}: mild winds and light rain.", source="wx")
    for i in range(6)
]
