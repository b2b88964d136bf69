"""Pieces into padded tensors (dynamic padding), spans and candidate pairs into index
columns, and length-bucketed training batches.

Positions in a batch are a piece's indexes plus one: the start token comes first.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from extract.finetune.encoder.examples import NONE, Example
from extract.finetune.encoder.pairs import Candidate, Entity
from extract.finetune.encoder.pieces import Piece
from extract.finetune.encoder.spans import SpanSet
from pvkg.errors import ConfigError

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
class Spans:
    """Spans of a batch: row, first and last position (inclusive), width in words."""

    rows: torch.Tensor
    first: torch.Tensor
    last: torch.Tensor
    widths: torch.Tensor

    def __len__(self) -> int:
        return int(self.rows.numel())


@dataclass(frozen=True)
class SpanPairs:
    """Candidates of a batch: relation, and the drug's and the other entity's spans."""

    relations: torch.Tensor
    drug: Spans
    other: Spans

    def __len__(self) -> int:
        return len(self.drug)


@dataclass(frozen=True)
class TrainBatch:
    inputs: Inputs
    spans: Spans
    allowed: torch.Tensor  # [spans, classes]: the classes each span's label admits
    pairs: SpanPairs
    labels: torch.Tensor  # [candidates]
    events: Spans  # gold events with a learned assertion
    assertions: torch.Tensor  # [events]: index into LEARNED_ASSERTIONS


def inputs(pieces: Sequence[Piece], special: SpecialIds, device: torch.device) -> Inputs:
    width = max(len(p) for p in pieces) + 2
    ids = torch.full((len(pieces), width), special.pad, dtype=torch.long)
    mask = torch.zeros((len(pieces), width), dtype=torch.long)
    for row, piece in enumerate(pieces):
        ids[row, : len(piece) + 2] = torch.tensor([special.start, *piece.ids, special.end])
        mask[row, : len(piece) + 2] = 1
    return Inputs(ids.to(device), mask.to(device))


def spans(rows: Sequence[SpanSet], device: torch.device) -> Spans:
    """Every candidate span of each row of a batch."""
    return _spans(
        (
            (row, first, last, width)
            for row, found in enumerate(rows)
            for (first, last), width in zip(found.tokens, found.widths, strict=True)
        ),
        device,
    )


def entity_spans(rows: Sequence[Sequence[Entity]], device: torch.device) -> Spans:
    """The given entities of each row of a batch, as spans."""
    return _spans(
        ((row, *e.tokens, e.width) for row, entities in enumerate(rows) for e in entities),
        device,
    )


def _spans(found: Iterable[tuple[int, int, int, int]], device: torch.device) -> Spans:
    """(row, first piece, last piece, width) as columns; positions shift past the start token."""
    columns: list[list[int]] = [[], [], [], []]
    for row, first, last, width in found:
        for column, value in zip(columns, (row, first + 1, last + 1, width), strict=True):
            column.append(value)
    return Spans(*(torch.tensor(c, dtype=torch.long, device=device) for c in columns))


def span_pairs(
    rows: Sequence[tuple[Sequence[Entity], Sequence[Candidate]]], device: torch.device
) -> SpanPairs:
    """The candidates of each row of a batch, given with that row's entities."""
    drugs = entity_spans([[entities[c.drug] for c in found] for entities, found in rows], device)
    others = entity_spans([[entities[c.other] for c in found] for entities, found in rows], device)
    relations = torch.tensor(
        [c.relation for _, found in rows for c in found], dtype=torch.long, device=device
    )
    return SpanPairs(relations, drugs, others)


def train_batch(
    examples: Sequence[Example], special: SpecialIds, classes: int, device: torch.device
) -> TrainBatch:
    encoded = inputs([e.piece for e in examples], special, device)
    found = spans([e.spans for e in examples], device)
    allowed = torch.zeros((len(found), classes), dtype=torch.bool)
    at = 0
    for example in examples:
        for label in example.classes:
            allowed[at, label] = True
            if label == NONE:
                allowed[at, list(example.open_classes)] = True
            at += 1
    pairs = span_pairs([(e.entities, e.candidates) for e in examples], device)
    labels = torch.tensor([v for e in examples for v in e.labels], dtype=torch.float)
    events = entity_spans([[e.entities[i] for i, _ in e.assertions] for e in examples], device)
    assertions = torch.tensor([a for e in examples for _, a in e.assertions], dtype=torch.long)
    return TrainBatch(
        encoded, found, allowed.to(device), pairs, labels.to(device), events, assertions.to(device)
    )


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
