"""`pvkg report`: the self-contained HTML signal report of a graph store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.methods import DEFAULT_METHODS
from pvkg.app.commands.graph import PasswordOption, StoreOption, UserOption, err
from pvkg.config import DEFAULT_STORE
from pvkg.errors import ConfigError


def report(
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path(
        "report.html"
    ),
    store: StoreOption = DEFAULT_STORE,
    method: Annotated[
        str, typer.Option(help="Comma-separated: prr, ror, ror_exact, ic, ebgm.")
    ] = ",".join(DEFAULT_METHODS),
    min_count: Annotated[int, typer.Option(min=1, help="Smallest a (reports) in the table.")] = 1,
    top: Annotated[
        int, typer.Option(min=1, help="Pairs in the forest plot; signals given evidence.")
    ] = 20,
    mode: Annotated[
        str, typer.Option(help="co-reported: drug and event in one report; causal: extracted.")
    ] = "co-reported",
    all_assertions: Annotated[
        bool, typer.Option(help="Also count negated, speculated and family-history findings.")
    ] = False,
    stratum: Annotated[
        str | None, typer.Option(help="Stratify expected counts by sex or age_group.")
    ] = None,
    user: UserOption = None,
    password: PasswordOption = None,
) -> None:
    """Write the HTML signal report: table, forest plot, effect plot, evidence sentences."""
    from kg.counts import CountOptions
    from pvkg.app.reporting import ReportOptions, write_report

    if mode not in ("co-reported", "causal"):
        raise ConfigError(f"unknown mode {mode!r}", hint="choose co-reported or causal")
    options = ReportOptions(
        methods=tuple(m.strip() for m in method.split(",") if m.strip()),
        min_count=min_count,
        top=top,
        counting=CountOptions(
            mode="causal" if mode == "causal" else "co-reported",
            all_assertions=all_assertions,
            stratum=stratum,
        ),
    )
    summary = write_report(store, output, options, user=user, password=password)
    err.print(
        f"wrote {summary.output} ({summary.bytes / 1024:,.0f} KiB): {summary.pairs} pairs, "
        f"{summary.signals} signals, {summary.sentences} evidence sentences for "
        f"{summary.evidence_sections} of them",
        markup=False,
    )
