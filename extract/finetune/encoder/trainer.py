"""Train the encoder: seeded, length-bucketed batches, AdamW with linear warmup and decay,
validation F1 after every epoch, the best epoch saved, early stopping and a time limit.

Pieces without a mention (the ADE corpus's many negative sentences) are trained on too:
a fresh seeded sample of them each epoch, `NEGATIVE_RATIO` per piece with a mention, so
the model learns to stay quiet without spending most steps on empty sentences. The word
embedding matrix is frozen: most of the parameters, little of the gain, much of the
optimizer's time on a CPU.
"""

from __future__ import annotations

import contextlib
import math
import random
import time
from dataclasses import dataclass, field
from typing import get_args

import numpy as np
import torch
from torch.nn import functional

from extract.finetune.card import EpochRecord, ModelCard, hardware, now
from extract.finetune.data import TrainingData
from extract.finetune.encoder.base import base_model_dir, base_model_name
from extract.finetune.encoder.batching import SpecialIds, TrainBatch, bucketed, train_batch
from extract.finetune.encoder.examples import (
    LEARNED_ASSERTIONS,
    Example,
    Labelling,
    document_examples,
)
from extract.finetune.encoder.extents import Disagreement, disagreements, source_of
from extract.finetune.encoder.extractor import BATCH_SIZE, EncoderExtractor
from extract.finetune.encoder.inference import Runtime, resolve_device
from extract.finetune.encoder.model import SpanModel
from extract.finetune.encoder.pairs import RELATIONS
from extract.finetune.encoder.spans import MAX_SPAN_TOKENS, MAX_WIDTH
from extract.finetune.encoder.storage import HeadConfig, Loaded, build, load_pretrained, save
from extract.finetune.options import Defaults, EventHandler, TrainEvent, TrainOptions
from extract.finetune.validation import SELECTION_METRIC, EarlyStopping, validation_scores
from extract.precision import resolve_precision
from pvkg import __version__
from pvkg.errors import ConfigError
from pvkg.records import ExtractorInfo, MentionKind

# Eight epochs: on the ADE and PHEE training parts validation F1 still rose up to the
# seventh, and eight took 42 min on a 2-core CPU (2,532 s, load about 2).
ENCODER_DEFAULTS = Defaults(epochs=8, learning_rate=5e-5, batch_size=16, max_length=128)
HEAD_LR_FACTOR = 20  # the heads start from random weights: they learn faster
WEIGHT_DECAY = 0.01
WARMUP_FRACTION = 0.1
MAX_GRAD_NORM = 1.0
DROPOUT = 0.1
RELATION_DIM = 32
WIDTH_DIM = 25  # SpERT's
TYPES: tuple[MentionKind, ...] = get_args(MentionKind)
THRESHOLD = 0.5
NEGATIVE_RATIO = 0.5


@dataclass
class _Pool:
    positive: list[Example]
    negative: list[Example]
    disagreements: list[Disagreement]

    def epoch(self, rng: random.Random) -> list[Example]:
        """Every positive piece and a fresh sample of negative ones."""
        return [*self.positive, *rng.sample(self.negative, self._negatives())]

    def size(self) -> int:
        return len(self.positive) + self._negatives()

    def _negatives(self) -> int:
        return min(len(self.negative), round(NEGATIVE_RATIO * len(self.positive)))


def train_encoder(
    data: TrainingData, options: TrainOptions, *, on_event: EventHandler | None = None
) -> ModelCard:
    """Train on `data.train`, pick the epoch by F1 on `data.validation`, save the best
    model into `options.output` and return its card (the caller writes it)."""
    options = options.with_defaults(ENCODER_DEFAULTS)
    started = time.perf_counter()
    _seed(options.seed)
    if options.threads:
        torch.set_num_threads(options.threads)
    device = resolve_device(options.device)
    base = base_model_dir(options.base_model)
    tokenizer, encoder = load_pretrained(base)
    config = _head_config(options)
    model = build(encoder, config).to(device)
    encoder.get_input_embeddings().weight.requires_grad_(False)
    pool = _pool(data, tokenizer, config.max_length - 2)
    loaded = Loaded(model, tokenizer, config)
    session = _Session(options, loaded, device, pool, data, on_event, started=started)
    stopped = session.run()
    return ModelCard(
        kind="encoder",
        base_model=base_model_name(options.base_model, base),
        created=now(),
        seed=options.seed,
        data=data.summary(),
        hyperparameters=_hyperparameters(options, base, session),
        history=tuple(session.history),
        best_epoch=session.stopping.best_epoch,
        metrics=session.history[session.stopping.best_epoch - 1].validation,
        selection_metric=SELECTION_METRIC,
        stopped=stopped,
        hardware=hardware(),
        seconds=round(time.perf_counter() - started, 1),
    )


@dataclass
class _Session:
    options: TrainOptions
    loaded: Loaded
    device: torch.device
    pool: _Pool
    data: TrainingData
    on_event: EventHandler | None
    started: float  # the time limit counts from here
    history: list[EpochRecord] = field(default_factory=list)
    step: int = 0
    reserve: float = 0.0  # seconds the last validation and save took

    def __post_init__(self) -> None:
        self.epochs = self.options.epochs or ENCODER_DEFAULTS.epochs
        batch = self.options.batch_size or ENCODER_DEFAULTS.batch_size
        self.total = self.epochs * math.ceil(self.pool.size() / batch)
        self.optimizer, self.schedule = _optimizer(self.loaded.model, self.options, self.total)
        self.special = SpecialIds.of(self.loaded.tokenizer)
        self.stopping = EarlyStopping(self.options.patience)
        self.precision = resolve_precision(self.options.precision, self.device.type)

    def run(self) -> str:
        """Train epoch by epoch; why training stopped."""
        for epoch in range(1, self.epochs + 1):
            epoch_started = time.perf_counter()
            loss, steps, timed_out = self._epoch(epoch)
            scores = self._validate(epoch)
            self.history.append(
                EpochRecord(
                    epoch=epoch,
                    steps=steps,
                    train_loss=loss,
                    validation=scores,
                    seconds=round(time.perf_counter() - epoch_started, 1),
                )
            )
            if timed_out:
                return f"time limit of {self.options.max_minutes} minutes, in epoch {epoch}"
            if self.stopping.should_stop:
                return f"early stopping: no better validation F1 in {self.options.patience} epochs"
        return f"completed {self.epochs} epochs"

    def _epoch(self, epoch: int) -> tuple[float, int, bool]:
        """Mean loss, steps taken, and whether the time limit cut the epoch short."""
        model = self.loaded.model.train()
        batch_size = self.options.batch_size or ENCODER_DEFAULTS.batch_size
        rng = random.Random(self.options.seed + epoch)  # noqa: S311 - sampling, not secrets
        losses: list[float] = []
        classes = 1 + len(self.loaded.config.types)
        for examples in bucketed(self.pool.epoch(rng), batch_size, rng):
            with self._autocast():
                loss = _loss(model, train_batch(examples, self.special, classes, self.device))
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM)
            self.optimizer.step()
            self.schedule.step()
            self.optimizer.zero_grad()
            self.step += 1
            losses.append(float(loss.item()))
            self._emit(TrainEvent(epoch, self.step, self.total, loss=losses[-1]))
            if self._out_of_time():
                return sum(losses) / len(losses), len(losses), True
        return sum(losses) / len(losses), len(losses), False

    def _autocast(self) -> contextlib.AbstractContextManager[object]:
        """bfloat16 arithmetic on the forward pass, weights and their updates in float32:
        1.4x the steps per second on an AVX-512 BF16 CPU, the same losses."""
        if self.precision == "float32":
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=torch.bfloat16)

    def _validate(self, epoch: int) -> dict[str, float]:
        """Score the model on the validation documents; save it when it is the best yet."""
        started = time.perf_counter()
        runtime = Runtime(
            self.loaded.model, self.special, self.loaded.config, self.device, BATCH_SIZE
        )
        info = ExtractorInfo(name="finetuned-encoder:validation", version=__version__)
        extractor = EncoderExtractor(runtime, self.loaded.tokenizer, info)
        scores = validation_scores(extractor, self.data.validation)
        best = self.stopping.improved(epoch, scores)
        if best:
            save(self.loaded, self.options.output)
        self.reserve = time.perf_counter() - started
        value = scores[SELECTION_METRIC]
        message = f"epoch {epoch}: {SELECTION_METRIC} {value:.3f}" + (" (best)" if best else "")
        self._emit(TrainEvent(epoch, self.step, self.total, validation_f1=value, message=message))
        return scores

    def _out_of_time(self) -> bool:
        if self.options.max_minutes is None:
            return False
        elapsed = time.perf_counter() - self.started
        return elapsed + self.reserve >= 60 * self.options.max_minutes

    def _emit(self, event: TrainEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)


def _loss(model: SpanModel, batch: TrainBatch) -> torch.Tensor:
    """Span cross-entropy plus, where the batch has them, the cross-entropy of the gold
    events' assertions and of the candidate pairs.

    A span's label admits one class, or for an unmarked span "none" and the kinds its
    document leaves open: the loss is minus the log of their summed probability.
    """
    states = model.states(batch.inputs)
    loss = states.new_zeros(())
    if len(batch.spans):
        scores = functional.log_softmax(model.span_logits(states, batch.spans), dim=-1)
        loss = -scores.masked_fill(~batch.allowed, -1e4).logsumexp(dim=-1).mean()
    if len(batch.events) and model.heads.shape.assertions:
        assertion_logits = model.assertion_logits(states, batch.events)
        loss = loss + functional.cross_entropy(assertion_logits, batch.assertions)
    if len(batch.pairs):
        pair_logits = model.pair_logits(states, batch.pairs)
        loss = loss + functional.binary_cross_entropy_with_logits(pair_logits, batch.labels)
    return loss


def _optimizer(
    model: SpanModel, options: TrainOptions, total: int
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LambdaLR]:
    """AdamW, the heads at a higher rate, no decay on biases and norms; linear warmup then
    linear decay to zero over `total` steps."""
    rate = options.learning_rate or ENCODER_DEFAULTS.learning_rate
    groups = []
    for module, lr in ((model.encoder, rate), (model.heads, rate * HEAD_LR_FACTOR)):
        trained = [p for p in module.parameters() if p.requires_grad]
        for decay in (True, False):
            chosen = [p for p in trained if (p.dim() >= 2) == decay]
            groups.append({"params": chosen, "lr": lr, "weight_decay": WEIGHT_DECAY * decay})
    optimizer = torch.optim.AdamW(groups)
    warmup = max(1, round(WARMUP_FRACTION * total))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _pool(data: TrainingData, tokenizer: object, max_tokens: int) -> _Pool:
    found = disagreements(data.train, TYPES)
    unlearned: dict[str, list[MentionKind]] = {}
    for disagreement in found:
        unlearned.setdefault(disagreement.dropped, []).append(disagreement.kind)
    exhaustive = {k for d in data.train for k in (TYPES if d.annotated is None else d.annotated)}
    examples = [
        example
        for document in data.train
        for example in document_examples(
            document,
            tokenizer,
            max_tokens,
            Labelling(TYPES, tuple(unlearned.get(source_of(document), ())), exhaustive),
        )
    ]
    positive = [e for e in examples if e.positive]
    if not positive:
        raise ConfigError(
            "no training sentence holds a gold drug, dose or adverse event mention",
            hint="give gold documents with annotated triples",
        )
    return _Pool(positive, [e for e in examples if not e.positive], found)


def _head_config(options: TrainOptions) -> HeadConfig:
    return HeadConfig(
        types=TYPES,
        relations=RELATIONS,
        max_length=options.max_length or ENCODER_DEFAULTS.max_length,
        max_width=MAX_WIDTH,
        width_dim=WIDTH_DIM,
        relation_dim=RELATION_DIM,
        dropout=DROPOUT,
        threshold=THRESHOLD,
        assertions=LEARNED_ASSERTIONS,
    )


def _seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def _hyperparameters(
    options: TrainOptions, base: object, session: _Session
) -> dict[str, str | int | float | bool | None]:
    pool = session.pool
    return {
        "base_model_path": str(base),
        "epochs": options.epochs,
        "patience": options.patience,
        "learning_rate": options.learning_rate,
        "head_learning_rate": (options.learning_rate or 0.0) * HEAD_LR_FACTOR,
        "batch_size": options.batch_size,
        "max_length": options.max_length,
        "optimizer": "AdamW, no decay on biases and norms",
        "weight_decay": WEIGHT_DECAY,
        "schedule": "linear warmup then linear decay",
        "warmup_fraction": WARMUP_FRACTION,
        "max_grad_norm": MAX_GRAD_NORM,
        "dropout": DROPOUT,
        "relation_embedding_dim": RELATION_DIM,
        "pair_threshold": THRESHOLD,
        "spans": (
            f"whole words, up to {MAX_WIDTH} words and {MAX_SPAN_TOKENS} word pieces, "
            "beginning and ending on a letter or digit"
        ),
        "span_representation": "first and last token, max-pool, width embedding",
        "assertion": (
            "learned present/negated/speculated on gold events (span and start token); "
            "historical and family from the ConText rules"
        ),
        "extents": "; ".join(d.describe() for d in pool.disagreements) or "all sources",
        "frozen": "word embeddings",
        "positive_pieces": len(pool.positive),
        "negative_pieces": len(pool.negative),
        "negative_sampling": f"{NEGATIVE_RATIO} per positive piece, resampled each epoch",
        "validation_fraction": options.validation_fraction,
        "device": str(session.device),
        "precision": session.precision,
        "threads": torch.get_num_threads(),
        "max_minutes": options.max_minutes,
        "max_train_documents": options.max_train_documents,
        "max_validation_documents": options.max_validation_documents,
    }
