"""Progress on stderr for long work: a rich bar when stderr is a terminal, silence otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class Progress(Protocol):
    def advance(self, n: int = 1) -> None: ...

    def update(self, description: str) -> None: ...


class _Quiet:
    def advance(self, n: int = 1) -> None:
        return None

    def update(self, description: str) -> None:
        return None


class _Rich:
    def __init__(self, progress: Any, task: Any) -> None:
        self._progress = progress
        self._task = task

    def advance(self, n: int = 1) -> None:
        self._progress.advance(self._task, n)

    def update(self, description: str) -> None:
        self._progress.update(self._task, description=description)


@contextmanager
def progress(description: str, total: int | None = None, enabled: bool | None = None) -> Iterator[Progress]:
    """Yield a progress handle; shown only when stderr is a TTY (pipes and CI stay clean)."""
    show = sys.stderr.isatty() if enabled is None else enabled
    if not show:
        yield _Quiet()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as RichProgress

    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with RichProgress(*columns, console=Console(stderr=True), transient=True) as bar:
        yield _Rich(bar, bar.add_task(description, total=total))
