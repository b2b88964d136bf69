"""`pvkg assertion`: mentions found by any tool in, their ConText axes out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from loaders.notes import NoteColumns
from pvkg.app.commands.flags import from_options
from pvkg.app.commands.graph import ErrorReporter

err = Console(stderr=True, highlight=False, soft_wrap=True)


@from_options("columns", NoteColumns)
def assertion_command(
    notes: Annotated[
        list[Path], typer.Argument(help="The notes: folders of .txt, .jsonl or .csv files.")
    ],
    mentions: Annotated[
        Path,
        typer.Option(
            "--mentions",
            "-m",
            help='JSONL, one {"note_id", "kind", "span": {"text", "start", "end"}} a line.',
        ),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="JSONL to write.")],
    columns: NoteColumns,
    rules: Annotated[
        Path | None,
        typer.Option("--context-rules", help="A ConText rules file replacing the packaged one."),
    ] = None,
) -> None:
    """The assertion of each mention (present, negated, speculated, historical, family) and
    its ConText axes (negated, speculated, historical, hypothetical, family)."""
    from pvkg.app.asserting import assert_mentions

    reporter = ErrorReporter()
    summary = assert_mentions(notes, mentions, output, columns, rules=rules,
                              on_error=reporter)  # fmt: skip
    reporter.summary()
    counts = ", ".join(f"{name} {n}" for name, n in sorted(summary.by_assertion.items()))
    err.print(f"{summary.mentions} mentions in {summary.notes} notes -> {output}"
              + (f": {counts}" if counts else ""), markup=False)  # fmt: skip
