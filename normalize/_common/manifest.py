"""The manifest written beside a terminology index: what was built, from what, how."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from pvkg.errors import TerminologyError
from pvkg.records import Record

MANIFEST_FILE = "manifest.json"


class SourceFile(Record):
    name: str
    bytes: int


class Vocabulary(Record):
    """A source vocabulary of the release, as MRSAB/RXNSAB lists it."""

    sab: str
    version: str
    name: str


class Filters(Record):
    languages: list[str] | None
    sources: list[str] | None
    suppressed: list[str]


class Manifest(Record):
    pvkg_version: str
    schema_version: int
    release_kind: str
    release_dir: str
    built_at: str
    build_seconds: float
    files: list[SourceFile]
    vocabularies: list[Vocabulary]
    filters: Filters
    counts: dict[str, int]
    errors: int
    error_samples: list[str]
    approx_kinds: list[str]


def write_manifest(directory: Path, manifest: Manifest) -> None:
    (directory / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2), encoding="utf-8")


def read_manifest(directory: Path) -> Manifest:
    path = directory / MANIFEST_FILE
    try:
        return Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise TerminologyError(
            f"{directory}: not a terminology index (no {MANIFEST_FILE})",
            hint="build one with `pvkg terminology build RRF_DIR -o INDEX_DIR`",
        ) from None
    except (OSError, ValueError, ValidationError) as exc:
        raise TerminologyError(
            f"{path}: unreadable manifest ({exc})",
            hint="rebuild the index with `pvkg terminology build`",
        ) from exc
