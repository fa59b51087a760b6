"""Config loading: every problem names the file, the line and the key path; the loader keeps each component's
defaults, validates ranges, and the reference in docs/ is generated from the same table of options."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from crawlers.sources import DEFAULTS as SOURCE_DEFAULTS
from crawlers.sources import SOURCE_TYPES, normalize_sources
from pipeline.cli import main
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


# ---------------------------------------------------------------- one source of truth: the table of options


def source(stype: str, extra: str = "") -> str:
    return f'[[sources]]\nname = "s-{stype}"\ntype = "{stype}"\nurl = "https://{stype}.test/x"\n{extra}'


@pytest.mark.parametrize("stype", SOURCE_TYPES)
def test_configured_source_keeps_the_crawler_defaults_of_its_type(tmp_path: Path, stype: str) -> None:
    config = load_config(write(tmp_path, source(stype)))
    spec = normalize_sources([config.sources[0].to_spec()])[0]
    for key, default in SOURCE_DEFAULTS[stype].items():
        assert spec[key] == default, key


def test_listing_source_accepts_max_items(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, source("listing", "max_items = 40\nmax_pages = 3\n")))
    spec = normalize_sources([config.sources[0].to_spec()])[0]
    assert (spec["max_items"], spec["max_pages"]) == (40, 3)


def test_nlp_and_correlator_defaults_are_the_components_own(tmp_path: Path) -> None:
    from nlp.settings import AnalyzerSettings
    from pipeline.correlator import CorrelatorSettings

    config = load_config(write(tmp_path, ""))
    assert config.nlp == AnalyzerSettings()
    assert config.correlator == CorrelatorSettings()


def test_configured_nlp_options_reach_the_analyzer_settings(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[nlp]\nmodel = "xx_model"\nbatch_size = 8\nstance_backend = "lexicon"\n'))
    assert (config.nlp.spacy_model, config.nlp.batch_size, config.nlp.stance_backend) == ("xx_model", 8, "lexicon")


@pytest.mark.parametrize(("text", "where"), [
    ('[digest]\ntitle = "Daily\\r\\nBcc: all@example.org"\n', "newswatch.toml:2: digest.title: "),
    ("[smtp]\nport = -1\n", "newswatch.toml:2: smtp.port: "),
    ("[smtp]\nport = 70000\n", "newswatch.toml:2: smtp.port: "),
    ("[smtp]\ntimeout_s = 0\n", "newswatch.toml:2: smtp.timeout_s: "),
    ("[digest]\nmax_items = -3\n", "newswatch.toml:2: digest.max_items: "),
    ('[smtp]\nhost = "mail\\nexample"\n', "newswatch.toml:2: smtp.host: "),
    (source("feed", "max_pages = -5\n"), "newswatch.toml:5: sources[0].max_pages: "),
    (source("listing", "max_items = 0\n"), "newswatch.toml:5: sources[0].max_items: "),
    ("[nlp]\nbatch_size = 0\n", "newswatch.toml:2: nlp.batch_size: "),
    ("[correlator]\nsurge_window_days = -1\n", "newswatch.toml:2: correlator.surge_window_days: "),
])
def test_out_of_range_or_control_characters_name_file_line_and_key(tmp_path: Path, text: str, where: str) -> None:
    assert where in error_of(tmp_path, text)


def test_deeply_nested_toml_is_a_config_error(tmp_path: Path) -> None:
    msg = error_of(tmp_path, "a = " + "[" * 5000 + "]" * 5000 + "\n")
    assert msg.startswith(f"{tmp_path / 'newswatch.toml'}:") and "nested" in msg


def test_deeply_nested_toml_exits_with_the_usage_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "a = " + "{b = " * 5000 + "1" + "}" * 5000 + "\n")
    assert main(["config", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "nested" in err and "please report it" not in err


def test_every_option_has_a_default_and_help() -> None:
    from pipeline.config.options import OPTIONS

    for opt in OPTIONS:
        assert opt.help.strip(), opt.key
        assert opt.default_text(), opt.key


def test_options_table_names_every_field_of_the_settings_it_fills() -> None:
    from pipeline.config.options import OPTIONS

    for owner in {o.owner for o in OPTIONS if o.owner is not None}:
        covered = {o.attr for o in OPTIONS if o.owner is owner}
        assert covered <= {f.name for f in dataclasses.fields(owner)}, owner


def test_committed_configuration_reference_matches_the_table() -> None:
    from pipeline.config.reference import render_reference

    committed = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == render_reference(), "run: python -m pipeline.config.reference > docs/configuration.md"


def test_crawl_table_shares_the_frontier_only_when_named(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).crawl.scrapy_settings() == {}  # default: the store's frontier
    config = load_config(write(tmp_path, '[crawl]\nredis_url = "redis://10.0.0.5:6379/2"\nname = "eu"\nlease_s = 30\n'))
    assert config.crawl.scrapy_settings() == {"NEWSWATCH_REDIS_URL": "redis://10.0.0.5:6379/2",
                                              "NEWSWATCH_CRAWL_NAME": "eu", "NEWSWATCH_LEASE_S": 30}
    message = error_of(tmp_path, '[crawl]\nredis_url = "http://10.0.0.5"\n')
    assert "newswatch.toml:2: crawl.redis_url" in message
    assert "crawl.name" in error_of(tmp_path, '[crawl]\nname = "a b"\n')
