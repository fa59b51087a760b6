"""JSON Schemas of the public CLI contracts (mirroring CONTRACTS.md; checked by the tests)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema of one contract: error, extract, analyze, ingest, search, sources."""
    return json.loads((HERE / f"{name}.schema.json").read_text(encoding="utf-8"))
