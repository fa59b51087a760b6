"""From a TOML file (or a parsed table) to the typed ``Config``, every problem a located ``ConfigError``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.config.alerts import parse_alerts, parse_channels
from pipeline.config.model import Config
from pipeline.config.sections import (
    parse_api,
    parse_correlator,
    parse_crawl,
    parse_digest,
    parse_nlp,
    parse_scheduler,
    parse_smtp,
    parse_sources,
    parse_top,
    parse_workers,
)
from pipeline.config.toml_lines import Reporter, read_toml
from pipeline.config.watchlists import parse_watchlists


def parse_config(raw: dict[str, Any], path: Path | None = None, text: str = "") -> Config:
    """Validate a parsed TOML document and build the typed ``Config`` (``text`` gives the line numbers)."""
    rep = Reporter(path, text)
    data_dir, storage_url = parse_top(rep, raw, path)
    watchlists = parse_watchlists(rep, raw)
    channels = parse_channels(rep, raw)
    return Config(
        data_dir=data_dir, storage_url=storage_url, sources=parse_sources(rep, raw), watchlists=watchlists,
        alerts=parse_alerts(rep, raw, watchlists, channels), digest=parse_digest(rep, raw, watchlists),
        smtp=parse_smtp(rep, raw), nlp=parse_nlp(rep, raw), api=parse_api(rep, raw), path=path,
        channels=channels, scheduler=parse_scheduler(rep, raw, data_dir), correlator=parse_correlator(rep, raw),
        workers=parse_workers(rep, raw), crawl=parse_crawl(rep, raw),
    )


def load_config(path: str | Path) -> Config:
    """Read and validate one TOML file; every problem raises ``ConfigError`` naming file, line and key."""
    p = Path(path)
    raw, text = read_toml(p)
    return parse_config(raw, p, text)
