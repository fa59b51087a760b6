"""``[watchlists.NAME]``: entries with ids unique across lists, and names or aliases that link to one entry only."""

from __future__ import annotations

import re
from typing import Any

from pipeline.config.checks import expect, read_section, subtable, table_list
from pipeline.config.model import Watchlist
from pipeline.config.toml_lines import Reporter
from storage.models import Alias, WatchEntry

LANG_RE = re.compile(r"^[a-z]{2}$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


def parse_watchlists(rep: Reporter, raw: dict[str, Any]) -> dict[str, Watchlist]:
    out: dict[str, Watchlist] = {}
    ids: dict[str, str] = {}
    names: dict[str, tuple[str, str]] = {}  # folded name or alias -> (entry id, key path) that claims it
    for wl_name, wl in subtable(rep, "", raw, "watchlists").items():
        w = f"watchlists.{wl_name}"
        expect(rep, w, wl, dict)
        values = read_section(rep, w, wl, "watchlists.*")
        entries: list[WatchEntry] = []
        for i, e in enumerate(table_list(rep, w, wl, "entries")):
            we = f"{w}.entries[{i}]"
            ev = read_section(rep, we, e, "watchlists.*.entries[]")
            eid = ev["id"]
            if not ID_RE.match(eid):
                raise rep.error(f"{we}.id", f"expected lowercase letters, digits, '-', '_' or '.', got {eid!r}")
            if eid in ids and ids[eid] != wl_name:
                raise rep.error(f"{we}.id", f"id {eid!r} is already used in watchlists.{ids[eid]}")
            ids[eid] = wl_name
            aliases = [_alias(rep, f"{we}.aliases[{j}]", a) for j, a in enumerate(ev.get("aliases", []))]
            _claim_names(rep, names, eid, we, ev["name"], aliases)
            country = ev.get("country")
            if country is not None and not COUNTRY_RE.match(country):
                raise rep.error(f"{we}.country", f"expected an ISO 3166 alpha-2 code such as 'BR', got {country!r}")
            entries.append(WatchEntry(id=eid, name=ev["name"], type=ev["type"], aliases=aliases, country=country,
                                      role=ev.get("role"), watchlist=wl_name))
        out[wl_name] = Watchlist(name=wl_name, description=values.get("description", ""), entries=entries)
    return out


def _alias(rep: Reporter, where: str, value: Any) -> Alias:
    if isinstance(value, str):
        return Alias(text=value)
    if not isinstance(value, dict):
        raise rep.error(where, f"expected a table {{text, lang}} or a string, got {type(value).__name__}")
    av = read_section(rep, where, value, "watchlists.*.entries[].aliases[]")
    lang = av.get("lang")
    if lang is not None and not LANG_RE.match(lang):
        raise rep.error(f"{where}.lang", f"expected an ISO 639-1 code such as 'en' or 'zh', got {lang!r}")
    if not av["text"].strip():
        raise rep.error(f"{where}.text", "alias text is empty")
    return Alias(text=av["text"], lang=lang)


def _claim_names(rep: Reporter, names: dict[str, tuple[str, str]], eid: str, where: str, name: str,
                 aliases: list[Alias]) -> None:
    """Names and aliases are matched case-insensitively, so each may belong to one entry only, once."""
    own: set[str] = set()
    for j, text in [(-1, name), *enumerate(a.text for a in aliases)]:
        key = " ".join(text.split()).casefold()
        path = f"{where}.name" if j < 0 else f"{where}.aliases[{j}]"
        other = names.get(key)
        if other is not None and other[0] != eid:
            raise rep.error(path, f"{text!r} is also a name or alias of {other[0]!r} ({other[1]}): "
                                  "a mention could not be linked to one entry; keep it on one entry only")
        if key in own and j >= 0 and key != " ".join(name.split()).casefold():
            raise rep.error(path, f"duplicate alias {text!r} in the same entry; remove the repeat")
        own.add(key)
        names.setdefault(key, (eid, path))
