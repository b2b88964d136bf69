"""The network, SpERT-style (Eberts & Ulges 2020): a pretrained encoder, a span classifier,
a relation classifier over span pairs and an event assertion classifier, all on one forward
pass.

A span is [first token; last token; max-pool over its tokens; width embedding]. A pair is
[drug span; other span; max-pool over the tokens between them; relation embedding] through
a small MLP: the context between the spans is what tells which of several drugs of a
sentence caused which event. An event's assertion reads its span and the sentence's start
token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from extract.finetune.encoder.batching import Inputs, SpanPairs, Spans


@dataclass(frozen=True)
class HeadShape:
    hidden: int
    classes: int  # "not a mention" and each kind
    max_width: int
    width_dim: int
    relations: int
    relation_dim: int
    dropout: float
    assertions: int  # learned assertion classes of an event; 0: no assertion head

    @property
    def span_dim(self) -> int:
        return 3 * self.hidden + self.width_dim


def _mlp(inputs: int, hidden: int, outputs: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(inputs, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, outputs)
    )


class Heads(nn.Module):
    """Everything on top of the encoder: what `pvkg train` saves beside it."""

    def __init__(self, shape: HeadShape) -> None:
        super().__init__()
        self.shape = shape
        self.dropout = nn.Dropout(shape.dropout)
        self.width = nn.Embedding(shape.max_width + 1, shape.width_dim)
        self.entity = _mlp(shape.span_dim, shape.hidden, shape.classes, shape.dropout)
        self.relation = nn.Embedding(shape.relations, shape.relation_dim)
        pair_dim = 2 * shape.span_dim + shape.hidden + shape.relation_dim
        self.pair = _mlp(pair_dim, shape.hidden, 1, shape.dropout)
        if shape.assertions:
            self.assertion = _mlp(
                shape.span_dim + shape.hidden, shape.hidden, shape.assertions, shape.dropout
            )


class SpanModel(nn.Module):
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

    def span_vectors(self, states: torch.Tensor, spans: Spans) -> torch.Tensor:
        """[spans, span_dim]."""
        pooled = _running_max(states, int((spans.last - spans.first).max()) + 1)
        return torch.cat(
            [
                states[spans.rows, spans.first],
                states[spans.rows, spans.last],
                pooled[spans.last - spans.first, spans.rows, spans.first],
                self.heads.width(spans.widths.clamp(max=self.heads.shape.max_width)),
            ],
            dim=-1,
        )

    def span_logits(self, states: torch.Tensor, spans: Spans) -> torch.Tensor:
        """[spans, classes]."""
        logits: torch.Tensor = self.heads.entity(self.span_vectors(states, spans))
        return logits

    def assertion_logits(self, states: torch.Tensor, events: Spans) -> torch.Tensor:
        """[events, assertions]: from the event's span and its sentence's start token."""
        features = torch.cat([self.span_vectors(states, events), states[events.rows, 0]], dim=-1)
        logits: torch.Tensor = self.heads.assertion(features)
        return logits

    def pair_logits(self, states: torch.Tensor, pairs: SpanPairs) -> torch.Tensor:
        """One logit per candidate: related or not."""
        drug, other = pairs.drug, pairs.other
        between = _masked_max(
            states[drug.rows],
            torch.minimum(drug.last, other.last) + 1,
            torch.maximum(drug.first, other.first),
        )
        features = torch.cat(
            [
                self.span_vectors(states, drug),
                self.span_vectors(states, other),
                between,
                self.heads.relation(pairs.relations),
            ],
            dim=-1,
        )
        logits: torch.Tensor = self.heads.pair(features)
        return logits.squeeze(-1)


def _running_max(states: torch.Tensor, lengths: int) -> torch.Tensor:
    """[lengths, batch, positions, hidden]: entry k at p is the max over positions p..p+k."""
    batch, positions, hidden = states.shape
    padded = torch.cat([states, states.new_full((batch, lengths, hidden), -1e4)], dim=1)
    levels = [states]
    for k in range(1, lengths):
        levels.append(torch.maximum(levels[-1], padded[:, k : k + positions]))
    return torch.stack(levels)


def _masked_max(rows: torch.Tensor, first: torch.Tensor, stop: torch.Tensor) -> torch.Tensor:
    """Max state over positions [first, stop) of each row; zeros where that is empty."""
    positions = torch.arange(rows.shape[1], device=rows.device)
    mask = (positions >= first[:, None]) & (positions < stop[:, None])
    masked = rows.masked_fill(~mask.unsqueeze(-1), -1e4).max(dim=1).values
    return torch.where(mask.any(dim=1, keepdim=True), masked, torch.zeros_like(masked))
