"""Which configuration a command runs with: the lookup order of the public contract (CONTRACTS.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pipeline.config.loader import load_config
from pipeline.config.model import Config

CONFIG_FILENAME = "newswatch.toml"


def find_config(explicit: str | None = None, env: Mapping[str, str] | None = None) -> Path | None:
    """``--config PATH``, then ``$NEWSWATCH_CONFIG``, then ``./newswatch.toml``; None: built-in defaults."""
    environ: Mapping[str, str] = os.environ if env is None else env
    if explicit:
        return Path(explicit)
    if environ.get("NEWSWATCH_CONFIG"):
        return Path(environ["NEWSWATCH_CONFIG"])
    local = Path.cwd() / CONFIG_FILENAME
    return local if local.exists() else None


def resolve_config(explicit: str | None = None) -> Config:
    """Load the config found by the lookup order, or built-in defaults when there is none."""
    path = find_config(explicit)
    if path is None:
        return Config()
    return load_config(path)
