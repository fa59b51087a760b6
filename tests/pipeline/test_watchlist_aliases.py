"""Watchlist aliases are matched case-insensitively, so a name may belong to one entry only."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_config

BASE = """
[watchlists.firms]
entries = [
  {id = "acme", name = "Acme Tools", type = "org", aliases = ["Acme"]},
  {id = "orbit", name = "Orbit Foods", type = "org", aliases = ALIASES},
]
"""


def _load(tmp_path: Path, aliases: str):
    path = tmp_path / "newswatch.toml"
    path.write_text(BASE.replace("ALIASES", aliases), encoding="utf-8")
    return load_config(path)


def test_an_alias_claimed_by_two_entries_is_a_located_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, '["Orbit", "ACME"]')
    msg = str(info.value)
    assert "newswatch.toml:" in msg and "watchlists.firms.entries[1].aliases[1]" in msg
    assert "'acme'" in msg and "one entry only" in msg


def test_an_alias_repeated_in_one_entry_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="duplicate alias 'orbit'"):
        _load(tmp_path, '["Orbit", "orbit"]')


def test_an_alias_equal_to_the_entry_name_is_allowed(tmp_path: Path) -> None:
    config = _load(tmp_path, '["Orbit Foods", "Orbit"]')
    assert [e.id for e in config.watch_entries()] == ["acme", "orbit"]


def test_conflicting_alias_across_watchlists_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "newswatch.toml"
    path.write_text(BASE.replace("ALIASES", '["Orbit"]') + """
[watchlists.people]
entries = [{id = "orbit-ceo", name = "Orbit", type = "person"}]
""", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"watchlists\.people\.entries\[0\]\.name: 'Orbit' is also"):
        load_config(path)
