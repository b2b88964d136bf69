"""How loaders read files and report bad input: raise, or hand to `on_error` and go on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pvkg.errors import InputError
from pvkg.problems import ErrorHandler, report


def iter_lines(path: Path, on_error: ErrorHandler | None) -> Iterator[tuple[int, str]]:
    """Yield (line number, line without its end) for each non-blank line, streaming.

    Lines are decoded one by one, so a bad byte costs its line, not the rest of the file.
    """
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror}", file=path) from exc
    with handle:
        for line_no, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                reason = f"not UTF-8 (byte {exc.start}: {exc.reason})"
                report(InputError(reason, file=path, line=line_no), on_error)
                continue
            if line.strip():
                yield line_no, line


def read_text(path: Path) -> str:
    """A whole UTF-8 file with its line endings kept as they are (offsets count them)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror}", file=path) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 (byte {exc.start}: {exc.reason})", file=path) from exc
