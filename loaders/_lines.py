"""Record-level plumbing shared by the structured-report loaders.

Files are read as bytes and decoded line by line, so one bad byte costs one line, and every
record carries the number of the line it ends on.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterator
from pathlib import Path

from pvkg.errors import InputError
from pvkg.problems import ErrorHandler, report

Record = tuple[int, dict[str, str]]


def _raw_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror}", file=path) from exc
    with handle:
        for line_no, raw in enumerate(handle, start=1):
            yield line_no, raw.rstrip(b"\r\n")


def dollar_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """FDA's `$`-delimited ASCII: no quoting; UTF-8 where it decodes, else Latin-1."""
    for line_no, raw in _raw_lines(path):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")  # FDA files mix encodings; Latin-1 never fails
        yield line_no, text.split("$")


class _Utf8Lines:
    """Decoded lines for `csv.reader`, skipping (and reporting) lines that are not UTF-8."""

    def __init__(self, path: Path, on_error: ErrorHandler | None) -> None:
        self.path = path
        self.on_error = on_error
        self.line_no = 0
        self._lines = _raw_lines(path)

    def __iter__(self) -> Iterator[str]:
        for line_no, raw in self._lines:
            self.line_no = line_no
            try:
                yield raw.decode("utf-8") + "\n"
            except UnicodeDecodeError as exc:
                reason = f"not UTF-8 (byte {exc.start}: {exc.reason})"
                report(InputError(reason, file=self.path, line=self.line_no), self.on_error)


def csv_rows(path: Path, on_error: ErrorHandler | None) -> Iterator[tuple[int, list[str]]]:
    """Comma-separated, quoted as RFC 4180; line numbers are those a record ends on."""
    lines = _Utf8Lines(path, on_error)
    for fields in csv.reader(lines):
        yield lines.line_no, fields


def with_header(
    rows: Iterator[tuple[int, list[str]]],
    path: Path,
    required: Collection[str],
    on_error: ErrorHandler | None,
) -> tuple[list[str], Iterator[Record]]:
    """Read the header (lower-cased), check ``required`` columns, map later rows by name.

    A row with the wrong number of fields is reported and skipped; FDA's older files end
    each line with a spare `$`, which is dropped.
    """
    first = next(rows, None)
    if first is None:
        raise InputError("empty file: no header", file=path, line=1)
    header = [name.strip().lower() for name in first[1]]
    if header and header[-1] == "":
        header.pop()
    missing = [name for name in required if name not in header]
    if missing:
        raise InputError(f"header lacks column(s) {', '.join(missing)}", file=path, line=first[0])
    return header, _mapped(rows, header, path, on_error)


def _mapped(
    rows: Iterator[tuple[int, list[str]]],
    header: list[str],
    path: Path,
    on_error: ErrorHandler | None,
) -> Iterator[Record]:
    width = len(header)
    for line_no, fields in rows:
        if fields in ([], [""]):
            continue
        if len(fields) == width + 1 and fields[-1] == "":
            fields = fields[:-1]
        if len(fields) != width:
            reason = f"expected {width} fields, found {len(fields)}"
            report(InputError(reason, file=path, line=line_no), on_error)
            continue
        yield line_no, dict(zip(header, fields, strict=True))
