"""LoRA fine-tuning of a causal LM to write the LLM extractor's JSON reply (QLoRA, a
4-bit base, on CUDA), and the extractor that runs the adapted model.

Importing this package loads torch, transformers, peft and xgrammar; `extract.finetune`
imports it only when a LoRA model trains or loads.
"""

from extract.finetune.lora.inference import load_lora_extractor
from extract.finetune.lora.trainer import train_lora

__all__ = ["load_lora_extractor", "train_lora"]
