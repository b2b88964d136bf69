"""The adapted model as an extractor: the LLM extractor itself, on a local backend.

Grounding, assertions, windows and provenance are the LLM extractor's; only the model
differs. No response cache: a model retrained into the same folder keeps its name, so a
cache keyed on it could serve the old model's replies.
"""

from __future__ import annotations

from pathlib import Path

from peft import PeftModel
from transformers import AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from extract.base import Extractor
from extract.finetune.card import ModelCard
from extract.finetune.lora.base import base_path, load_base, pick_device
from extract.llm.extractor import LLMExtractor, Windowing
from extract.llm.local import LocalBackend
from extract.llm.prompting import Prompt, load_prompt
from extract.llm.strategies import SingleStep
from extract.options import ExtractOptions
from pvkg.errors import ConfigError
from pvkg.options import ref

PROMPT = "zero-shot"
WINDOWING = Windowing()
MAX_NEW_TOKENS = 256


def lora_extractor(
    model: PreTrainedModel | PeftModel,
    tokenizer: PreTrainedTokenizerBase,
    *,
    folder: Path,
    prompt: Prompt,
) -> LLMExtractor:
    """The extractor for `model`; its provenance names the model folder."""
    backend = LocalBackend(
        model,  # type: ignore[arg-type]
        tokenizer,
        model_id=f"finetuned-lora:{folder.resolve().name}",
        max_tokens=MAX_NEW_TOKENS,
    )
    return LLMExtractor(backend, SingleStep(prompt), concurrency=1, windowing=WINDOWING)


def load_lora_extractor(model_path: Path, card: ModelCard, *, device: str | None) -> Extractor:
    """The base of `card` with the adapter of `model_path` merged into it."""
    prompt = learned_prompt(card)
    base = load_base(base_path(card.base_model), device=pick_device(device), quantize=False)
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_path, local_files_only=True)
        adapted = PeftModel.from_pretrained(base.model, model_path)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot load the LoRA adapter in {model_path}: {type(exc).__name__}",
            hint=f"{ref(ExtractOptions, 'model_path')} takes a folder written by LoRA training",
        ) from exc
    # Merged weights run as fast as the base: no adapter matmuls per token.
    merged = adapted.merge_and_unload()
    return lora_extractor(merged, tokenizer, folder=model_path, prompt=prompt)


def learned_prompt(card: ModelCard) -> Prompt:
    """The prompt the adapter was trained on; ConfigError when it changed since."""
    name, label = card.hyperparameters.get("prompt"), card.hyperparameters.get("prompt_version")
    prompt = load_prompt(str(name or PROMPT), steps=("triples",))
    if prompt.label != label:
        raise ConfigError(
            f"the adapter learned prompt {label}, but this pvkg's prompt is {prompt.label}",
            hint="retrain the model with this version of pvkg",
        )
    return prompt
