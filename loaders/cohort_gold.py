"""A gold cohort CSV: `patient`, `criterion` (a criterion id, or `phenotype` for the whole
phenotype) and `label` (1/0, true/false, yes/no, met/not met), one judgement a row."""

from __future__ import annotations

from pathlib import Path

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
