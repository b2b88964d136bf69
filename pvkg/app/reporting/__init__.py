"""The self-contained HTML signal report (`pvkg report`)."""

from pvkg.app.reporting.options import ReportOptions
from pvkg.app.reporting.write import ReportSummary, write_report

__all__ = ["ReportOptions", "ReportSummary", "write_report"]
