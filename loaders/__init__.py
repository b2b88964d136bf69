"""Loaders: the stage that reads source files into pvkg's records, streaming.

- Case reports, for signal detection: FDA FAERS and DiAna tables (`read_faers_ascii`,
  `read_diana_tables`) and openEBGM's CSV (`read_openebgm_csv`).
- Notes to extract from: a folder of `.txt` files, a JSONL or a CSV file (`read_notes`).
- Gold documents, to score and train extractors: one module per format (`ade_corpus`,
  `phee`, `brat`, `labelstudio`, `triples_jsonl`), each with its `iter_documents`.
- Terminology releases, for the normalize stage: `find_release` and the RRF readers.

Bad input raises `InputError`, or goes to an `on_error` handler so that loading goes on
(`pvkg.problems`). Names are imported on first use: most loaders build pydantic records,
which the terminology build (`loaders.rrf`) should not have to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pvkg.lazy import lazy_names

if TYPE_CHECKING:
    from loaders import ade_corpus, brat, labelstudio, phee, triples_jsonl
    from loaders.faers import read_diana_tables, read_faers_ascii
    from loaders.notes import read_notes
    from loaders.openebgm import read_openebgm_csv
    from loaders.release import Release, ReleaseKind, find_release
    from loaders.rrf import (
        SUPPRESSED_DEFAULT,
        Atom,
        AtomFilter,
        ErrorBudget,
        read_conso,
        read_rel,
        read_sab,
        read_sty,
    )

__all__ = [
    "SUPPRESSED_DEFAULT",
    "Atom",
    "AtomFilter",
    "ErrorBudget",
    "Release",
    "ReleaseKind",
    "ade_corpus",
    "brat",
    "find_release",
    "labelstudio",
    "phee",
    "read_conso",
    "read_diana_tables",
    "read_faers_ascii",
    "read_notes",
    "read_openebgm_csv",
    "read_rel",
    "read_sab",
    "read_sty",
    "triples_jsonl",
]
# Used whole: each gold format's module has its own `iter_documents`.
_GOLD_FORMATS = frozenset({"ade_corpus", "phee", "brat", "labelstudio", "triples_jsonl"})
# The module each other public name comes from.
_HOMES = {
    "read_faers_ascii": "faers",
    "read_diana_tables": "faers",
    "read_openebgm_csv": "openebgm",
    "read_notes": "notes",
    "find_release": "release",
    "Release": "release",
    "ReleaseKind": "release",
    "read_conso": "rrf",
    "read_sty": "rrf",
    "read_rel": "rrf",
    "read_sab": "rrf",
    "Atom": "rrf",
    "AtomFilter": "rrf",
    "ErrorBudget": "rrf",
    "SUPPRESSED_DEFAULT": "rrf",
}


__getattr__ = lazy_names(__name__, _HOMES, _GOLD_FORMATS)
