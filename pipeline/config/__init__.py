"""newswatch.toml: load, validate once at the edge, hand typed settings to each component."""

from pipeline.config.sections import *  # noqa: F403
