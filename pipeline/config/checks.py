"""Checking one table against its rows of the options table: keys, types, bounds, choices, one-line text."""

from __future__ import annotations

import unicodedata
from typing import Any

from pipeline.config.options import NUMBER, TABLE, TABLES, Option, keys_in, number_text, options_in
from pipeline.config.toml_lines import Reporter

_TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false", list: "an array", dict: "a table",
               float: "a number"}


def join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def check_keys(rep: Reporter, where: str, table: dict[str, Any], allowed: set[str], required: set[str]) -> None:
    for key in table:
        if key not in allowed:
            hint = ", ".join(sorted(allowed))
            raise rep.error(join(where, key), f"unknown key (allowed here: {hint})")
    for key in sorted(required):
        if key not in table:
            raise rep.error(join(where, key), "missing required key")


def read_section(rep: Reporter, where: str, table: dict[str, Any], section: str) -> dict[str, Any]:
    """The checked values of ``table`` (at key path ``where``) by option name, for the keys it sets.

    Tables below the section are left to its parser; values of its own rows are checked here.
    """
    rows = options_in(section)
    check_keys(rep, where, table, keys_in(section), {o.name for o in rows if o.required})
    return {o.name: check_value(rep, join(where, o.name), table[o.name], o) for o in rows if o.name in table}


def owner_fields(section: str, values: dict[str, Any], owner: type) -> dict[str, Any]:
    """``values`` of ``section`` as keyword arguments of ``owner`` (TOML names mapped to its fields)."""
    return {o.attr: values[o.name] for o in options_in(section) if o.owner is owner and o.name in values}


def check_value(rep: Reporter, key: str, value: Any, opt: Option) -> Any:
    if opt.kind in (TABLES, TABLE):
        return value  # checked by the section's parser, row by row
    assert not isinstance(opt.kind, str)
    value = expect(rep, key, value, opt.kind)
    if isinstance(value, str):
        check_text(rep, key, value, opt.multiline)
        if opt.choices and value not in opt.choices:
            raise rep.error(key, f"expected one of {', '.join(opt.choices)}, got {value!r}")
    elif isinstance(value, list) and opt.items is not None:
        for i, item in enumerate(value):
            item = expect(rep, f"{key}[{i}]", item, opt.items)
            if isinstance(item, str):
                check_text(rep, f"{key}[{i}]", item, False)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        check_bounds(rep, key, value, opt)
        if opt.kind == NUMBER:
            value = float(value)
    return value


def expect(rep: Reporter, key: str, value: Any, kind: type | tuple[type, ...]) -> Any:
    """``value`` when it has the TOML type ``kind`` (a boolean is no number), else a located error."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if not ok:
        names = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
        if kinds == NUMBER:
            names = "a number"
        raise rep.error(key, f"expected {names}, got {type(value).__name__} {value!r}")
    return value


def check_text(rep: Reporter, key: str, value: str, multiline: bool) -> None:
    """One-line values go into mail headers, URLs and log lines: a CR or LF there breaks or forges them."""
    for ch in value:
        if multiline and ch in "\n\t":
            continue
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp") and ch != "\t":
            name = unicodedata.name(ch, "") or {"\r": "carriage return", "\n": "line feed"}.get(ch, "control")
            raise rep.error(key, f"control character U+{ord(ch):04X} ({name.lower()}) is not allowed here; "
                                 "write the value on one line")


def check_bounds(rep: Reporter, key: str, value: float, opt: Option) -> None:
    low_ok = (opt.low is None or value >= opt.low) and (opt.above is None or value > opt.above)
    high_ok = opt.high is None or value <= opt.high
    if not (low_ok and high_ok):
        raise rep.error(key, f"expected {_range_words(opt)}, got {value}")


def _range_words(opt: Option) -> str:
    what = "an integer" if opt.kind is int else "a number"
    if opt.above is not None:
        lower = f"above {number_text(opt.above)}"
    elif opt.low is not None:
        lower = f"of at least {number_text(opt.low)}" if opt.high is None else f"from {number_text(opt.low)}"
    else:
        lower = ""
    if opt.high is None:
        return f"{what} {lower}"
    if opt.low is not None and opt.above is None:
        return f"{what} {lower} to {number_text(opt.high)}"
    return f"{what} {lower} and at most {number_text(opt.high)}".replace("  ", " ")


def str_list(rep: Reporter, where: str, table: dict[str, Any], key: str) -> list[str]:
    """A list of one-line strings (outside the table of options: parsers of nested tables use it)."""
    values = expect(rep, join(where, key), table.get(key, []), list)
    for i, v in enumerate(values):
        check_text(rep, f"{join(where, key)}[{i}]", expect(rep, f"{join(where, key)}[{i}]", v, str), False)
    return list(values)


def table_list(rep: Reporter, where: str, table: dict[str, Any], key: str) -> list[dict[str, Any]]:
    values = expect(rep, join(where, key), table.get(key, []), list)
    for i, v in enumerate(values):
        if not isinstance(v, dict):
            raise rep.error(f"{join(where, key)}[{i}]", f"expected a table, got {type(v).__name__}")
    return list(values)


def subtable(rep: Reporter, where: str, table: dict[str, Any], key: str) -> dict[str, Any]:
    value = expect(rep, join(where, key), table.get(key, {}), dict)
    return dict(value)
