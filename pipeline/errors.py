"""Errors every room of ``pipeline`` may raise and the CLI maps to exit codes.

They live here, below the CLI and the rooms, so that a command handler, the web API and the demo
raise the same class without importing the CLI (which imports them).
"""

from __future__ import annotations


class UsageError(Exception):
    """A problem with how the command was called; exit code 2."""
