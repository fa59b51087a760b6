"""Config loading: every problem names the file, the line and the key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ConfigError, find_config, load_config, resolve_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "newswatch.example.toml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "newswatch.toml"
    p.write_text(text, encoding="utf-8")
    return p


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    return str(info.value)


def test_example_config_loads_with_multilingual_aliases() -> None:
    config = load_config(ROOT / "newswatch.example.toml")
    veltrix = next(e for e in config.watch_entries() if e.id == "veltrix")
    assert ("维创移动", "zh") in {(a.text, a.lang) for a in veltrix.aliases}
    assert config.storage_url.endswith("newswatch-data/newswatch.db")
    assert {s.type for s in config.sources} == {"sitemap", "feed", "listing", "mastodon"}


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    msg = error_of(tmp_path, 'data_dir = "x"\n[storage\nurl = "y"\n')
    assert "newswatch.toml:2" in msg and "syntax" in msg


def test_unknown_key_names_line_and_key_path(tmp_path: Path) -> None:
    text = EXAMPLE.replace("max_pages = 20", "max_pagez = 20")
    line = text.splitlines().index("max_pagez = 20") + 1
    msg = error_of(tmp_path, text)
    assert f"newswatch.toml:{line}: sources[2].max_pagez: unknown key" in msg


def test_wrong_type_names_line_and_key(tmp_path: Path) -> None:
    text = EXAMPLE.replace("port = 25", 'port = "25"')
    line = text.splitlines().index('port = "25"') + 1
    msg = error_of(tmp_path, text)
    assert f":{line}: smtp.port: expected an integer" in msg


def test_bad_alias_language_names_the_alias(tmp_path: Path) -> None:
    text = EXAMPLE.replace('{ text = "维创移动", lang = "zh" }', '{ text = "维创移动", lang = "chinese" }')
    msg = error_of(tmp_path, text)
    assert "watchlists.trade.entries[0].aliases[1].lang" in msg and "ISO 639-1" in msg


def test_missing_required_field(tmp_path: Path) -> None:
    text = EXAMPLE.replace('id = "nova-7"\n', "")
    msg = error_of(tmp_path, text)
    assert "watchlists.trade.entries[1].id: missing required key" in msg


def test_alert_rule_must_name_known_watchlist_and_entities(tmp_path: Path) -> None:
    msg = error_of(tmp_path, EXAMPLE.replace('entity_ids = ["helena-duarte"]', 'entity_ids = ["nobody"]'))
    assert "alerts[0].entity_ids[0]" in msg


def test_inline_secret_is_refused(tmp_path: Path) -> None:
    msg = error_of(tmp_path, EXAMPLE.replace('sender = "newswatch@example.org"',
                                             'sender = "newswatch@example.org"\npassword = "hunter2"'))
    assert "smtp.password: unknown key" in msg


def test_secret_comes_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = EXAMPLE.replace("# username_env", "username_env").replace("# password_env", "password_env")
    config = load_config(write(tmp_path, text))
    monkeypatch.setenv("NEWSWATCH_SMTP_USER", "ann")
    monkeypatch.setenv("NEWSWATCH_SMTP_PASSWORD", "s3cret")
    assert config.smtp.credentials() == ("ann", "s3cret")


def test_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found; copy newswatch.example.toml"):
        load_config(tmp_path / "nope.toml")


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_config(None, {}) is None
    write(tmp_path, "")
    assert find_config(None, {}) == tmp_path / "newswatch.toml"
    assert find_config(None, {"NEWSWATCH_CONFIG": "/x.toml"}) == Path("/x.toml")
    assert find_config("/y.toml", {"NEWSWATCH_CONFIG": "/x.toml"}) == Path("/y.toml")


def test_no_config_gives_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSWATCH_CONFIG", raising=False)
    config = resolve_config(None)
    assert config.path is None and config.storage_url.startswith("sqlite:///")
