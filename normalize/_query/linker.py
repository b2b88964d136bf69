"""What every linker shares: a context manager that closes it, and `link` as the best of
its `candidates`."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from normalize._common.kinds import Kind
from normalize._query.result import LinkResult


class Linker:
    """Base of the pvkg index and the QuickUMLS linker; subclasses give `candidates`."""

    def candidates(self, text: str, kind: Kind, k: int = 5) -> list[LinkResult]:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the linker holds open (nothing, unless a subclass says so)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def link(self, text: str, kind: Kind) -> LinkResult:
        """The best concept of `kind` for `text`, or a result with null concept fields."""
        found = self.candidates(text, kind, 1)
        return found[0] if found else LinkResult(text=text, kind=kind)
