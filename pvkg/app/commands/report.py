"""`pvkg report`: the self-contained HTML signal report of a graph store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.options import StoreOptions
from pvkg.app.commands.flags import from_options
from pvkg.app.commands.graph import err
from pvkg.app.reporting.options import ReportOptions


@from_options("connection", StoreOptions)
@from_options("options", ReportOptions)
def report(
    connection: StoreOptions,
    options: ReportOptions,
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path(
        "report.html"
    ),
) -> None:
    """Write the HTML signal report: table, forest plot, effect plot, evidence sentences."""
    from pvkg.app.reporting import write_report

    summary = write_report(connection.store, output, options, user=connection.user,
                           password=connection.password)  # fmt: skip
    err.print(
        f"wrote {summary.output} ({summary.bytes / 1024:,.0f} KiB): {summary.pairs} pairs, "
        f"{summary.signals} signals, {summary.sentences} evidence sentences for "
        f"{summary.evidence_sections} of them",
        markup=False,
    )
