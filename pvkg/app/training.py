"""Fine-tune an extractor on gold annotations: the library side of `pvkg train`.

Gold is read by the evaluation loaders (any format they read). `test_fraction` holds back
the evaluation's own document-level test split (same seed), so `pvkg eval` can score the
model on documents it never saw; the rest is split again into train and validation.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from extract.finetune import ModelCard, TrainOptions, train_model
from extract.finetune.options import EventHandler
from extract.scoring import split_documents
from pvkg.app.evaluation import GoldFormat, load_gold
from pvkg.errors import ConfigError
from pvkg.gold import GoldDocument
from pvkg.problems import ErrorHandler


def train(
    gold: Sequence[Path],
    options: TrainOptions,
    *,
    gold_format: GoldFormat | None = None,
    notes: Path | None = None,
    test_fraction: float = 0.0,
    on_event: EventHandler | None = None,
    on_error: ErrorHandler | None = None,
) -> ModelCard:
    """Train the model `options` describe on the gold at `gold` and save it."""
    if not gold:
        raise ConfigError("no gold data to train on", hint="give an annotated corpus path")
    if options.output.exists() and any(options.output.iterdir()):
        raise ConfigError(
            f"{options.output} exists and is not empty",
            hint="choose a new folder for the model (-o)",
        )
    documents = _documents(gold, gold_format, notes, on_error)
    if test_fraction > 0.0:
        documents = iter(split_documents(documents, test_fraction, options.seed).train)
    return train_model(documents, options, sources=[str(path) for path in gold], on_event=on_event)


def _documents(
    gold: Sequence[Path],
    gold_format: GoldFormat | None,
    notes: Path | None,
    on_error: ErrorHandler | None,
) -> Iterator[GoldDocument]:
    for path in gold:
        yield from load_gold(path, gold_format, notes=notes, on_error=on_error)
