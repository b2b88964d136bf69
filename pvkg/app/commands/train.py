"""`pvkg train`: fine-tune an encoder or a LoRA adapter on annotated notes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from extract.finetune.options import PANEL, TrainOptions
from pvkg.app.commands.eval import FormatChoice
from pvkg.app.commands.flags import from_options
from pvkg.app.commands.graph import ErrorReporter, err

if TYPE_CHECKING:
    from extract.finetune import ModelCard, TrainEvent


@from_options("options", TrainOptions)
def train_command(
    gold: Annotated[list[Path], typer.Argument(help="Gold annotations (files or folders).")],
    options: TrainOptions,
    gold_format: Annotated[
        FormatChoice | None, typer.Option("--format", help="Gold format; guessed when left out.")
    ] = None,
    notes: Annotated[
        Path | None, typer.Option("--notes", help="Note JSONL, for --format jsonl gold.")
    ] = None,
    test_fraction: Annotated[
        float,
        typer.Option(
            help="Hold back this share as the evaluation's test split (pvkg eval).",
            rich_help_panel=PANEL,
        ),
    ] = 0.0,
) -> None:
    """Fine-tune an extractor on annotated notes; run it with --extractor finetuned."""
    from pvkg.app.training import train

    kind, output = options.kind, options.output
    reporter = ErrorReporter()
    columns = (
        TextColumn("training {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(kind, total=None)

        def on_event(event: TrainEvent) -> None:
            progress.update(task, completed=event.step, total=event.total_steps)
            if event.loss is not None:
                progress.update(task, description=f"{kind} (loss {event.loss:.3f})")
            if event.validation_f1 is not None:
                progress.console.print(
                    f"epoch {event.epoch}: validation drug–ADE F1 {event.validation_f1:.3f}"
                )

        card = train(
            gold,
            options,
            gold_format=gold_format.value if gold_format is not None else None,
            notes=notes,
            test_fraction=test_fraction,
            on_event=on_event,
            on_error=reporter,
        )
    reporter.summary()
    _print_card(card, output)


def _print_card(card: ModelCard, output: Path) -> None:
    best = card.metrics.get(card.selection_metric, float("nan"))
    err.print(
        f"saved the {card.kind} model to {output} (epoch {card.best_epoch} of "
        f"{len(card.history)}, {card.selection_metric} {best:.3f}, {card.seconds:.0f} s; "
        f"{card.stopped}); run it with: pvkg extract NOTES -o OUT --extractor finetuned "
        f"--model-path {output}"
    )
