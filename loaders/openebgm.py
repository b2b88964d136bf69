"""openEBGM-style CSV (``id,var1,var2[,strat...]``) to CaseReports.

One row per report id, product (var1) and event (var2); as in openEBGM, every column whose
name contains ``strat`` is a stratification variable. Rows of one id need not be adjacent,
so the reader holds every id's products, events and strata until the file ends, then
yields one CaseReport per id in first-seen order: memory grows with the file (a few MB for
CAERS' 20,000 rows).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from loaders._rows import csv_rows, with_header
from pvkg.errors import InputError
from pvkg.problems import ErrorHandler, report
from pvkg.records import CaseReport, ReportedDrug, ReportedEvent

REQUIRED = ("id", "var1", "var2")


@dataclass
class _Report:
    products: dict[str, None] = field(default_factory=dict)  # an ordered set
    events: dict[str, None] = field(default_factory=dict)
    strata: dict[str, str] = field(default_factory=dict)


def read_openebgm_csv(
    path: str | Path,
    *,
    source: str = "openebgm",
    on_error: ErrorHandler | None = None,
) -> Iterator[CaseReport]:
    """Yield one CaseReport per id; bad rows go to ``on_error`` or raise `InputError`."""
    path = Path(path)
    header, rows = with_header(csv_rows(path, on_error), path, REQUIRED, on_error)
    strata_columns = [name for name in header if "strat" in name]
    reports: dict[str, _Report] = {}
    for line_no, row in rows:
        try:
            _add_row(reports, row, strata_columns)
        except InputError as exc:
            report(InputError(exc.reason, file=path, line=line_no), on_error)
    for report_id, found in reports.items():
        yield CaseReport(
            id=report_id,
            source=source,
            strata=found.strata,
            drugs=tuple(ReportedDrug(name=name) for name in found.products),
            events=tuple(ReportedEvent(name=name) for name in found.events),
        )


def _add_row(reports: dict[str, _Report], row: dict[str, str], strata_columns: list[str]) -> None:
    report_id, product, event = row["id"].strip(), row["var1"], row["var2"]
    empty = [name for name in REQUIRED if not row[name].strip()]
    if empty:
        raise InputError(f"empty {', '.join(empty)}")
    strata = {name: row[name].strip() for name in strata_columns}
    report = reports.get(report_id)
    if report is None:
        report = reports[report_id] = _Report(strata=strata)
    elif report.strata != strata:
        raise InputError(f"id {report_id} has strata {report.strata} earlier, {strata} here")
    report.products[product] = None
    report.events[event] = None
