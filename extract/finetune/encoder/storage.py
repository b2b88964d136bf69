"""A trained encoder model on disk: the encoder and tokenizer in Hugging Face format, the
heads as safetensors, and what the heads were built for as JSON.

    encoder/            config.json, model.safetensors, tokenizer files
    heads.safetensors   tagger, relation embedding, pair classifier
    encoder-heads.json  HeadConfig
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from extract.finetune.encoder.model import Heads, HeadShape, PairTagger
from pvkg.errors import ConfigError
from pvkg.records import MentionKind, Record

ENCODER_DIR = "encoder"
HEADS_FILE = "heads.safetensors"
CONFIG_FILE = "encoder-heads.json"


class HeadConfig(Record):
    types: tuple[MentionKind, ...]
    tags: tuple[str, ...]
    relations: tuple[tuple[MentionKind, MentionKind], ...]
    max_length: int
    relation_dim: int
    dropout: float
    threshold: float  # a candidate pair is related above this probability


@dataclass(frozen=True)
class Loaded:
    model: PairTagger
    tokenizer: Any
    config: HeadConfig


def build(encoder: Any, config: HeadConfig) -> PairTagger:
    shape = HeadShape(
        hidden=int(encoder.config.hidden_size),
        types=len(config.types),
        tags=len(config.tags),
        relations=len(config.relations),
        relation_dim=config.relation_dim,
        dropout=config.dropout,
    )
    return PairTagger(encoder, Heads(shape))


def load_pretrained(folder: Path) -> tuple[Any, Any]:
    """Tokenizer and encoder from a Hugging Face folder, never from the network."""
    from transformers import AutoModel, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        encoder = AutoModel.from_pretrained(folder, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot load the encoder in {folder}: {exc}") from exc
    if not getattr(tokenizer, "is_fast", False):
        raise ConfigError(
            f"the tokenizer in {folder} gives no character offsets",
            hint="use a model with a fast tokenizer (tokenizer.json)",
        )
    return tokenizer, encoder


def save(loaded: Loaded, folder: Path) -> None:
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    loaded.model.encoder.save_pretrained(folder / ENCODER_DIR)
    loaded.tokenizer.save_pretrained(folder / ENCODER_DIR)
    state = {k: v.detach().contiguous() for k, v in loaded.model.heads.state_dict().items()}
    save_file(state, str(folder / HEADS_FILE))
    (folder / CONFIG_FILE).write_text(loaded.config.model_dump_json(indent=2) + "\n", "utf-8")


def load(folder: Path) -> Loaded:
    from safetensors.torch import load_file

    for name in (ENCODER_DIR, HEADS_FILE, CONFIG_FILE):
        if not (folder / name).exists():
            raise ConfigError(
                f"{folder} is not a complete encoder model ({name} is missing)",
                hint="train it again with `pvkg train --kind encoder`",
            )
    try:
        config = HeadConfig.model_validate(json.loads((folder / CONFIG_FILE).read_text("utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
        raise ConfigError(f"cannot read {folder / CONFIG_FILE}: {type(exc).__name__}") from exc
    tokenizer, encoder = load_pretrained(folder / ENCODER_DIR)
    model = build(encoder, config)
    try:
        model.heads.load_state_dict(load_file(str(folder / HEADS_FILE)))
    except (OSError, RuntimeError) as exc:
        raise ConfigError(f"cannot load {folder / HEADS_FILE}: {exc}") from exc
    return Loaded(model.eval(), tokenizer, config)
