"""`train_lora`: gold documents in, a LoRA adapter and its model card out.

The base loads (4-bit on CUDA when asked or by default), the gold documents become prompt
+ reply examples, and the loop trains the adapter, scoring each epoch by extracting the
validation documents with the very extractor `pvkg extract --extractor finetuned` runs.
The best epoch's adapter and the tokenizer are saved into `options.output`; the caller
writes the card returned.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import replace

import torch
from peft import PeftModel

from extract.finetune.card import ModelCard, Scalar, hardware, now
from extract.finetune.data import TrainingData
from extract.finetune.lora.adapter import adapted_modules, attach, trainable_parameters
from extract.finetune.lora.base import base_path, base_reference, load_base, pick_device, use_4bit
from extract.finetune.lora.examples import Examples, build_examples
from extract.finetune.lora.inference import MAX_NEW_TOKENS, PROMPT, WINDOWING, lora_extractor
from extract.finetune.lora.loop import WARMUP, Outcome, Plan, fit
from extract.finetune.options import Defaults, EventHandler, TrainOptions
from extract.finetune.validation import SELECTION_METRIC, validation_scores
from extract.llm.extractor import LLMExtractor
from extract.llm.local import eos_id
from extract.llm.prompting import load_prompt
from pvkg.errors import ConfigError
from pvkg.gold import GoldDocument
from pvkg.options import ref

LORA_DEFAULTS = Defaults(epochs=2, learning_rate=2e-4, batch_size=4, max_length=384)
# Validation generates a reply per document (seconds each on CPU): a seeded sample of this
# many is scored unless --max-validation-documents says otherwise.
VALIDATION_CAP = 40


def train_lora(
    data: TrainingData, options: TrainOptions, *, on_event: EventHandler | None = None
) -> ModelCard:
    """Train an adapter on `data.train`, keeping the epoch best on `data.validation`."""
    started, created = time.perf_counter(), now()
    options = options.with_defaults(LORA_DEFAULTS)
    random.seed(options.seed)
    torch.manual_seed(options.seed)
    if options.threads:
        torch.set_num_threads(options.threads)
    reference = base_reference(options.base_model)
    source, device = base_path(reference), pick_device(options.device)
    base = load_base(source, device=device, quantize=use_4bit(options.quantize, device, source))
    prompt = load_prompt(PROMPT, steps=("triples",))
    eos = eos_id(base.tokenizer)
    examples = build_examples(
        data.train,
        prompt,
        base.tokenizer,
        eos=eos,
        max_length=int(options.max_length or 0),
        windowing=WINDOWING,
    )
    if not examples.kept:
        raise ConfigError(
            f"no training example fits in {options.max_length} tokens",
            hint=f"raise {ref(TrainOptions, 'max_length')}",
        )
    model = attach(base, options)
    validation = capped(data.validation, options)
    extractor = lora_extractor(model, base.tokenizer, folder=options.output, prompt=prompt)
    options.output.mkdir(parents=True, exist_ok=True)
    base.tokenizer.save_pretrained(options.output)
    outcome = fit(
        model,
        examples.kept,
        plan(options, eos),
        validate=lambda: _validate(model, extractor, validation),
        save=lambda: model.save_pretrained(str(options.output)),
        on_event=on_event,
    )
    return ModelCard(
        kind="lora",
        base_model=reference,
        created=created,
        seed=options.seed,
        data=replace(data, validation=validation).summary(),
        hyperparameters=hyperparameters(options, model, examples, outcome, base.quantized),
        history=tuple(outcome.history),
        best_epoch=outcome.best_epoch,
        metrics=outcome.best,
        selection_metric=SELECTION_METRIC,
        stopped=outcome.stopped,
        hardware=hardware(),
        seconds=time.perf_counter() - started,
    )


def capped(documents: Sequence[GoldDocument], options: TrainOptions) -> tuple[GoldDocument, ...]:
    """The validation documents, a seeded sample of VALIDATION_CAP when none was asked."""
    if options.max_validation_documents is not None or len(documents) <= VALIDATION_CAP:
        return tuple(documents)
    chosen = random.Random(options.seed).sample(range(len(documents)), VALIDATION_CAP)  # noqa: S311
    return tuple(documents[i] for i in sorted(chosen))


def plan(options: TrainOptions, pad: int) -> Plan:
    return Plan(
        epochs=int(options.epochs or 0),
        batch_size=int(options.batch_size or 0),
        learning_rate=float(options.learning_rate or 0.0),
        patience=options.patience,
        seed=options.seed,
        pad=pad,
        max_seconds=None if options.max_minutes is None else 60 * options.max_minutes,
    )


def hyperparameters(
    options: TrainOptions, model: PeftModel, examples: Examples, outcome: Outcome, quantized: bool
) -> dict[str, Scalar]:
    return {
        "epochs": options.epochs,
        "learning_rate": options.learning_rate,
        "batch_size": options.batch_size,
        "max_length": options.max_length,
        "patience": options.patience,
        "optimizer": f"AdamW, linear warmup ({WARMUP:.0%} of steps) and decay, grad clip 1.0",
        "lora_r": options.lora_r,
        "lora_alpha": options.lora_alpha,
        "lora_dropout": options.lora_dropout,
        "target_modules": adapted_modules(model),
        "trainable_parameters": trainable_parameters(model),
        "quantization": "4-bit NF4 base (QLoRA)" if quantized else "none (float32 base)",
        "quantize_requested": options.quantize,
        "device": str(next(model.parameters()).device),
        "threads": torch.get_num_threads(),
        "prompt": PROMPT,
        "prompt_version": load_prompt(PROMPT, steps=("triples",)).label,
        "window_chars": WINDOWING.size,
        "window_overlap": WINDOWING.overlap,
        "max_new_tokens": MAX_NEW_TOKENS,
        "train_examples": len(examples.kept),
        "examples_too_long": examples.too_long,
        "steps": outcome.steps,
        "max_minutes": options.max_minutes,
        "max_train_documents": options.max_train_documents,
        "max_validation_documents": options.max_validation_documents or VALIDATION_CAP,
    }


def _validate(
    model: PeftModel, extractor: LLMExtractor, documents: Sequence[GoldDocument]
) -> dict[str, float]:
    model.eval()
    try:
        return validation_scores(extractor, documents)
    finally:
        model.train()
