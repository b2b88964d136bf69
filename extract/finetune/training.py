"""Train a model of either kind on gold documents: split, train, write the card.

The trainer of the kind does the learning and returns its card; this module only picks
it, importing torch when training actually starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from extract.finetune.card import ModelCard, write_card
from extract.finetune.data import training_data
from extract.finetune.loading import HF_HINT
from extract.finetune.options import EventHandler, TrainOptions
from pvkg.errors import ConfigError
from pvkg.gold import GoldDocument


def train_model(
    documents: Iterable[GoldDocument],
    options: TrainOptions,
    *,
    sources: Sequence[str],
    on_event: EventHandler | None = None,
) -> ModelCard:
    """Train the model `options` describe on `documents` and save it with its card."""
    data = training_data(
        documents,
        sources=sources,
        validation_fraction=options.validation_fraction,
        seed=options.seed,
        max_train=options.max_train_documents,
        max_validation=options.max_validation_documents,
    )
    try:
        if options.kind == "encoder":
            from extract.finetune.encoder import train_encoder

            card = train_encoder(data, options, on_event=on_event)
        else:
            from extract.finetune.lora import train_lora

            card = train_lora(data, options, on_event=on_event)
    except ImportError as exc:
        raise ConfigError(
            f"training needs the Hugging Face extra ({exc.name} is missing)", hint=HF_HINT
        ) from exc
    write_card(card, options.output)
    return card
