"""`pvkg phenotype run|eval`: cohorts from notes with evidence, and their scores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from extract.phenotype.options import PhenotypeOptions
from kg.options import StoreOptions
from loaders.notes import NoteColumns
from pvkg.app.commands.flags import from_options
from pvkg.app.commands.graph import ErrorReporter, err, out
from pvkg.errors import ConfigError

if TYPE_CHECKING:
    from extract.phenotype import PatientResult

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
        f"({summary.notes} notes); cohort in {summary.outputs['jsonl']}, "
        f"{summary.outputs['csv']} and {summary.outputs['html']}"
        + (f"; {summary.graph_meets} MEETS links in {connection.store}" if graph else "")
        + (
            f"; the LLM disagrees on {summary.llm_disagreements} patients"
            if summary.llm_disagreements is not None
            else ""
        ),
        markup=False,
    )


@app.command("index")
@from_options("columns", NoteColumns)
@from_options(
    "options",
    PhenotypeOptions,
    exclude={
        "judge",
        "top_k",
        "sentence_index",
        "terminology",
        "device",
        "llm",
        "verify",
        "date_field",
    },
)
def index(
    notes: Annotated[list[Path], typer.Argument(help="Folders of .txt notes, .jsonl or .csv.")],
    options: PhenotypeOptions,
    columns: NoteColumns,
    output: Annotated[Path, typer.Option("-o", "--output", help="Sentence index directory.")],
) -> None:
    """Embed the notes' sentences into a sentence index for retrieval; a re-run adds only
    new sentences."""
    from pvkg.app.phenotyping import index_notes

    reporter = ErrorReporter()
    bar = (SpinnerColumn(), TextColumn("indexing: {task.completed} sentences"),
           TimeElapsedColumn())  # fmt: skip
    with Progress(*bar, console=err, transient=True) as progress:
        task = progress.add_task("sentences", total=None)
        summary = index_notes(notes, output, options, columns, on_error=reporter,
                              on_batch=lambda n: progress.advance(task, n))  # fmt: skip
    reporter.summary()
    built = "; approximate index built" if summary.ann else ""
    err.print(f"{summary.sentences} sentences of {summary.notes} notes: {summary.added} added, "
              f"{summary.removed} stale removed, {summary.total} in {output}{built}",
              markup=False)  # fmt: skip


@app.command("eval")
def evaluate(
    cohort: Annotated[Path, typer.Argument(help="cohort.jsonl written by `phenotype run`.")],
    gold: Annotated[
        Path,
        typer.Argument(
            help="Gold: a CSV (patient, criterion, label) or reviewed Label Studio tasks (.json)."
        ),
    ],
    disagreements: Annotated[
        Path | None,
        typer.Option(help="Write the cases the cohort gets wrong as Label Studio tasks."),
    ] = None,
) -> None:
    """Precision, recall and F1 per criterion and for the phenotype, over patients."""
    from extract.phenotype import score_cohort
    from extract.phenotype.review import disagreement_tasks

    reporter = ErrorReporter()
    labels = _gold(gold, reporter)
    results = _cohort(cohort, reporter)
    reporter.summary()
    if not labels or not results:
        raise ConfigError(
            f"nothing to score: {len(labels)} gold labels, {len(results)} patients",
            hint="check the gold's columns (patient, criterion, label) and the cohort file",
        )
    table = Table(title=f"{len(results)} patients; gold labels {len(labels)} (unit: patient)")
    for column in ("criterion", "gold", "predicted", "tp", "precision", "recall", "f1"):
        table.add_column(column, justify="left" if column == "criterion" else "right")
    for name, s in score_cohort(results, labels).items():
        table.add_row(name, str(s.gold), str(s.predicted), str(s.tp), f"{s.precision:.3f}",
                      f"{s.recall:.3f}", f"{s.f1:.3f}")  # fmt: skip
    out.print(table)
    if disagreements is not None:
        tasks = disagreement_tasks(results, labels, model=cohort.parent.name or "pvkg")
        disagreements.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), "utf-8")
        err.print(f"wrote {len(tasks)} review tasks to {disagreements}", markup=False)


@app.command("drift")
def drift(
    first: Annotated[Path, typer.Argument(help="A cohort directory (or its cohort.jsonl).")],
    second: Annotated[Path, typer.Argument(help="Another run's, to compare with.")],
) -> None:
    """Per criterion: positive rates in each run, agreement and Cohen's kappa on the
    patients both runs judged."""
    from extract.phenotype.drift import compare_runs

    reporter = ErrorReporter()
    rows = compare_runs(_cohort(first, reporter), _cohort(second, reporter))
    reporter.summary()
    table = Table(title=f"{first} vs {second} (unit: patient)")
    for column in ("criterion", "patients", "common", "rate 1", "rate 2", "agreement", "kappa"):
        table.add_column(column, justify="left" if column == "criterion" else "right")
    for row in rows:
        table.add_row(row.name, f"{row.patients_a} / {row.patients_b}", str(row.common),
                      _share(row.rate_a), _share(row.rate_b), _share(row.agreement),
                      "n/a" if row.kappa is None else f"{row.kappa:.3f}")  # fmt: skip
    out.print(table)


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _gold(path: Path, reporter: ErrorReporter) -> dict[tuple[str, str], bool]:
    from loaders.cohort_gold import read_cohort_gold, read_reviewed

    if path.suffix.lower() == ".json":
        return read_reviewed(path, on_error=reporter)
    return read_cohort_gold(path, on_error=reporter)


def _cohort(path: Path, reporter: ErrorReporter) -> list[PatientResult]:
    from extract.phenotype import PatientResult
    from pvkg.app.phenotyping import COHORT_JSONL
    from pvkg.jsonl import read_jsonl

    file = path / COHORT_JSONL if path.is_dir() else path
    return list(read_jsonl(file, PatientResult, on_error=reporter))
