"""docs/configuration.md, generated from the table of options: ``python -m pipeline.config.reference``.

A test compares the committed file with this rendering, so the reference cannot drift from the code.
"""

from __future__ import annotations

import sys

from pipeline.config.options import OPTIONS, SECTIONS, TABLE, TABLES, Option

_HEADER = """# Configuration reference

newswatch reads `newswatch.toml`, found in this order: `--config PATH`, `$NEWSWATCH_CONFIG`,
`./newswatch.toml`, else the built-in defaults below (every command works without a file). Every key is
checked when the file is loaded; a problem stops the command with exit code 2 and a message naming the
file, the line and the key path, e.g. `newswatch.toml:14: smtp.port: expected an integer from 1 to 65535,
got -1`. Text values are one line (no control characters) unless noted. Secrets never go in the file:
keys ending in `_env` name environment variables. `newswatch.example.toml` is a commented example.

This page is generated from `pipeline/config/options.py`
(`python -m pipeline.config.reference > docs/configuration.md`); do not edit it by hand.
"""


_TYPE_NAMES: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean",
                                list: "array of strings"}


def _type_text(opt: Option) -> str:
    if opt.kind is list and opt.items is None:
        return "array of strings or tables"
    if isinstance(opt.kind, str):
        return {TABLES: "array of tables", TABLE: "table"}[opt.kind]
    kinds = opt.kind if isinstance(opt.kind, tuple) else (opt.kind,)
    return "number" if float in kinds else _TYPE_NAMES[kinds[0]]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _heading(section: str) -> str:
    if not section:
        return "Top level"
    parts = section.replace("*", "NAME").split(".")
    if section.endswith("[]"):
        return f"[[{'.'.join(parts).removesuffix('[]').replace('[]', '')}]]"
    return f"[{'.'.join(parts).replace('[]', '')}]"


def render_reference() -> str:
    """The whole page, one table per TOML table, keys in the order of the table of options."""
    out = [_HEADER]
    seen: list[str] = []
    for opt in OPTIONS:
        if opt.section not in seen:
            seen.append(opt.section)
    for section in seen:
        out.append(f"\n## {_heading(section)}\n")
        if section in SECTIONS:
            out.append(f"{SECTIONS[section]}\n")
        out.append("\n| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n")
        for opt in OPTIONS:
            if opt.section != section:
                continue
            cells = (f"`{opt.name}`", _type_text(opt), _cell(opt.default_text()), _cell(opt.bounds_text()),
                     _cell(opt.help + (" Several lines allowed." if opt.multiline else "")))
            out.append("| " + " | ".join(cells) + " |\n")
    return "".join(out)


if __name__ == "__main__":
    sys.stdout.write(render_reference())
