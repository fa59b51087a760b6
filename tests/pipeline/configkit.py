"""TOML config pieces for the tests that run ``newswatch`` in a subprocess with one watched person.

The kill, worker and two-stage tests all watch "Ana Reis" and send alerts to one webhook; each test
composes the sections it needs instead of carrying its own copy of the same block.
"""

from __future__ import annotations

import json
from pathlib import Path

WATCH_ANA_REIS = """[[watchlists.people.entries]]
id = "ana-reis"
name = "Ana Reis"
type = "person"
"""


def alert(name: str, *, channel: str | None = "hook", **fields: str | int | list[str]) -> str:
    """An ``[[alerts]]`` table on the people watchlist; strings and lists are written as JSON, which
    TOML reads the same for these plain values."""
    lines = ["[[alerts]]", f"name = {json.dumps(name)}", 'watchlist = "people"']
    lines += [f"{key} = {json.dumps(value)}" for key, value in fields.items()]
    if channel:
        lines.append(f"channels = [{json.dumps(channel)}]")
    return "\n".join(lines) + "\n"


def webhook_channel(url: str, name: str = "hook") -> str:
    return f'[[channels]]\nname = "{name}"\ntype = "webhook"\nurl = "{url}"\n'


def mention_and_visit_alerts(hook_url: str) -> list[str]:
    """The fast-path mention alert and the visit alert that has to wait for analysis, both to the webhook."""
    return [alert("ana-news"), alert("ana-visits", type="event", event_types=["official_visit"]),
            webhook_channel(hook_url)]


def write_config(tmp_path: Path, *sections: str) -> Path:
    """``newswatch.toml`` in ``tmp_path``: ``data_dir = "data"``, ``sections`` (tables such as
    ``[workers]`` or ``[[alerts]]``) and the watched person."""
    cfg = tmp_path / "newswatch.toml"
    cfg.write_text("\n".join(['data_dir = "data"', *sections, WATCH_ANA_REIS]), encoding="utf-8")
    return cfg
