"""A trained encoder model on disk: the encoder and tokenizer in Hugging Face format, the
heads as safetensors, and what the heads were built for as JSON.

    encoder/            config.json, model.safetensors, tokenizer files
    heads.safetensors   width embedding, span, pair and assertion classifiers
    encoder-heads.json  HeadConfig
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from extract.finetune.encoder.model import Heads, HeadShape, SpanModel
from pvkg.errors import ConfigError
from pvkg.records import Assertion, MentionKind, Record

ENCODER_DIR = "encoder"
HEADS_FILE = "heads.safetensors"
CONFIG_FILE = "encoder-heads.json"


class HeadConfig(Record):
    architecture: Literal["span"] = "span"
    types: tuple[MentionKind, ...]
    relations: tuple[tuple[MentionKind, MentionKind], ...]
    max_length: int
    max_width: int  # words in a candidate span
    width_dim: int
    relation_dim: int
    dropout: float
    threshold: float  # a candidate pair is related above this probability
    assertions: tuple[Assertion, ...] = ()  # what the assertion head tells apart; () no head


@dataclass(frozen=True)
class Loaded:
    model: SpanModel
    tokenizer: Any
    config: HeadConfig


def build(encoder: Any, config: HeadConfig) -> SpanModel:
    shape = HeadShape(
        hidden=int(encoder.config.hidden_size),
        classes=1 + len(config.types),
        max_width=config.max_width,
        width_dim=config.width_dim,
        relations=len(config.relations),
        relation_dim=config.relation_dim,
        dropout=config.dropout,
        assertions=len(config.assertions),
    )
    return SpanModel(encoder, Heads(shape))


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


def _read_config(path: Path) -> HeadConfig:
    try:
        raw = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {type(exc).__name__}") from exc
    if isinstance(raw, dict) and "tags" in raw:
        raise ConfigError(
            f"{path.parent} holds a tagging model of an earlier pvkg; this one reads span models",
            hint="train it again (model kind encoder)",
        )
    try:
        return HeadConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"cannot read {path}: {exc.error_count()} invalid fields") from exc


def load(folder: Path) -> Loaded:
    from safetensors.torch import load_file

    for name in (ENCODER_DIR, HEADS_FILE, CONFIG_FILE):
        if not (folder / name).exists():
            raise ConfigError(
                f"{folder} is not a complete encoder model ({name} is missing)",
                hint="train it again (model kind encoder)",
            )
    config = _read_config(folder / CONFIG_FILE)
    tokenizer, encoder = load_pretrained(folder / ENCODER_DIR)
    model = build(encoder, config)
    try:
        model.heads.load_state_dict(load_file(str(folder / HEADS_FILE)))
    except (OSError, RuntimeError) as exc:
        raise ConfigError(f"cannot load {folder / HEADS_FILE}: {exc}") from exc
    return Loaded(model.eval(), tokenizer, config)
