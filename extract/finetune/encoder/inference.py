"""The model over pieces: tags decoded to entities, then every candidate pair scored, in
length-sorted batches under `torch.inference_mode`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from extract.finetune.encoder.batching import SpecialIds, inputs, span_pairs
from extract.finetune.encoder.model import PairTagger
from extract.finetune.encoder.pairs import Candidate, Entity, candidates
from extract.finetune.encoder.pieces import Piece
from extract.finetune.encoder.storage import HeadConfig
from extract.finetune.encoder.tagging import decode, whole_words
from pvkg.errors import ConfigError


@dataclass(frozen=True)
class Prediction:
    """One piece's entities, and its candidates scored as related, with the probability."""

    entities: tuple[Entity, ...]
    links: tuple[tuple[Candidate, float], ...]


@dataclass(frozen=True)
class Runtime:
    model: PairTagger
    special: SpecialIds
    config: HeadConfig
    device: torch.device
    batch_size: int


def predict(runtime: Runtime, pieces: Sequence[Piece]) -> list[Prediction]:
    """A prediction per piece, in the order given."""
    runtime.model.eval()
    order = sorted(range(len(pieces)), key=lambda i: len(pieces[i]))
    found: dict[int, Prediction] = {}
    with torch.inference_mode():
        for first in range(0, len(order), runtime.batch_size):
            chosen = order[first : first + runtime.batch_size]
            batch = _predict_batch(runtime, [pieces[i] for i in chosen])
            found.update(zip(chosen, batch, strict=True))
    return [found[i] for i in range(len(pieces))]


def _predict_batch(runtime: Runtime, pieces: list[Piece]) -> list[Prediction]:
    states = runtime.model.states(inputs(pieces, runtime.special, runtime.device))
    tags = runtime.model.tag_logits(states).argmax(dim=-1).cpu()
    entities = [
        _entities(piece, tags[row, 1 : len(piece) + 1], runtime.config)
        for row, piece in enumerate(pieces)
    ]
    pairs = [candidates(e) for e in entities]
    if not any(pairs):
        return [Prediction(e, ()) for e in entities]
    rows = list(zip(entities, pairs, strict=True))
    logits = runtime.model.pair_logits(states, span_pairs(rows, runtime.device))
    probabilities = torch.sigmoid(logits).cpu().tolist()
    predictions, at = [], 0
    for found, row_pairs in zip(entities, pairs, strict=True):
        scores = probabilities[at : at + len(row_pairs)]
        at += len(row_pairs)
        links = tuple(
            (c, p) for c, p in zip(row_pairs, scores, strict=True) if p >= runtime.config.threshold
        )
        predictions.append(Prediction(found, links))
    return predictions


def resolve_device(name: str | None) -> torch.device:
    """`name`, else CUDA when there is a GPU, else the CPU."""
    try:
        return torch.device(name or ("cuda" if torch.cuda.is_available() else "cpu"))
    except RuntimeError as exc:
        raise ConfigError(f"unknown torch device {name!r}") from exc


def _entities(piece: Piece, tags: torch.Tensor, config: HeadConfig) -> tuple[Entity, ...]:
    """Each type's decoded mentions, widened to whole words, each (type, range) once."""
    found: dict[tuple[str, tuple[int, int]], Entity] = {}
    for column, kind in enumerate(config.types):
        for span in decode(tags[:, column].tolist()):
            first, last = whole_words(piece, span)
            start, end = piece.offsets[first][0], piece.offsets[last][1]
            found.setdefault((kind, (first, last)), Entity(kind, (first, last), start, end))
    return tuple(found.values())
