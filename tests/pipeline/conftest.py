from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.config import Config, load_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def example_config() -> Config:
    return load_config(ROOT / "newswatch.example.toml")


@pytest.fixture(scope="session")
def analyzer(example_config: Config):
    from pipeline.components import make_analyzer

    return make_analyzer(example_config)


@pytest.fixture
def config(tmp_path: Path, example_config: Config) -> Config:
    """The example config, pointed at a fresh data directory."""
    return Config(data_dir=tmp_path / "data", sources=example_config.sources, watchlists=example_config.watchlists,
                  alerts=example_config.alerts, digest=example_config.digest, smtp=replace(example_config.smtp),
                  nlp=example_config.nlp)
