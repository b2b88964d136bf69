"""`pvkg load`, `pvkg signals`, `pvkg query`: the graph stage's commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg.options import SignalOptions, StoreOptions
from pvkg.app.commands.flags import from_options
from pvkg.app.loading import FORMATS, LoadFormat, load_file
from pvkg.errors import ConfigError, InputError
from pvkg.spark import EngineOptions

if TYPE_CHECKING:
    from kg.disproportionality import Signal

# Stated here so that `--help` does not import rdflib and networkx.
EXPORT_FORMATS = ("csv", "jsonl", "ttl", "nt", "jsonld", "graphml")

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)
MAX_SHOWN_ERRORS = 20


class ErrorReporter:
    """Prints the first bad records (file:line: reason) and counts the rest."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, error: InputError) -> None:
        self.count += 1
        if self.count <= MAX_SHOWN_ERRORS:
            err.print(f"[yellow]skipped[/] {error}", markup=True)

    def summary(self) -> None:
        if self.count > MAX_SHOWN_ERRORS:
            err.print(f"[yellow]... {self.count - MAX_SHOWN_ERRORS} more skipped[/]")
        if self.count:
            err.print(f"[yellow]{self.count} bad record(s) skipped[/]")


@from_options("connection", StoreOptions)
def load(
    path: Annotated[Path, typer.Argument(help="Triples JSONL, a FAERS folder or an openEBGM CSV.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)}.")],
    connection: StoreOptions,
    batch_size: Annotated[
        int | None,
        typer.Option(min=1, help="Records per transaction (default 100k embedded, 5k Neo4j)."),
    ] = None,
) -> None:
    """Load triples or case reports into the graph; re-running a load adds nothing."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r}", hint=f"choose one of: {', '.join(FORMATS)}")
    reporter = ErrorReporter()
    columns = (TextColumn("loading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("load", total=None)
        summary = load_file(
            path,
            _as_format(fmt),
            connection.store,
            user=connection.user,
            password=connection.password,
            batch_size=batch_size,
            on_error=reporter,
            on_batch=lambda n: progress.advance(task, n),
        )
    reporter.summary()
    err.print(
        f"loaded {summary.records} records in {summary.batches} batches into {connection.store}: "
        f"{summary.nodes} new nodes, {summary.rels} new relationships"
    )


def _as_format(fmt: str) -> LoadFormat:
    for known in FORMATS:
        if fmt == known:
            return known
    raise ConfigError(f"unknown format {fmt!r}")


@from_options("connection", StoreOptions)
@from_options("chosen", SignalOptions)
@from_options("engine", EngineOptions, exclude={"spark_partitions"})
def signals(
    connection: StoreOptions,
    chosen: SignalOptions,
    engine: EngineOptions,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="CSV to write.")] = None,
    top: Annotated[int, typer.Option(help="Rows to print.")] = 20,
    links: Annotated[
        list[Path] | None,
        typer.Option(help="--engine spark: a spark/links folder that `pvkg run` wrote."),
    ] = None,
    faers: Annotated[
        list[Path] | None,
        typer.Option(help="--engine spark: a FAERS quarter (FDA's ASCII files), read by Spark."),
    ] = None,
) -> None:
    """Disproportionality signals (PRR, ROR, χ², IC, EBGM) over unique reports."""
    from pvkg.app.signaling import spark_signal_table, store_signal_table

    if engine.engine == "spark":
        reporter = ErrorReporter()
        results = spark_signal_table(engine, chosen, output, links=links or (),
                                     faers=faers or (), on_error=reporter)  # fmt: skip
        reporter.summary()
    else:
        if links or faers:
            hint = "load FAERS with `pvkg load -f faers` for the local engine"
            raise ConfigError("--links and --faers are inputs of --engine spark", hint=hint)
        results = store_signal_table(connection, chosen, output)
    out.print(signal_table(results.signals(top), len(results)))
    if output is not None:
        err.print(f"wrote {len(results)} pairs to {output}")


@from_options("connection", StoreOptions)
def onset(
    connection: StoreOptions,
    min_reports: Annotated[int, typer.Option(help="Fewest reports with an onset time.")] = 5,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="CSV to write.")] = None,
) -> None:
    """Time-to-onset signals: the Weibull shape test (Cornelius et al. 2012) on each pair's
    stated times to onset, one a report; flagged when the shape's 95% interval excludes 1."""
    from pvkg.app.signaling import store_onset_signals

    found = store_onset_signals(connection, min_reports, output)
    table = Table(title=f"{len(found)} drug–event pairs with onset times in {min_reports}+ reports")
    for column in ("drug", "event", "reports", "median days", "shape (95% CI)", "pattern"):
        table.add_column(column)
    for s in found:
        interval = f"{s.shape:.2f} ({s.shape_lo:.2f}–{s.shape_hi:.2f})"
        pattern = f"{s.pattern}{' *' if s.flagged else ''}"
        table.add_row(s.drug, s.event, str(s.reports), f"{s.median_days:.3g}", interval, pattern)
    out.print(table)
    if output is not None:
        err.print(f"wrote {len(found)} pairs to {output}")


def signal_table(rows: list[Signal], total: int) -> Table:
    table = Table(title=f"Top {len(rows)} of {total} drug–event pairs (counts are unique reports)")
    for column in ("drug", "event", "a", "expected", "prr", "ror", "ic025", "ebgm", "eb05"):
        if column in ("drug", "event"):
            table.add_column(column, no_wrap=True, overflow="ellipsis", max_width=24)
        else:
            table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
    for row in rows:
        table.add_row(
            row.drug,
            row.event,
            str(row.a),
            *(
                _fmt(getattr(row, name))
                for name in ("expected", "prr", "ror", "ic025", "ebgm", "eb05")
            ),
        )
    return table


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.3g}"


@from_options("connection", StoreOptions)
def query(
    cypher: Annotated[str, typer.Argument(help="A Cypher query; values go in --param.")],
    connection: StoreOptions,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="k=v; v is read as JSON if it parses.")
    ] = None,
) -> None:
    """Run a Cypher query; prints one JSON object per row."""
    from kg.store import open_store

    params = dict(_param(p) for p in param or [])
    graph = open_store(connection.store, user=connection.user, password=connection.password)
    try:
        rows = graph.run(cypher, params)
    finally:
        graph.close()
    for row in rows:
        typer.echo(json.dumps(row, default=str))


def _param(text: str) -> tuple[str, Any]:
    name, sep, raw = text.partition("=")
    if not sep or not name:
        raise ConfigError(f"bad --param {text!r}", hint="write --param name=value")
    try:
        return name, json.loads(raw)
    except json.JSONDecodeError:
        return name, raw


@from_options("connection", StoreOptions)
def export(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    connection: StoreOptions,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=f"One of {', '.join(EXPORT_FORMATS)}.")
    ] = "jsonl",
) -> None:
    """Export triples (csv, jsonl) or the whole graph (ttl, nt, jsonld, graphml)."""
    from pvkg.app.exporting import export_store

    count = export_store(connection.store, fmt, output, user=connection.user,
                         password=connection.password)  # fmt: skip
    err.print(f"wrote {count} {'rows' if fmt in ('csv', 'jsonl') else 'items'} to {output}")
