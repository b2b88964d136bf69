"""The build's progress display (rich, on stderr): how far each file and SQL step got."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn


class Steps:
    """Progress on stderr: a byte bar per file read, a line per SQL step."""

    def __init__(self, enabled: bool) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            disable=not enabled,
        )

    def __enter__(self) -> Steps:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    @contextmanager
    def reading(self, path: Path) -> Iterator[Callable[[int], None]]:
        size = path.stat().st_size
        task = self._progress.add_task(path.name, total=size)

        def advance(n: int) -> None:
            self._progress.advance(task, n)

        yield advance
        self._progress.update(task, completed=size)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        task = self._progress.add_task(name, total=None)
        yield
        self._progress.update(task, total=1, completed=1)
