"""The training loop: seeded batches, AdamW on the adapter weights with linear warmup and
decay, one validation per epoch, early stopping on it and a time limit.

The loop knows nothing of files or extractors: `validate` scores the current weights and
`save` keeps them, both supplied by the trainer.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import torch
from torch import nn
from transformers import get_linear_schedule_with_warmup

from extract.finetune.card import EpochRecord
from extract.finetune.lora.examples import IGNORE, Example
from extract.finetune.options import EventHandler, TrainEvent
from extract.finetune.validation import SELECTION_METRIC, EarlyStopping

WARMUP = 0.1  # share of all steps over which the learning rate rises from 0
MAX_GRAD_NORM = 1.0
Batch = dict[str, torch.Tensor]


@dataclass(frozen=True)
class Plan:
    epochs: int
    batch_size: int
    learning_rate: float
    patience: int
    seed: int
    pad: int
    max_seconds: float | None


@dataclass
class Outcome:
    history: list[EpochRecord] = field(default_factory=list)
    best: dict[str, float] = field(default_factory=dict)
    best_epoch: int = 0
    stopped: str = ""
    steps: int = 0


def fit(
    model: nn.Module,
    examples: Sequence[Example],
    plan: Plan,
    *,
    validate: Callable[[], dict[str, float]],
    save: Callable[[], None],
    on_event: EventHandler | None,
) -> Outcome:
    """Train for `plan.epochs`, saving after every epoch that sets a new best."""
    emit = on_event or (lambda _: None)
    total = plan.epochs * math.ceil(len(examples) / plan.batch_size)
    weights = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(weights, lr=plan.learning_rate)
    warmup = math.ceil(WARMUP * total)
    schedule = get_linear_schedule_with_warmup(optimizer, warmup, total)  # type: ignore[no-untyped-call]
    stopping, order = EarlyStopping(plan.patience), random.Random(plan.seed)  # noqa: S311
    deadline = time.perf_counter() + (plan.max_seconds or math.inf)
    outcome = Outcome(stopped=f"all {plan.epochs} epochs")
    for epoch in range(1, plan.epochs + 1):
        began, losses = time.perf_counter(), []
        model.train()
        for batch in batches(examples, plan, order):
            losses.append(_step(model, batch, weights, optimizer, schedule))
            outcome.steps += 1
            emit(TrainEvent(epoch, outcome.steps, total, loss=losses[-1]))
            if time.perf_counter() > deadline:
                break
        scores = validate()
        emit(TrainEvent(epoch, outcome.steps, total, validation_f1=scores[SELECTION_METRIC]))
        outcome.history.append(
            EpochRecord(
                epoch=epoch,
                steps=len(losses),
                train_loss=sum(losses) / len(losses),
                validation=scores,
                seconds=time.perf_counter() - began,
            )
        )
        if stopping.improved(epoch, scores):
            save()
            outcome.best, outcome.best_epoch = scores, epoch
        if time.perf_counter() > deadline:
            outcome.stopped = f"time limit, in epoch {epoch} after {outcome.steps} steps"
            break
        if stopping.should_stop:
            outcome.stopped = f"early stopping after epoch {epoch}"
            break
    return outcome


def batches(examples: Sequence[Example], plan: Plan, order: random.Random) -> Iterator[Batch]:
    """One epoch of padded batches, in an order fixed by the seed."""
    shuffled = list(examples)
    order.shuffle(shuffled)
    for start in range(0, len(shuffled), plan.batch_size):
        yield collate(shuffled[start : start + plan.batch_size], plan.pad)


def collate(examples: Sequence[Example], pad: int) -> Batch:
    """Right-padded ids, their attention mask, and labels IGNORE on the padding."""
    width = max(len(e.input_ids) for e in examples)
    ids, mask, labels = [], [], []
    for example in examples:
        gap = width - len(example.input_ids)
        ids.append([*example.input_ids, *[pad] * gap])
        mask.append([1] * len(example.input_ids) + [0] * gap)
        labels.append([*example.labels, *[IGNORE] * gap])
    return {
        "input_ids": torch.tensor(ids),
        "attention_mask": torch.tensor(mask),
        "labels": torch.tensor(labels),
    }


def _step(
    model: nn.Module,
    batch: Batch,
    weights: list[nn.Parameter],
    optimizer: torch.optim.Optimizer,
    schedule: torch.optim.lr_scheduler.LRScheduler,
) -> float:
    device = weights[0].device
    loss = model(**{k: v.to(device) for k, v in batch.items()}).loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_(weights, MAX_GRAD_NORM)
    optimizer.step()
    schedule.step()
    optimizer.zero_grad(set_to_none=True)
    return float(loss.detach())
