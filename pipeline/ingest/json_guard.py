"""Values a parsed JSON line must not carry into the run: nesting too deep, and lone surrogates.

``json.loads`` accepts ``"\\ud800"`` (half of a UTF-16 pair) and hands back a ``str`` that no UTF-8
encoder, tokenizer or database driver will take: it crashed the run far from the line that held
it. Deep nesting is legal JSON too, but every recursive consumer (``json.dumps``, the stores'
JSON columns) would overflow the stack on it. Both become an error for that line, naming where.
The walk is iterative, so checking a hostile line cannot itself overflow the stack.
"""

from __future__ import annotations

import re
from typing import Any

MAX_DEPTH = 64  # far beyond any request or document shape newswatch knows
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _where(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "the line"


def json_problem(obj: Any, max_depth: int = MAX_DEPTH) -> str | None:
    """Why ``obj`` (a parsed JSON value) cannot be used, naming the field; None when it can."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(obj, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > max_depth:
            return f"nested more than {max_depth} levels deep (at {_where(path[:3])}...)"
        if isinstance(value, str):
            found = _LONE_SURROGATE.search(value)
            if found:
                return (f"field '{_where(path)}': a lone UTF-16 surrogate (\\u{ord(found.group()):04x}) at "
                        f"character {found.start()}; not text that UTF-8 can carry")
        elif isinstance(value, dict):
            for key, item in value.items():
                if _LONE_SURROGATE.search(key):
                    return f"a key of '{_where(path)}' holds a lone UTF-16 surrogate"
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, i)) for i, item in enumerate(value))
    return None
