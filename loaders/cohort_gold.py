"""Gold cohorts: a CSV of `patient`, `criterion` (a criterion id, or `phenotype` for the
whole phenotype) and `label` (1/0, true/false, yes/no, met/not met), one judgement a row;
or reviewed Label Studio tasks (`read_reviewed`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from loaders._rows import csv_rows, with_header
from pvkg.errors import InputError
from pvkg.problems import ErrorHandler, report

COLUMNS = ("patient", "criterion", "label")
_TRUE = frozenset({"1", "true", "yes", "met", "y"})
_FALSE = frozenset({"0", "false", "no", "not met", "n", "unmet"})


def read_cohort_gold(
    path: str | Path, on_error: ErrorHandler | None = None
) -> dict[tuple[str, str], bool]:
    """(patient, criterion) → label; a bad or repeated row is reported and left out."""
    path = Path(path)
    _, rows = with_header(csv_rows(path, on_error), path, COLUMNS, on_error)
    labels: dict[tuple[str, str], bool] = {}
    for line, row in rows:
        key = (row["patient"].strip(), row["criterion"].strip())
        label = row["label"].strip().casefold()
        if not all(key) or label not in _TRUE | _FALSE:
            report(InputError(f"bad row (label {row['label']!r})", file=path, line=line),
                   on_error)  # fmt: skip
        elif key in labels:
            report(InputError(f"{key[0]} / {key[1]} labelled twice", file=path, line=line),
                   on_error)  # fmt: skip
        else:
            labels[key] = label in _TRUE
    return labels


def read_reviewed(
    path: str | Path, on_error: ErrorHandler | None = None
) -> dict[tuple[str, str], bool]:
    """Gold labels from a Label Studio JSON export of phenotype review tasks (made by
    `extract.phenotype.review`): each task's latest annotation's choice, met or not met;
    tasks nobody annotated are left out."""
    path = Path(path)
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not a Label Studio JSON export: {exc}", file=path) from exc
    if not isinstance(tasks, list):
        raise InputError("not a Label Studio JSON export: expected a list of tasks", file=path)
    labels: dict[tuple[str, str], bool] = {}
    for number, task in enumerate(tasks, start=1):
        try:
            labels.update(_reviewed(task))
        except (KeyError, TypeError, IndexError, ValueError) as exc:
            report(InputError(f"task {number}: {exc!r} missing or malformed", file=path),
                   on_error)  # fmt: skip
    return labels


def _reviewed(task: dict[str, Any]) -> dict[tuple[str, str], bool]:
    annotations = [a for a in task.get("annotations", []) if not a.get("was_cancelled")]
    if not annotations:
        return {}
    choice = next(r for r in annotations[-1]["result"] if r["type"] == "choices")
    value = choice["value"]["choices"][0].casefold()
    if value not in _TRUE | _FALSE:
        raise ValueError(f"choice {value!r}")
    return {(str(task["data"]["patient"]), str(task["data"]["criterion"])): value in _TRUE}
