"""The network: a pretrained encoder, a tagger over its token states, and a pair classifier
over span representations from the same forward pass.

A pair is [mean(drug); mean(other); mean(tokens between them); drug * other; relation
embedding] through a small MLP: the context between the spans is what tells which of
several drugs of a sentence caused which event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from extract.finetune.encoder.batching import Inputs, SpanPairs


@dataclass(frozen=True)
class HeadShape:
    hidden: int
    types: int
    tags: int
    relations: int
    relation_dim: int
    dropout: float


class Heads(nn.Module):
    """Everything on top of the encoder: what `pvkg train` saves beside it."""

    def __init__(self, shape: HeadShape) -> None:
        super().__init__()
        self.shape = shape
        self.dropout = nn.Dropout(shape.dropout)
        self.tagger = nn.Linear(shape.hidden, shape.types * shape.tags)
        self.relation = nn.Embedding(shape.relations, shape.relation_dim)
        self.pair = nn.Sequential(
            nn.Linear(4 * shape.hidden + shape.relation_dim, shape.hidden),
            nn.GELU(),
            nn.Dropout(shape.dropout),
            nn.Linear(shape.hidden, 1),
        )


class PairTagger(nn.Module):
    def __init__(self, encoder: Any, heads: Heads) -> None:
        super().__init__()
        self.encoder: Any = encoder  # a transformers model: untyped
        self.heads = heads

    def states(self, inputs: Inputs) -> torch.Tensor:
        """Token states [batch, positions, hidden], dropout applied in training."""
        output = self.encoder(input_ids=inputs.ids, attention_mask=inputs.mask)
        states: torch.Tensor = output.last_hidden_state
        dropped: torch.Tensor = self.heads.dropout(states)
        return dropped

    def tag_logits(self, states: torch.Tensor) -> torch.Tensor:
        """[batch, positions, types, tags]."""
        shape = self.heads.shape
        logits: torch.Tensor = self.heads.tagger(states)
        return logits.view(*states.shape[:2], shape.types, shape.tags)

    def pair_logits(self, states: torch.Tensor, pairs: SpanPairs) -> torch.Tensor:
        """One logit per candidate: related or not."""
        rows = states[pairs.rows]
        drug = _mean(rows, *pairs.drug)
        other = _mean(rows, *pairs.other)
        between = _mean(
            rows,
            torch.minimum(pairs.drug[1], pairs.other[1]),
            torch.maximum(pairs.drug[0], pairs.other[0]),
        )
        features = torch.cat(
            [drug, other, between, drug * other, self.heads.relation(pairs.relations)], dim=-1
        )
        logits: torch.Tensor = self.heads.pair(features)
        return logits.squeeze(-1)


def _mean(rows: torch.Tensor, first: torch.Tensor, stop: torch.Tensor) -> torch.Tensor:
    """Mean state over positions [first, stop) of each row; zeros where that is empty."""
    positions = torch.arange(rows.shape[1], device=rows.device)
    mask = (positions >= first[:, None]) & (positions < stop[:, None])
    total = (rows * mask.unsqueeze(-1)).sum(dim=1)
    return total / mask.sum(dim=1, keepdim=True).clamp(min=1)
