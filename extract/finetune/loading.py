"""Open a model folder written by `pvkg train` as an extractor, whatever its kind.

The card says the kind; only that kind's module (and so torch) is imported.
"""

from __future__ import annotations

from pathlib import Path

from extract.base import Extractor
from extract.finetune.card import read_card
from pvkg.errors import ConfigError

HF_HINT = "pip install 'pvkg[hf]'"


def load_finetuned(model_path: Path, *, device: str | None = None) -> Extractor:
    """The extractor for the fine-tuned model in `model_path`."""
    card = read_card(model_path)
    try:
        if card.kind == "encoder":
            from extract.finetune.encoder import load_encoder_extractor

            return load_encoder_extractor(model_path, card, device=device)
        from extract.finetune.lora import load_lora_extractor

        return load_lora_extractor(model_path, card, device=device)
    except ImportError as exc:
        raise ConfigError(
            f"a fine-tuned model needs the Hugging Face extra ({exc.name} is missing)",
            hint=HF_HINT,
        ) from exc
