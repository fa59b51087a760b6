"""Stored documents as flat rows, for the exports of the CLI and the web UI alike."""

from __future__ import annotations

from typing import Any

from storage.models import Document


def flat_record(doc: Document) -> dict[str, Any]:
    """One stored document as one flat row: product fields spread out, annotations as lists."""
    ann = doc.annotations
    rec = {k: v for k, v in doc.to_dict().items() if k not in ("annotations", "provenance", "product")}
    product = doc.product.to_dict() if doc.product else {}
    for key in ("name", "price", "currency", "availability", "seller", "sku", "brand"):
        rec[f"product_{key}"] = product.get(key)
    rec["entity_ids"] = sorted({e.entity_id for e in ann.entities if e.entity_id})
    rec["tone"] = ann.tone
    rec["entities"] = [e.to_dict() for e in ann.entities]
    rec["quotes"] = [q.to_dict() for q in ann.quotes]
    rec["stance"] = [s.to_dict() for s in ann.stance]
    rec["events"] = ann.events
    return rec


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """A crawled text cell that a spreadsheet would run as a formula, made inert (OWASP's CSV injection recipe).

    Titles and text come from pages an attacker writes; a leading quote makes Excel, LibreOffice and Sheets show
    the cell as text. Values that are not text (numbers, missing values) are left as they are.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
