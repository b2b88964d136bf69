"""LoRA adapters on the base model's attention projections (PEFT)."""

from __future__ import annotations

from peft import LoraConfig, PeftModel, get_peft_model, prepare_model_for_kbit_training
from torch import nn

from extract.finetune.lora.base import Base
from extract.finetune.options import TrainOptions
from pvkg.errors import ConfigError

# Llama-style models (SmolLM2 among them) name their attention projections so.
LLAMA_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj")


def attach(base: Base, options: TrainOptions) -> PeftModel:
    """`base.model` with fresh LoRA adapters; only they are trainable."""
    model = base.model
    if base.quantized:
        model = prepare_model_for_kbit_training(model)  # type: ignore[no-untyped-call]
    config = LoraConfig(
        r=options.lora_r,
        lora_alpha=options.lora_alpha,
        lora_dropout=options.lora_dropout,
        target_modules=target_modules(model),
        task_type="CAUSAL_LM",
    )
    try:
        return get_peft_model(model, config)
    except ValueError as exc:
        raise ConfigError(
            f"cannot put LoRA adapters on {type(model).__name__}: {exc}",
            hint="use a Llama-style base model (q_proj, k_proj, v_proj, o_proj)",
        ) from None


def target_modules(model: nn.Module) -> list[str] | None:
    """The Llama attention projections when the model has them; None lets PEFT choose
    by architecture (c_attn for GPT-2, for instance)."""
    names = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    return list(LLAMA_MODULES) if set(LLAMA_MODULES) <= names else None


def adapted_modules(model: PeftModel) -> str:
    """The module names that carry adapters, for the card."""
    config = model.peft_config["default"]
    modules = config.target_modules if isinstance(config, LoraConfig) else None
    return ",".join(sorted(modules or ()))


def trainable_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
