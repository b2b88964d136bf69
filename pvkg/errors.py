"""The one exception tree of pvkg.

Every error that crosses a package boundary is a `PvkgError`; driver, HTTP and file errors
are translated where they enter our code so the CLI can print one line and a hint.
"""

from __future__ import annotations

from pathlib import Path


class PvkgError(Exception):
    """Root of every error pvkg raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class InputError(PvkgError):
    """Bad input data, located by file and line where known."""

    def __init__(
        self,
        reason: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.line = line
        self.reason = reason
        super().__init__(self._locate(), hint=hint)

    def _locate(self) -> str:
        if self.file is None:
            return self.reason
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.reason}"


class TerminologyError(PvkgError):
    """A terminology release or index cannot be read or built."""


class ExtractionError(PvkgError):
    """An extractor failed in a way the run cannot recover from."""


class StoreError(PvkgError):
    """The graph store refused, dropped or corrupted an operation."""


class ConfigError(PvkgError):
    """Options or configuration files are invalid or inconsistent."""

    exit_code = 2
