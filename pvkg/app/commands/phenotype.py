"""`pvkg phenotype run|eval`: cohorts from notes with evidence, and their scores."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from extract.phenotype.options import PhenotypeOptions
from kg.options import StoreOptions
from loaders.notes import NoteColumns
from pvkg.app.commands.flags import from_options
from pvkg.app.commands.graph import ErrorReporter, err, out
from pvkg.errors import ConfigError

app = typer.Typer(help="Find the patients who match a phenotype, with evidence.")


@app.command("run")
@from_options("connection", StoreOptions)
@from_options("columns", NoteColumns)
@from_options("options", PhenotypeOptions)
def run(
    criteria: Annotated[Path, typer.Argument(help="Phenotype file (YAML or JSON).")],
    notes: Annotated[list[Path], typer.Argument(help="Folders of .txt notes, .jsonl or .csv.")],
    options: PhenotypeOptions,
    columns: NoteColumns,
    connection: StoreOptions,
    output: Annotated[Path, typer.Option("-o", "--output", help="Cohort directory.")] = Path(
        "cohort"
    ),
    graph: Annotated[
        bool, typer.Option(help="Also store (:Patient)-[:MEETS]->(:Phenotype) in the graph.")
    ] = True,
) -> None:
    """Judge every patient's notes against the phenotype's criteria (offline: terms and
    concepts, ConText assertion, values) and combine them by its logic."""
    from pvkg.app.phenotyping import run_phenotype

    reporter = ErrorReporter()
    bar = (SpinnerColumn(), TextColumn("phenotyping: {task.completed} notes"),
           TimeElapsedColumn())  # fmt: skip
    with Progress(*bar, console=err, transient=True) as progress:
        task = progress.add_task("notes", total=None)
        summary, _ = run_phenotype(
            criteria, notes, output, options, columns,
            connection=connection if graph else None, on_error=reporter,
            on_note=lambda _: progress.advance(task),
        )  # fmt: skip
    reporter.summary()
    err.print(
        f"{summary.phenotype}: {summary.met} of {summary.patients} patients met "
        f"({summary.notes} notes); cohort in {summary.outputs['jsonl']} and "
        f"{summary.outputs['csv']}"
        + (f"; {summary.graph_meets} MEETS links in {connection.store}" if graph else ""),
        markup=False,
    )


@app.command("eval")
def evaluate(
    cohort: Annotated[Path, typer.Argument(help="cohort.jsonl written by `phenotype run`.")],
    gold: Annotated[Path, typer.Argument(help="Gold CSV: patient, criterion, label.")],
) -> None:
    """Precision, recall and F1 per criterion and for the phenotype, over patients."""
    from extract.phenotype import PatientResult, score_cohort
    from loaders.cohort_gold import read_cohort_gold
    from pvkg.jsonl import read_jsonl

    reporter = ErrorReporter()
    labels = read_cohort_gold(gold, on_error=reporter)
    results = list(read_jsonl(cohort, PatientResult, on_error=reporter))
    reporter.summary()
    if not labels or not results:
        raise ConfigError(
            f"nothing to score: {len(labels)} gold labels, {len(results)} patients",
            hint="check the gold CSV's columns (patient, criterion, label) and the cohort file",
        )
    table = Table(title=f"{len(results)} patients; gold labels {len(labels)} (unit: patient)")
    for column in ("criterion", "gold", "predicted", "tp", "precision", "recall", "f1"):
        table.add_column(column, justify="left" if column == "criterion" else "right")
    for name, s in score_cohort(results, labels).items():
        table.add_row(name, str(s.gold), str(s.predicted), str(s.tp), f"{s.precision:.3f}",
                      f"{s.recall:.3f}", f"{s.f1:.3f}")  # fmt: skip
    out.print(table)
