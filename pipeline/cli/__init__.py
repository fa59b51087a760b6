"""The `newswatch` command: argument parsing in main, one handler module per command (or small group)."""

from pipeline.cli.main import main

__all__ = ["main"]
