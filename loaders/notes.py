"""Read notes to extract from: a folder of `.txt` files, a JSONL file or a CSV file.

- Folder: every `*.txt` below it, in path order; the id is the relative path without the
  suffix ("2024/discharge_101"). A file must be UTF-8 (a leading byte-order mark is dropped):
  one that is not is reported (file, reason) and skipped, never guessed at, because a wrong
  guess (Latin-1) silently garbles the words the extractors match.
- JSONL: one object per line with `id` and `text` (names configurable); a `metadata` object
  is kept as the note's metadata and every other key is added to it.
- CSV (RFC 4180, multi-line fields allowed, any field size): an id and a text column, found
  case-insensitively. Left unnamed, the id column is the first of id, note_id, row_id
  (MIMIC-IV note, MIMIC-III NOTEEVENTS) and the text column is `text`. Other columns go
  into metadata as strings. A record that is not UTF-8 is reported and skipped.

A note whose text is blank is reported and skipped, as is a second note with an id already
seen. Huge notes are kept whole: extractors process them sentence by sentence. Records are
read one at a time; a bad one is reported to `on_error` (or raised without it).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pvkg.errors import InputError
from pvkg.options import option, ref
from pvkg.problems import ErrorHandler, report
from pvkg.records import Note
from pvkg.textfiles import non_blank_lines, not_utf8, open_input

ID_COLUMNS = ("id", "note_id", "row_id")
TEXT_COLUMN = "text"
JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv",)
# MIMIC notes run to hundreds of kilobytes; the csv module's default limit is 128 KiB.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
_ESCAPED = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class NoteColumns:
    """Where a JSONL or CSV file keeps a note's id and text; None: the defaults above."""

    id_field: str | None = option(
        None,
        "Note id field (JSONL) or column (CSV); default id / note_id / row_id.",
        flag="--id-column",
    )
    text_field: str | None = option(
        None, "Note text field or column; default text.", flag="--text-column"
    )


def read_notes(
    path: str | Path,
    *,
    on_error: ErrorHandler | None = None,
    id_field: str | None = None,
    text_field: str | None = None,
) -> Iterator[Note]:
    """Yield the notes of a folder, JSONL or CSV file (see the module doc)."""
    path = Path(path)
    if path.is_dir():
        found: Iterator[tuple[Note, int | None]] = _folder(path, on_error)
    elif path.suffix.lower() in JSONL_SUFFIXES:
        found = _jsonl(path, id_field or "id", text_field or TEXT_COLUMN, on_error)
    elif path.suffix.lower() in CSV_SUFFIXES:
        found = _csv(path, id_field, text_field or TEXT_COLUMN, on_error)
    elif not path.exists():
        raise InputError("no such file or folder", file=path)
    else:
        raise InputError(
            f"unknown notes format {path.suffix!r}",
            file=path,
            hint="give a folder of .txt files, a .jsonl or a .csv file",
        )
    seen: set[str] = set()
    for note, line in found:
        reason = _rejected(note, seen)
        if reason is not None:
            report(InputError(reason, file=_where(path, note), line=line), on_error)
            continue
        seen.add(note.id)
        yield note


def _rejected(note: Note, seen: set[str]) -> str | None:
    if note.id in seen:
        return f"note {note.id!r}: id already used by an earlier note"
    if not note.text.strip():
        return f"note {note.id!r}: empty text"
    return None


def _where(path: Path, note: Note) -> Path:
    return path / f"{note.id}.txt" if path.is_dir() else path


def _folder(root: Path, on_error: ErrorHandler | None) -> Iterator[tuple[Note, int | None]]:
    for file in sorted(p for p in root.rglob("*.txt") if p.is_file()):
        note_id = file.relative_to(root).with_suffix("").as_posix()
        try:
            data = file.read_bytes()
        except OSError as exc:
            report(InputError(f"cannot read: {exc.strerror}", file=file), on_error)
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            report(InputError(not_utf8(exc), file=file), on_error)
            continue
        yield Note(id=note_id, text=text), None


def _jsonl(
    path: Path, id_field: str, text_field: str, on_error: ErrorHandler | None
) -> Iterator[tuple[Note, int | None]]:
    for line_no, line in non_blank_lines(path, on_error):
        try:
            yield _json_note(line, id_field, text_field), line_no
        except ValueError as exc:
            report(InputError(str(exc), file=path, line=line_no), on_error)


def _json_note(line: str, id_field: str, text_field: str) -> Note:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object")
    note_id, text = record.pop(id_field, None), record.pop(text_field, None)
    if not isinstance(note_id, str | int) or isinstance(note_id, bool) or note_id == "":
        raise ValueError(f"missing or bad {id_field!r} (a non-empty string or an integer)")
    if not isinstance(text, str):
        raise ValueError(f"note {note_id!r}: missing or bad {text_field!r} (a string)")
    metadata = record.pop("metadata", None)
    if metadata is not None and not isinstance(metadata, dict):
        raise ValueError(f"note {note_id!r}: 'metadata' is not an object")
    return Note(id=str(note_id), text=text, metadata={**(metadata or {}), **record})


def _csv(
    path: Path, id_field: str | None, text_field: str, on_error: ErrorHandler | None
) -> Iterator[tuple[Note, int | None]]:
    # Decoded here, not by line: a record's fields may span lines, and a bad byte costs the record.
    with io.TextIOWrapper(
        open_input(path), encoding="utf-8", errors="surrogateescape", newline=""
    ) as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise InputError("empty file: no header", file=path, line=1)
        id_at, text_at = _columns(path, header, id_field, text_field)
        line = reader.line_num + 1
        for fields in reader:
            if fields:
                yield from _csv_note(path, line, header, fields, (id_at, text_at), on_error)
            line = reader.line_num + 1


def _columns(
    path: Path, header: Sequence[str], id_field: str | None, text_field: str
) -> tuple[int, int]:
    names = [name.strip().lstrip("\ufeff").lower() for name in header]
    wanted_ids = (id_field.lower(),) if id_field else ID_COLUMNS
    id_at = next((names.index(n) for n in wanted_ids if n in names), None)
    text_at = names.index(text_field.lower()) if text_field.lower() in names else None
    if id_at is None or text_at is None:
        missing = " or ".join(wanted_ids) if id_at is None else text_field
        raise InputError(
            f"header lacks column {missing}",
            file=path,
            line=1,
            hint=f"name the columns with {ref(NoteColumns, 'id_field')} and "
            f"{ref(NoteColumns, 'text_field')}",
        )
    return id_at, text_at


def _csv_note(
    path: Path,
    line: int,
    header: Sequence[str],
    fields: list[str],
    at: tuple[int, int],
    on_error: ErrorHandler | None,
) -> Iterator[tuple[Note, int | None]]:
    if len(fields) != len(header):
        reason = f"expected {len(header)} fields, found {len(fields)}"
        report(InputError(reason, file=path, line=line), on_error)
        return
    if any(_undecodable(field) for field in fields):
        report(InputError("not UTF-8", file=path, line=line), on_error)
        return
    id_at, text_at = at
    if not fields[id_at].strip():
        report(InputError("empty note id", file=path, line=line), on_error)
        return
    metadata: dict[str, Any] = {
        name.strip().lstrip("\ufeff"): value
        for i, (name, value) in enumerate(zip(header, fields, strict=True))
        if i not in at
    }
    yield Note(id=fields[id_at].strip(), text=fields[text_at], metadata=metadata), line


def _undecodable(text: str) -> bool:
    """Whether decoding with surrogateescape had to escape a byte that is not UTF-8."""
    return _ESCAPED.search(text) is not None
