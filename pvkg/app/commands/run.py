"""`pvkg run`: the whole pipeline in one resumable, streaming pass."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from extract.options import ExtractOptions
from kg.options import SignalOptions, StoreOptions
from loaders.notes import NoteColumns
from pvkg.app.commands.flags import from_options
from pvkg.app.commands.graph import (
    ErrorReporter,
    err,
    out,
    signal_table,
)
from pvkg.spark import EngineOptions

if TYPE_CHECKING:
    from collections.abc import Callable

    from pvkg.app.pipeline import FinishSummary, RunOptions, RunSummary


@from_options("engine", EngineOptions)
@from_options("columns", NoteColumns)
@from_options("connection", StoreOptions)
@from_options("signals", SignalOptions)
@from_options("extraction", ExtractOptions, exclude={"terminology"})
def run(
    notes: Annotated[
        list[Path], typer.Argument(help="Folders of .txt notes, .jsonl or .csv files.")
    ],
    index: Annotated[
        Path, typer.Option("-t", "--index", help="Terminology index (`pvkg terminology build`).")
    ],
    extraction: ExtractOptions,
    signals: SignalOptions,
    connection: StoreOptions,
    columns: NoteColumns,
    engine: EngineOptions,
    output: Annotated[Path, typer.Option("-o", "--output", help="Output directory.")] = Path(
        "pvkg-output"
    ),
    batch_size: Annotated[int, typer.Option(min=1, help="Notes per load transaction.")] = 100,
) -> None:
    """Extract, normalize, load, score and report: notes in, signal report out. A re-run
    skips the notes already done (--engine spark: redoes them; loading adds nothing)."""
    from pvkg.app.pipeline import FinishOptions, RunOptions, finish_run

    reporter = ErrorReporter()
    bar = (SpinnerColumn(), TextColumn("{task.description}"), MofNCompleteColumn(),
           TimeElapsedColumn())  # fmt: skip
    runs = [RunOptions(notes=path, index=index, output=output, connection=connection,
                       batch_size=batch_size, columns=columns) for path in notes]  # fmt: skip
    with Progress(*bar, console=err, transient=True) as progress:
        task = progress.add_task("extract · normalize · load (notes)", total=None)
        stage = lambda name: progress.update(task, description=name)  # noqa: E731
        if engine.engine == "spark":
            from pvkg.app.spark_pipeline import run_spark_pipeline

            summaries = [run_spark_pipeline(runs, extraction, engine, on_error=reporter,
                                            on_stage=stage)]  # fmt: skip
        else:
            summaries = _run_local(runs, extraction, reporter, lambda n: progress.advance(task, n))
        finished = finish_run(runs[-1], FinishOptions(signals=signals), on_stage=stage)
    reporter.summary()
    out.print(signal_table(list(finished.top), finished.pairs))
    _print_summary(summaries, finished)


def _run_local(
    runs: list[RunOptions],
    extraction: ExtractOptions,
    reporter: ErrorReporter,
    advance: Callable[[int], None],
) -> list[RunSummary]:
    from extract.factory import build_extractor
    from pvkg.app.pipeline import run_pipeline

    chosen = build_extractor(replace(extraction, terminology=runs[0].index))
    try:
        return [run_pipeline(options, chosen, on_error=reporter, on_batch=advance)
                for options in runs]  # fmt: skip
    finally:
        close = getattr(chosen, "close", None)
        if callable(close):
            close()


def _print_summary(summaries: list[RunSummary], finished: FinishSummary) -> None:
    total = sum(summaries[1:], summaries[0])
    linking = total.linking
    err.print(
        f"notes {total.notes} (skipped as done {total.skipped}, bad {total.bad_notes}); "
        f"triples {linking.triples}; drugs linked {linking.drugs_linked}, unlinked "
        f"{linking.drugs_unlinked}; events linked {linking.events_linked}, unlinked "
        f"{linking.events_unlinked}; dropped spans {total.dropped_spans}; loaded "
        f"{total.nodes} nodes, {total.rels} relationships; {finished.pairs} drug–event "
        f"pairs, {finished.signals} signals",
        markup=False,
    )
    for name, path in finished.outputs.items():
        err.print(f"  {name}: {path}", markup=False)
