"""Input text files, read as bytes and decoded line by line, so a bad byte costs one line.

Every reader opens its files here, so a file that cannot be opened or decoded is reported in
the same words everywhere. Lines are numbered from 1, as editors count them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from pvkg.errors import InputError
from pvkg.problems import ErrorHandler, report

Progress = Callable[[int], None]
"""Told how many more bytes of the file were read."""
# Lines between progress calls: often enough for a bar, rare enough to cost nothing.
_PROGRESS_EVERY = 1 << 16


def open_input(path: Path) -> BinaryIO:
    """`path` opened for reading bytes, or an `InputError` saying why it cannot be."""
    try:
        return path.open("rb")
    except OSError as exc:
        raise _unopenable(path, exc) from exc


def read_lines(
    path: Path,
    on_error: ErrorHandler | None = None,
    *,
    fallback: str | None = None,
    progress: Progress | None = None,
) -> Iterator[tuple[int, str]]:
    """Yield (line number, line without its end) for each line of `path`, streaming.

    A line that is not UTF-8 is decoded with the `fallback` encoding where one is given,
    else reported to `on_error` and skipped.
    """
    with open_input(path) as handle:
        done = 0
        for line_no, raw in enumerate(handle, start=1):
            if progress is not None and not line_no % _PROGRESS_EVERY:
                progress(handle.tell() - done)
                done = handle.tell()
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                if fallback is None:
                    report(InputError(not_utf8(exc), file=path, line=line_no), on_error)
                    continue
                line = raw.decode(fallback)
            yield line_no, line.rstrip("\r\n")


def non_blank_lines(path: Path, on_error: ErrorHandler | None) -> Iterator[tuple[int, str]]:
    """The lines of `read_lines` that hold more than white space."""
    return ((line_no, line) for line_no, line in read_lines(path, on_error) if line.strip())


def read_text(path: Path) -> str:
    """A whole UTF-8 file with its line endings kept as they are (offsets count them)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unopenable(path, exc) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(not_utf8(exc), file=path) from exc


def not_utf8(exc: UnicodeDecodeError) -> str:
    """The reason given for bytes that do not decode as UTF-8."""
    return f"not UTF-8 (byte {exc.start}: {exc.reason})"


def _unopenable(path: Path, exc: OSError) -> InputError:
    return InputError(f"cannot open: {exc.strerror}", file=path)
