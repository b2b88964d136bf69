"""The model card: what a fine-tuned model is, how it was trained, and how well it did.

Written beside the weights as `pvkg-model.json` (read back by `load_finetuned`) and as a
human-readable `README.md`. It names data by source and counts only: no note text.
"""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from extract.finetune.options import ModelKind
from extract.options import ExtractOptions
from pvkg import __version__
from pvkg.errors import ConfigError
from pvkg.options import ref
from pvkg.records import Record

CARD_FILE = "pvkg-model.json"
README_FILE = "README.md"
CARD_FORMAT = 1
Scalar = str | int | float | bool | None


class DataSummary(Record):
    """The gold data a model learned from, by source and count."""

    sources: tuple[str, ...]
    train_documents: int
    validation_documents: int
    train_triples: int
    validation_triples: int
    split: str


class EpochRecord(Record):
    """One epoch: mean training loss and the validation scores after it."""

    epoch: int
    steps: int
    train_loss: float
    validation: dict[str, float]
    seconds: float


class ModelCard(Record):
    format: int = CARD_FORMAT
    kind: ModelKind
    base_model: str
    pvkg_version: str = __version__
    created: str
    seed: int
    data: DataSummary
    hyperparameters: dict[str, Scalar]
    history: tuple[EpochRecord, ...]
    best_epoch: int
    metrics: dict[str, float]
    selection_metric: str
    stopped: str
    hardware: str
    seconds: float

    @property
    def model_id(self) -> str:
        """A short stable name for provenance: kind, base and creation time."""
        return f"{self.kind}:{Path(self.base_model).name}@{self.created}"


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def hardware() -> str:
    """The machine and accelerator that trained, in words."""
    cpu = f"{platform.machine()} CPU, {os.cpu_count()} cores"
    try:
        import torch
    except ImportError:
        return cpu
    if torch.cuda.is_available():
        return f"{torch.cuda.get_device_name(0)} (CUDA), {cpu}; torch {torch.__version__}"
    return f"{cpu}, {torch.get_num_threads()} torch threads; torch {torch.__version__}"


def write_card(card: ModelCard, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CARD_FILE).write_text(card.model_dump_json(indent=2) + "\n", encoding="utf-8")
    (folder / README_FILE).write_text(render(card), encoding="utf-8")


def read_card(folder: Path) -> ModelCard:
    """The card of the model in `folder`; ConfigError when there is none or it is bad."""
    path = folder / CARD_FILE
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
        return ModelCard.model_validate(raw)
    except FileNotFoundError:
        raise ConfigError(
            f"{folder} is not a pvkg fine-tuned model (no {CARD_FILE})",
            hint=f"{ref(ExtractOptions, 'model_path')} takes a folder written by training",
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
        raise ConfigError(f"cannot read {path}: {type(exc).__name__}") from exc


def render(card: ModelCard) -> str:
    """The card as markdown."""
    data = card.data
    lines = [
        f"# pvkg fine-tuned model: {card.kind}",
        "",
        f"- Base model: `{card.base_model}`",
        f"- Created: {card.created} with pvkg {card.pvkg_version}",
        f"- Hardware: {card.hardware}",
        f"- Training time: {card.seconds:.0f} s; stopped: {card.stopped}",
        f"- Seed: {card.seed}",
        "",
        "## Data",
        "",
        f"- Sources: {', '.join(data.sources)}",
        f"- Train: {data.train_documents:,} documents, {data.train_triples:,} triples",
        f"- Validation: {data.validation_documents:,} documents, "
        f"{data.validation_triples:,} triples",
        f"- Split: {data.split}",
        "",
        "## Validation metrics (best epoch)",
        "",
        f"Selected on `{card.selection_metric}` at epoch {card.best_epoch}.",
        "",
        "| metric | value |",
        "| --- | --- |",
        *(f"| {name} | {value:.4f} |" for name, value in sorted(card.metrics.items())),
        "",
        "## History",
        "",
        "| epoch | steps | train loss | " + card.selection_metric + " | seconds |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {e.epoch} | {e.steps} | {e.train_loss:.4f} | "
            f"{e.validation.get(card.selection_metric, float('nan')):.4f} | {e.seconds:.0f} |"
            for e in card.history
        ),
        "",
        "## Hyper-parameters",
        "",
        *(f"- {name}: {value}" for name, value in sorted(card.hyperparameters.items())),
        "",
    ]
    return "\n".join(lines)
