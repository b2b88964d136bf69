"""`pvkg extract`: notes in, triples JSONL out, with the rule or the LLM extractor."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from extract.options import ExtractOptions
from loaders.notes import NoteColumns
from pvkg.app.commands.flags import from_options
from pvkg.app.commands.graph import ErrorReporter
from pvkg.app.extracting import ExtractSummary, extract_notes

if TYPE_CHECKING:
    from extract.base import ExtractionResult, Extractor

err = Console(stderr=True, highlight=False, soft_wrap=True)
MAX_SHOWN_PROBLEMS = 20


@from_options("columns", NoteColumns)
@from_options("options", ExtractOptions)
def extract_command(
    notes: Annotated[Path, typer.Argument(help="A folder of .txt notes, a .jsonl or a .csv.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Triples JSONL to write.")],
    options: ExtractOptions,
    columns: NoteColumns,
) -> None:
    """Find (drug, dose, adverse event) triples in notes; one Triple JSON per line."""
    from extract.factory import build_extractor

    chosen = build_extractor(options)
    try:
        summary = _run(notes, output, chosen, columns)
    finally:
        close = getattr(chosen, "close", None)
        if callable(close):
            close()
    _print_summary(summary, output)


def _run(notes: Path, output: Path, chosen: Extractor, columns: NoteColumns) -> ExtractSummary:
    reporter = ErrorReporter()
    shown = 0

    def on_note(result: ExtractionResult) -> None:
        nonlocal shown
        progress.advance(task)
        for problem in result.problems:
            shown += 1
            if shown <= MAX_SHOWN_PROBLEMS:
                err.print(f"[yellow]note {result.note_id}:[/] {problem}", markup=True)

    bar = (
        SpinnerColumn(),
        TextColumn("extracting: {task.completed} notes"),
        TimeElapsedColumn(),
    )
    with Progress(*bar, console=err, transient=True) as progress:
        task = progress.add_task("extract", total=None)
        summary = extract_notes(
            notes,
            output,
            chosen,
            on_error=reporter,
            on_note=on_note,
            columns=columns,
        )
    reporter.summary()
    return summary


def _print_summary(summary: ExtractSummary, output: Path) -> None:
    err.print(
        f"extracted {summary.triples} triples from {summary.notes} notes into {output}; "
        f"{summary.dropped_spans} of {summary.returned_spans} spans dropped (not in the note), "
        f"{summary.errors} bad notes skipped, {summary.problems} extractor problems"
    )
