"""Reading JSON-lines input the way the public contract says: line numbers, blank lines, error lines.

Shared by ``extract --batch``, ``analyze --batch`` and ``ingest`` so that all three answer bad lines
identically: ``{"id": <id or null>, "line": <1-based, blank lines counted>, "error": "..."}``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any

from pipeline.ingest.json_guard import MAX_DEPTH, json_problem


class InputFileError(Exception):
    """The input file itself cannot be read (a usage error: exit code 2)."""


@dataclass
class Line:
    """One non-blank input line: either a parsed object or the reason it could not be parsed."""

    number: int
    obj: dict[str, Any] | None
    error: str | None = None

    @property
    def id(self) -> Any:
        if self.obj is None:
            return None
        value = self.obj.get("id")
        return value if isinstance(value, (str, int)) else None

    def error_answer(self, message: str | None = None) -> dict[str, Any]:
        return {"id": self.id, "line": self.number, "error": message or self.error or "unreadable line"}


def open_input(path: str) -> IO[bytes]:
    """Open IN.jsonl (``-`` for stdin), turning a missing or unreadable file into a usage error."""
    if path == "-":
        return sys.stdin.buffer
    p = Path(path)
    if p.is_dir():
        raise InputFileError(f"{path}: is a directory; pass a JSON-lines file")
    try:
        return p.open("rb")
    except FileNotFoundError:
        raise InputFileError(f"{path}: input file not found") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read input file: {exc.strerror}") from None


def read_lines(stream: IO[bytes], require_id: bool = True) -> Iterator[Line]:
    """Yield one ``Line`` per non-blank input line, lazily (bounded memory for any file size)."""
    for number, raw in enumerate(stream, 1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Line(number, None, f"not UTF-8 (byte {exc.start}); encode the file as UTF-8")
            continue
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Line(number, None, f"invalid JSON at column {exc.colno}: {exc.msg}")
            continue
        except RecursionError:  # the parser's own stack guard: nesting thousands deep
            yield Line(number, None, f"JSON nested too deeply (at most {MAX_DEPTH} levels)")
            continue
        if not isinstance(obj, dict):
            yield Line(number, None, f"expected a JSON object, got {type(obj).__name__}")
            continue
        problem = json_problem(obj)
        if problem:
            id_ok = json_problem(obj.get("id"), 0) is None
            yield Line(number, {"id": obj.get("id")} if id_ok else None, problem)
            continue
        line = Line(number, obj)
        if require_id and not isinstance(obj.get("id"), (str, int)):
            line.error = "missing 'id' (a string)" if "id" not in obj else "'id' must be a string"
        yield line


def check_fields(obj: dict[str, Any], spec: dict[str, tuple[type | tuple[type, ...], bool]]) -> str | None:
    """Check field types of a request; returns a message naming the first bad field, or None."""
    for key, (kind, required) in spec.items():
        if key not in obj or obj[key] is None:
            if required:
                return f"missing '{key}'"
            continue
        if not isinstance(obj[key], kind) or isinstance(obj[key], bool) and kind is not bool:
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            return f"field '{key}': expected {names}, got {type(obj[key]).__name__}"
    return None


def chunks(lines: Iterator[Line], size: int) -> Iterator[list[Line]]:
    """Group lines for batched processing; memory stays bounded by ``size``."""
    while chunk := list(islice(lines, size)):
        yield chunk


class JsonlWriter:
    """One JSON object per line on a text stream, flushed per line so consumers can stream."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.count = 0

    def write(self, obj: dict[str, Any]) -> None:
        self.stream.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.stream.flush()
        self.count += 1
