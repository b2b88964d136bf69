"""Pieces into padded tensors (dynamic padding), and length-bucketed training batches.

Positions in a batch are a piece's indexes plus one: the start token comes first.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from extract.finetune.encoder.examples import Example
from extract.finetune.encoder.pairs import Candidate, Entity
from extract.finetune.encoder.pieces import Piece
from pvkg.errors import ConfigError

IGNORE = -100  # the cross-entropy ignore index: special tokens and padding
BUCKET_BATCHES = 50  # batches per length bucket: similar lengths, still shuffled


@dataclass(frozen=True)
class SpecialIds:
    start: int
    end: int
    pad: int

    @classmethod
    def of(cls, tokenizer: Any) -> SpecialIds:
        start = _first(tokenizer.cls_token_id, tokenizer.bos_token_id)
        end = _first(tokenizer.sep_token_id, tokenizer.eos_token_id)
        if start is None or end is None:
            raise ConfigError("the encoder's tokenizer has no start and end tokens")
        return cls(start, end, _first(tokenizer.pad_token_id, end) or 0)


def _first(*values: int | None) -> int | None:
    return next((int(v) for v in values if v is not None), None)


@dataclass(frozen=True)
class Inputs:
    ids: torch.Tensor
    mask: torch.Tensor


@dataclass(frozen=True)
class SpanPairs:
    """Candidates of a batch: row, relation, and each entity's [first, stop) positions."""

    rows: torch.Tensor
    relations: torch.Tensor
    drug: tuple[torch.Tensor, torch.Tensor]
    other: tuple[torch.Tensor, torch.Tensor]

    def __len__(self) -> int:
        return int(self.rows.numel())


@dataclass(frozen=True)
class TrainBatch:
    inputs: Inputs
    tags: torch.Tensor  # [batch, positions, types]
    pairs: SpanPairs
    labels: torch.Tensor  # [candidates]


def inputs(pieces: Sequence[Piece], special: SpecialIds, device: torch.device) -> Inputs:
    width = max(len(p) for p in pieces) + 2
    ids = torch.full((len(pieces), width), special.pad, dtype=torch.long)
    mask = torch.zeros((len(pieces), width), dtype=torch.long)
    for row, piece in enumerate(pieces):
        ids[row, : len(piece) + 2] = torch.tensor([special.start, *piece.ids, special.end])
        mask[row, : len(piece) + 2] = 1
    return Inputs(ids.to(device), mask.to(device))


def span_pairs(
    rows: Sequence[tuple[Sequence[Entity], Sequence[Candidate]]], device: torch.device
) -> SpanPairs:
    """The candidates of each row of a batch, given with that row's entities."""
    columns: list[list[int]] = [[] for _ in range(6)]
    for row, (entities, found) in enumerate(rows):
        for candidate in found:
            drug, other = entities[candidate.drug].tokens, entities[candidate.other].tokens
            values = (row, candidate.relation, drug[0] + 1, drug[1] + 2, other[0] + 1, other[1] + 2)
            for column, value in zip(columns, values, strict=True):
                column.append(value)
    row_t, relation, drug_first, drug_stop, other_first, other_stop = (
        torch.tensor(c, dtype=torch.long, device=device) for c in columns
    )
    return SpanPairs(row_t, relation, (drug_first, drug_stop), (other_first, other_stop))


def train_batch(
    examples: Sequence[Example], special: SpecialIds, device: torch.device
) -> TrainBatch:
    encoded = inputs([e.piece for e in examples], special, device)
    tags = torch.full((*encoded.ids.shape, len(examples[0].tags)), IGNORE, dtype=torch.long)
    for row, example in enumerate(examples):
        tags[row, 1 : len(example.piece) + 1] = torch.tensor(example.tags).T
    pairs = span_pairs([(e.entities, e.candidates) for e in examples], device)
    labels = torch.tensor([v for e in examples for v in e.labels], dtype=torch.float)
    return TrainBatch(encoded, tags.to(device), pairs, labels.to(device))


def bucketed(
    examples: Sequence[Example], batch_size: int, rng: random.Random
) -> list[list[Example]]:
    """Shuffled batches of similar length: less padding, so faster on a CPU."""
    order = list(examples)
    rng.shuffle(order)
    size = batch_size * BUCKET_BATCHES
    batches: list[list[Example]] = []
    for first in range(0, len(order), size):
        bucket = sorted(order[first : first + size], key=lambda e: len(e.piece))
        batches.extend(bucket[i : i + batch_size] for i in range(0, len(bucket), batch_size))
    rng.shuffle(batches)
    return batches
