"""The model over pieces: every candidate span classified, the mentions kept, then every
candidate pair scored, in length-sorted batches under `torch.inference_mode`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from extract.finetune.encoder.batching import (
    SpecialIds,
    entity_spans,
    inputs,
    span_pairs,
    spans,
)
from extract.finetune.encoder.examples import NONE
from extract.finetune.encoder.model import SpanModel
from extract.finetune.encoder.pairs import Candidate, Entity, candidates
from extract.finetune.encoder.pieces import Piece
from extract.finetune.encoder.spans import SpanSet
from extract.finetune.encoder.storage import HeadConfig
from pvkg.errors import ConfigError
from pvkg.records import Assertion, MentionKind


@dataclass(frozen=True)
class Prediction:
    """One piece's entities, its candidates scored as related with the probability, and
    each entity's learned assertion (None where not an event or there is no assertion head;
    empty: none learned)."""

    entities: tuple[Entity, ...]
    links: tuple[tuple[Candidate, float], ...]
    assertions: tuple[Assertion | None, ...] = ()


@dataclass(frozen=True)
class Runtime:
    model: SpanModel
    special: SpecialIds
    config: HeadConfig
    device: torch.device
    batch_size: int


Item = tuple[Piece, SpanSet]


def predict(runtime: Runtime, items: Sequence[Item]) -> list[Prediction]:
    """A prediction per piece, in the order given."""
    runtime.model.eval()
    order = sorted(range(len(items)), key=lambda i: len(items[i][0]))
    found: dict[int, Prediction] = {}
    with torch.inference_mode():
        for first in range(0, len(order), runtime.batch_size):
            chosen = order[first : first + runtime.batch_size]
            batch = _predict_batch(runtime, [items[i] for i in chosen])
            found.update(zip(chosen, batch, strict=True))
    return [found[i] for i in range(len(items))]


def _predict_batch(runtime: Runtime, items: list[Item]) -> list[Prediction]:
    states = runtime.model.states(inputs([p for p, _ in items], runtime.special, runtime.device))
    entities = _entities(runtime, states, [s for _, s in items])
    assertions = _assertions(runtime, states, entities)
    pairs = [candidates(e) for e in entities]
    if not any(pairs):
        return [Prediction(e, (), a) for e, a in zip(entities, assertions, strict=True)]
    rows = list(zip(entities, pairs, strict=True))
    logits = runtime.model.pair_logits(states, span_pairs(rows, runtime.device))
    probabilities = torch.sigmoid(logits).cpu().tolist()
    predictions, at = [], 0
    for found, row_pairs, learned in zip(entities, pairs, assertions, strict=True):
        scores = probabilities[at : at + len(row_pairs)]
        at += len(row_pairs)
        links = tuple(
            (c, p) for c, p in zip(row_pairs, scores, strict=True) if p >= runtime.config.threshold
        )
        predictions.append(Prediction(found, links, learned))
    return predictions


def _assertions(
    runtime: Runtime, states: torch.Tensor, rows: list[tuple[Entity, ...]]
) -> list[tuple[Assertion | None, ...]]:
    """Each row's learned assertion per entity: events only, where the model has the head."""
    events = [[e for e in row if e.kind == "adverse_event"] for row in rows]
    if not runtime.config.assertions or not any(events):
        return [() for _ in rows]
    logits = runtime.model.assertion_logits(states, entity_spans(events, runtime.device))
    learned = iter(logits.argmax(dim=-1).cpu().tolist())
    return [
        tuple(
            runtime.config.assertions[next(learned)] if e.kind == "adverse_event" else None
            for e in row
        )
        for row in rows
    ]


def _entities(
    runtime: Runtime, states: torch.Tensor, rows: list[SpanSet]
) -> list[tuple[Entity, ...]]:
    """Each row's mentions: spans whose likeliest class is a kind."""
    if not any(rows):
        return [() for _ in rows]
    logits = runtime.model.span_logits(states, spans(rows, runtime.device))
    best, classes = torch.softmax(logits, dim=-1).max(dim=-1)
    best_list, class_list = best.cpu().tolist(), classes.cpu().tolist()
    found, at = [], 0
    for row in rows:
        chosen = [
            (best_list[at + i], class_list[at + i], i)
            for i in range(len(row))
            if class_list[at + i] != NONE
        ]
        at += len(row)
        found.append(_without_overlaps(row, chosen, runtime.config.types))
    return found


def _without_overlaps(
    row: SpanSet, chosen: list[tuple[float, int, int]], types: Sequence[MentionKind]
) -> tuple[Entity, ...]:
    """The likeliest spans first; a span overlapping a kept one of its kind is dropped (an
    event may still hold a drug: "lithium toxicity")."""
    kept: list[Entity] = []
    for _, label, index in sorted(chosen, reverse=True):
        kind = types[label - 1]
        start, end = row.chars[index]
        if any(e.kind == kind and e.start < end and start < e.end for e in kept):
            continue
        kept.append(Entity(kind, row.tokens[index], row.widths[index], start, end))
    return tuple(sorted(kept, key=lambda e: (e.start, e.end)))


def resolve_device(name: str | None) -> torch.device:
    """`name`, else CUDA when there is a GPU, else the CPU."""
    try:
        return torch.device(name or ("cuda" if torch.cuda.is_available() else "cpu"))
    except RuntimeError as exc:
        raise ConfigError(f"unknown torch device {name!r}") from exc
