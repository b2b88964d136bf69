"""`pvkg eval`: score predicted triples against gold, or write the gold notes to extract from."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pvkg.app.evaluation import evaluate_files, export_gold, metrics_table, render_markdown
from pvkg.errors import ConfigError

# Problems shown on stderr; the report and --json list them all.
SHOWN_PROBLEMS = 10


class FormatChoice(StrEnum):
    """The gold formats `pvkg.app.evaluation.sources` reads."""

    ade = "ade"
    phee = "phee"
    brat = "brat"
    labelstudio = "labelstudio"
    jsonl = "jsonl"


def eval_command(
    gold: Annotated[Path, typer.Option("--gold", help="Gold annotations (file or folder).")],
    pred: Annotated[
        Path | None, typer.Option("--pred", help="Predicted triples (Triple JSONL).")
    ] = None,
    gold_format: Annotated[
        FormatChoice | None,
        typer.Option("--format", help="Gold format; guessed from the path when left out."),
    ] = None,
    notes: Annotated[
        Path | None, typer.Option("--notes", help="Note JSONL, for --format jsonl gold.")
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write a markdown report here.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the scores as one JSON object, nothing else.")
    ] = False,
    export_notes: Annotated[
        Path | None,
        typer.Option("--export-notes", help="Write the gold notes as Note JSONL; no scoring."),
    ] = None,
    export_triples: Annotated[
        Path | None,
        typer.Option("--export-triples", help="With --export-notes: the gold triples too."),
    ] = None,
) -> None:
    """Score predicted triples against gold annotations (strict and lenient P/R/F1)."""
    chosen = gold_format.value if gold_format is not None else None
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    if export_notes is not None:
        exported = export_gold(
            gold,
            export_notes,
            triples_out=export_triples,
            gold_format=chosen,  # type: ignore[arg-type]
            notes=notes,
        )
        _warn(err, exported.problems)
        err.print(f"wrote {exported.notes} notes and {exported.triples} gold triples")
        return
    if pred is None:
        raise ConfigError(
            "nothing to do", hint="give --pred to score, or --export-notes to write gold notes"
        )
    evaluation = evaluate_files(gold, pred, gold_format=chosen, notes=notes)  # type: ignore[arg-type]
    _warn(err, evaluation.problems)
    if report is not None:
        report.write_text(render_markdown(evaluation), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(evaluation.numbers(), indent=2))
    else:
        Console(highlight=False).print(metrics_table(evaluation))


def _warn(err: Console, problems: tuple[str, ...]) -> None:
    if not problems:
        return
    err.print(f"[yellow]warning:[/] {len(problems)} input problems; left out:")
    for problem in problems[:SHOWN_PROBLEMS]:
        err.print(f"  {problem}", markup=False)
    if len(problems) > SHOWN_PROBLEMS:
        err.print(f"  ... and {len(problems) - SHOWN_PROBLEMS} more (see --report or --json)")
