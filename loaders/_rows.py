"""Rows of the delimited tables the case-report loaders read: FDA's `$` files and CSV.

Files are read line by line (`pvkg.textfiles`), so one bad byte costs one line; rows are
mapped by the header's column names and carry the number of the line they end on.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Generator, Iterable, Iterator
from pathlib import Path

from pvkg.errors import InputError
from pvkg.problems import ErrorHandler, report
from pvkg.textfiles import read_lines

Record = tuple[int, dict[str, str]]


def dollar_rows(path: Path) -> Generator[tuple[int, list[str]], None, None]:
    """FDA's `$`-delimited ASCII: no quoting; UTF-8 where it decodes, else Latin-1."""
    # FDA files mix encodings; Latin-1 never fails, so no line is lost to a bad byte.
    for line_no, line in read_lines(path, fallback="latin-1"):
        yield line_no, line.split("$")


class _Numbered:
    """Lines for `csv.reader`, remembering the number of the last one it was given."""

    def __init__(self, lines: Iterator[tuple[int, str]]) -> None:
        self.line_no = 0
        self._lines = lines

    def __iter__(self) -> Iterator[str]:
        for line_no, line in self._lines:
            self.line_no = line_no
            yield line + "\n"


def csv_rows(path: Path, on_error: ErrorHandler | None) -> Iterator[tuple[int, list[str]]]:
    """Comma-separated, quoted as RFC 4180; line numbers are those a record ends on.

    A line that is not UTF-8 is reported and left out.
    """
    lines = _Numbered(read_lines(path, on_error))
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
    return header, map_rows(rows, header, path, on_error)


def map_rows(
    rows: Iterable[tuple[int, list[str]]],
    header: list[str],
    path: Path,
    on_error: ErrorHandler | None,
) -> Iterator[Record]:
    """Rows after the header, mapped by its names; bad widths reported (see `with_header`)."""
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
