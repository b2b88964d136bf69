"""Fine-tuned extractors: an encoder (token + pair classification) and a LoRA-adapted
causal LM, trained by `pvkg train` and run by `pvkg extract --extractor finetuned`.

Light to import: torch, transformers and peft load only when a model trains or loads.
"""

from extract.finetune.card import ModelCard, read_card
from extract.finetune.loading import load_finetuned
from extract.finetune.options import MODEL_KINDS, ModelKind, TrainEvent, TrainOptions
from extract.finetune.training import train_model

__all__ = [
    "MODEL_KINDS",
    "ModelCard",
    "ModelKind",
    "TrainEvent",
    "TrainOptions",
    "load_finetuned",
    "read_card",
    "train_model",
]
