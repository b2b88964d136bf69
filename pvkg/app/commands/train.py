"""`pvkg train`: fine-tune an encoder or a LoRA adapter on annotated notes."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pvkg.app.commands.eval import FormatChoice
from pvkg.app.commands.graph import ErrorReporter, err

if TYPE_CHECKING:
    from extract.finetune import ModelCard, TrainEvent

PANEL = "Training"


class KindChoice(StrEnum):
    encoder = "encoder"
    lora = "lora"


class QuantizeChoice(StrEnum):
    auto = "auto"
    four_bit = "4bit"
    none = "none"


def _opt(help_text: str, *flags: str, **extra: object) -> typer.models.OptionInfo:
    return typer.Option(*flags, help=help_text, rich_help_panel=PANEL, **extra)  # type: ignore[no-any-return, arg-type]


def train_command(
    gold: Annotated[list[Path], typer.Argument(help="Gold annotations (files or folders).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="New folder for the model.")],
    kind: Annotated[
        KindChoice, typer.Option("--kind", "-k", help="encoder (span + pair classifier) or lora.")
    ] = KindChoice.encoder,
    gold_format: Annotated[
        FormatChoice | None, typer.Option("--format", help="Gold format; guessed when left out.")
    ] = None,
    notes: Annotated[
        Path | None, typer.Option("--notes", help="Note JSONL, for --format jsonl gold.")
    ] = None,
    base_model: Annotated[
        str | None,
        _opt(
            "Base model: a folder (or .gguf for lora), or for the encoder all-MiniLM-L6-v2 "
            "(default) or all-mpnet-base-v2 (make mpnet).",
            "--base-model",
        ),
    ] = None,
    epochs: Annotated[int | None, _opt("Most epochs (default per kind).", min=1)] = None,
    patience: Annotated[int, _opt("Stop after this many epochs without a better F1.", min=1)] = 2,
    learning_rate: Annotated[float | None, _opt("Peak learning rate.", min=0.0)] = None,
    batch_size: Annotated[int | None, _opt("Examples per step.", min=1)] = None,
    max_length: Annotated[int | None, _opt("Most tokens per example.", min=8)] = None,
    validation_fraction: Annotated[
        float, _opt("Share of documents held out to pick the best epoch.")
    ] = 0.1,
    test_fraction: Annotated[
        float, _opt("Hold back this share as the evaluation's test split (pvkg eval).")
    ] = 0.0,
    seed: Annotated[int | None, _opt("Random seed (split, sampling, initialisation).")] = None,
    device: Annotated[str | None, _opt("cpu or cuda; default: cuda when present.")] = None,
    threads: Annotated[int | None, _opt("CPU threads for torch.", min=1)] = None,
    max_minutes: Annotated[
        float | None, _opt("Stop after this long, keeping the best epoch.", min=0.0)
    ] = None,
    max_train_documents: Annotated[
        int | None, _opt("Train on a seeded sample of this many documents.", min=1)
    ] = None,
    max_validation_documents: Annotated[
        int | None, _opt("Validate on a seeded sample of this many documents.", min=1)
    ] = None,
    lora_r: Annotated[int, _opt("LoRA rank.", min=1)] = 16,
    lora_alpha: Annotated[int, _opt("LoRA alpha.", min=1)] = 32,
    lora_dropout: Annotated[float, _opt("LoRA dropout.", min=0.0, max=1.0)] = 0.05,
    quantize: Annotated[
        QuantizeChoice, _opt("LoRA base: 4bit (QLoRA, CUDA), none, or auto.")
    ] = QuantizeChoice.auto,
) -> None:
    """Fine-tune an extractor on annotated notes; run it with --extractor finetuned."""
    from extract.finetune import TrainOptions
    from extract.finetune.options import DEFAULT_SEED
    from pvkg.app.training import train

    options = TrainOptions(
        kind=kind.value,
        output=output,
        base_model=base_model,
        epochs=epochs,
        patience=patience,
        learning_rate=learning_rate,
        batch_size=batch_size,
        max_length=max_length,
        validation_fraction=validation_fraction,
        seed=DEFAULT_SEED if seed is None else seed,
        device=device,
        threads=threads,
        max_minutes=max_minutes,
        max_train_documents=max_train_documents,
        max_validation_documents=max_validation_documents,
        lora_r=lora_r,
        lora_alpha=lora_alpha,
        lora_dropout=lora_dropout,
        quantize=quantize.value,
    )
    reporter = ErrorReporter()
    columns = (
        TextColumn("training {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(kind.value, total=None)

        def on_event(event: TrainEvent) -> None:
            progress.update(task, completed=event.step, total=event.total_steps)
            if event.loss is not None:
                progress.update(task, description=f"{kind.value} (loss {event.loss:.3f})")
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
