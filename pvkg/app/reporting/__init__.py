"""The self-contained HTML signal report (`pvkg report`). Names load on first use, so the
command line can read `ReportOptions` without the report's numpy and scipy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pvkg.lazy import lazy_names

if TYPE_CHECKING:
    from pvkg.app.reporting.options import ReportOptions
    from pvkg.app.reporting.write import ReportSummary, write_report

_HOMES = {"ReportOptions": "options", "ReportSummary": "write", "write_report": "write"}
__all__ = ["ReportOptions", "ReportSummary", "write_report"]

__getattr__ = lazy_names(__name__, _HOMES)
