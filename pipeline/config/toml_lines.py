"""Reading newswatch.toml: bytes to a table, and every key path back to the line that wrote it.

tomllib reports positions only for syntax errors; for validation errors we find the line of the
key ourselves, so that every message reads ``file:line: key.path: problem``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pipeline.config.errors import ConfigError

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+)\s*=")


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """The parsed table and the text of one file; every problem raises ``ConfigError`` naming the file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found; copy newswatch.example.toml to {path} "
                          "or pass --config") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    return parse_toml(text, str(path)), text


def parse_toml(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        msg = re.sub(r"\s*\(at line.*\)", "", str(exc))
        loc = f"{where}:{m.group(1)}:{m.group(2)}" if m else where
        raise ConfigError(f"{loc}: TOML syntax error: {msg}") from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively; no configuration nests this deep.
        raise ConfigError(f"{where}:{_deepest_line(text)}: arrays or inline tables nested too deeply "
                          "to be a configuration") from None


def _deepest_line(text: str) -> int:
    depth = deepest = 0
    line = at = 1
    for ch in text:
        if ch == "\n":
            line += 1
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest, at = depth, line
        elif ch in "]}":
            depth -= 1
    return at


def key_lines(text: str) -> dict[str, int]:
    """Map dotted key paths (with [i] for arrays of tables) to the line that defines them.

    Inline tables and arrays are located at the line of their key.
    """
    lines: dict[str, int] = {}
    counters: dict[str, int] = {}
    table = ""
    for no, raw in enumerate(text.splitlines(), 1):
        m = _HEADER.match(raw)
        if m:
            name = m.group(2).replace('"', "").replace("'", "")
            resolved = _resolve_prefix(name, counters)
            if m.group(1) == "[[":
                idx = counters.get(resolved, -1) + 1
                counters[resolved] = idx
                table = f"{resolved}[{idx}]"
            else:
                table = resolved
            lines.setdefault(table, no)
            continue
        m = _ASSIGN.match(raw)
        if m:
            key = m.group(1).replace('"', "").replace("'", "")
            lines.setdefault(f"{table}.{key}" if table else key, no)
    return lines


def _resolve_prefix(name: str, counters: dict[str, int]) -> str:
    """``watchlists.trade.entries`` inside the 2nd ``[[sources]]`` etc.: add current array indexes."""
    parts = name.split(".")
    out: list[str] = []
    for part in parts:
        out.append(part)
        joined = ".".join(out)
        if joined in counters and joined != name:
            out[-1] = f"{part}[{counters[joined]}]"
            out = [".".join(out)]
    return ".".join(out)


class Reporter:
    """Builds located errors: ``file:line: key.path: message`` (the line of the key, else of its table)."""

    def __init__(self, path: Path | None, text: str) -> None:
        self.path = path
        self.lines = key_lines(text) if text else {}

    def error(self, key: str, message: str) -> ConfigError:
        where = str(self.path) if self.path else "<config>"
        line = self._line_for(key)
        loc = f"{where}:{line}" if line else where
        return ConfigError(f"{loc}: {key}: {message}")

    def _line_for(self, key: str) -> int | None:
        probe = key
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return None
