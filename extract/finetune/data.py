"""Gold documents into a training part and a validation part, by document.

The split is the evaluation's (`split_documents`: a seeded hash of the PubMed id, else the
note id), so sentences of one abstract never sit on both sides and a re-run with the same
seed splits the same way. It hashes with `seed + 1`: under the evaluation's own seed, the
training side of its test split would have no document left below the validation fraction.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from extract.finetune.card import DataSummary
from extract.finetune.options import TrainOptions
from extract.scoring import split_documents
from pvkg.errors import ConfigError
from pvkg.gold import GoldDocument
from pvkg.options import ref


@dataclass(frozen=True)
class TrainingData:
    train: tuple[GoldDocument, ...]
    validation: tuple[GoldDocument, ...]
    sources: tuple[str, ...]
    validation_fraction: float
    seed: int

    def summary(self) -> DataSummary:
        return DataSummary(
            sources=self.sources,
            train_documents=len(self.train),
            validation_documents=len(self.validation),
            train_triples=sum(len(d.triples) for d in self.train),
            validation_triples=sum(len(d.triples) for d in self.validation),
            split=(
                f"by document (PubMed id, else note id), validation fraction "
                f"{self.validation_fraction}, seed {self.seed} (hashed with {self.seed + 1})"
            ),
        )


def training_data(
    documents: Iterable[GoldDocument],
    *,
    sources: Sequence[str],
    validation_fraction: float,
    seed: int,
    max_train: int | None = None,
    max_validation: int | None = None,
) -> TrainingData:
    """Split `documents`; `max_train` / `max_validation` keep seeded samples of each side."""
    split = split_documents(documents, test_fraction=validation_fraction, seed=seed + 1)
    train, validation = (
        _sample(split.train, max_train, seed),
        _sample(split.test, max_validation, seed),
    )
    if not train or not validation:
        raise ConfigError(
            f"{len(train)} training and {len(validation)} validation documents: "
            "both sides need at least one",
            hint=f"give more gold documents or change {ref(TrainOptions, 'validation_fraction')}",
        )
    if not any(d.triples for d in train):
        raise ConfigError("the training documents have no gold triples to learn from")
    return TrainingData(
        train=train,
        validation=validation,
        sources=tuple(sources),
        validation_fraction=validation_fraction,
        seed=seed,
    )


def _sample(
    documents: tuple[GoldDocument, ...], limit: int | None, seed: int
) -> tuple[GoldDocument, ...]:
    if limit is None or len(documents) <= limit:
        return documents
    chosen = sorted(random.Random(seed).sample(range(len(documents)), limit))  # noqa: S311 - sampling, not secrets
    return tuple(documents[i] for i in chosen)
