"""Streaming JSONL reading and writing of pvkg records.

A bad line is reported with its file and line number; with `on_error` set the reader
reports it and goes on, otherwise it raises `InputError`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pvkg.errors import InputError
from pvkg.problems import ErrorHandler, report
from pvkg.textfiles import non_blank_lines

M = TypeVar("M", bound=BaseModel)


def read_jsonl(
    path: str | Path,
    model: type[M],
    *,
    on_error: ErrorHandler | None = None,
    context: Mapping[str, Any] | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> Iterator[M]:
    """Yield one `model` per non-blank line of `path`, validated on the way in.

    `defaults` fills top-level fields a line leaves out, so files from other tools can skip
    fields the model requires (such as provenance) without the model growing defaults.
    """
    for _, record in read_jsonl_numbered(path, model, on_error=on_error, context=context,
                                         defaults=defaults):  # fmt: skip
        yield record


def read_jsonl_numbered(
    path: str | Path,
    model: type[M],
    *,
    on_error: ErrorHandler | None = None,
    context: Mapping[str, Any] | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> Iterator[tuple[int, M]]:
    """As `read_jsonl`, each record with its line number, for checks made after parsing
    that must still point at the line."""
    path = Path(path)
    for line_no, line in non_blank_lines(path, on_error):
        try:
            yield line_no, _parse(line, model, context, defaults)
        except InputError as exc:
            report(InputError(exc.reason, file=path, line=line_no), on_error)


def _parse(
    line: str,
    model: type[M],
    context: Mapping[str, Any] | None,
    defaults: Mapping[str, Any] | None,
) -> M:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON ({exc.msg} at column {exc.colno})") from exc
    if defaults and isinstance(data, dict):
        data = {**defaults, **data}
    try:
        return model.model_validate(data, context=dict(context) if context else None)
    except ValidationError as exc:
        raise InputError(f"invalid {model.__name__}: {_summarize(exc)}") from exc


def _summarize(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def write_jsonl(path: str | Path, records: Iterable[BaseModel]) -> int:
    """Write records one per line (streaming) and return how many were written."""
    count = 0
    with Path(path).open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(record.model_dump_json(exclude_none=False))
            handle.write("\n")
            count += 1
    return count
