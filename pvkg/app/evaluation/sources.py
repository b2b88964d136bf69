"""Gold sources by format: find the format of a path and read its gold documents.

Formats: "ade" (the ADE-Corpus-V2 folder), "phee" (phee.jsonl), "brat" (a folder or one
`.ann`), "labelstudio" (a JSON export) and "jsonl" (pvkg Triple JSONL, with the Note JSONL
given as `notes`). Note ids follow each loader's scheme (see its module).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, get_args

from loaders import ade_corpus, brat, labelstudio, phee, triples_jsonl
from pvkg.errors import ConfigError, InputError
from pvkg.gold import GoldDocument
from pvkg.problems import ErrorHandler

GoldFormat = Literal["ade", "phee", "brat", "labelstudio", "jsonl"]
GOLD_FORMATS: tuple[GoldFormat, ...] = get_args(GoldFormat)


def detect_format(path: Path) -> GoldFormat:
    """Guess a gold format from what is at `path`; raise ConfigError when it cannot."""
    if path.is_dir():
        if (path / ade_corpus.ADE_FILE).is_file():
            return "ade"
        if any(path.rglob("*.ann")):
            return "brat"
    elif path.suffix == ".ann":
        return "brat"
    elif path.suffix == ".json":
        return "labelstudio"
    elif path.suffix == ".jsonl":
        return "phee" if "context" in _first_record(path) else "jsonl"
    if not path.exists():
        raise InputError("no such file or folder", file=path)
    raise ConfigError(
        f"cannot tell the gold format of {path}",
        hint=f"name it with --format ({', '.join(GOLD_FORMATS)})",
    )


def _first_record(path: Path) -> dict[str, object]:
    try:
        with path.open(encoding="utf-8") as handle:
            line = next((line for line in handle if line.strip()), "{}")
        record = json.loads(line)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return record if isinstance(record, dict) else {}


def load_gold(
    path: str | Path,
    gold_format: GoldFormat | None = None,
    *,
    notes: str | Path | None = None,
    on_error: ErrorHandler | None = None,
) -> Iterator[GoldDocument]:
    """Gold documents from `path`; `notes` is the Note JSONL, for the "jsonl" format only."""
    path = Path(path)
    gold_format = gold_format or detect_format(path)
    if gold_format == "jsonl":
        if notes is None:
            raise ConfigError(
                "gold in pvkg's JSONL format needs the notes its triples point into",
                hint="give the Note JSONL with --notes",
            )
        return triples_jsonl.iter_documents(path, notes, on_error=on_error)
    if notes is not None:
        raise ConfigError(
            f"--notes goes with --format jsonl only; {gold_format} gold carries its own text"
        )
    if gold_format == "ade":
        return ade_corpus.iter_documents(path, on_error=on_error)
    if gold_format == "phee":
        return phee.iter_documents(path, on_error=on_error)
    if gold_format == "brat":
        return brat.iter_documents(path, on_error=on_error)
    return labelstudio.iter_documents(path, on_error=on_error)
