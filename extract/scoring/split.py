"""A deterministic document-level train/test split, grouped by PubMed id.

A document goes to the test side when a hash of (seed, group) falls below `test_fraction`:
the same seed gives the same split in any order, on any machine, and all sentences of one
abstract stay on one side. The group is `note.metadata["pmid"]`, else the note id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from pvkg.errors import ConfigError
from pvkg.gold import GoldDocument

DEFAULT_SEED = 20240501


@dataclass(frozen=True)
class Split:
    train: tuple[GoldDocument, ...]
    test: tuple[GoldDocument, ...]


def split_group(document: GoldDocument) -> str:
    """What keeps documents together: their PubMed id where known."""
    pmid = document.note.metadata.get("pmid")
    return str(pmid) if pmid is not None else document.note.id


def in_test(group: str, test_fraction: float, seed: int = DEFAULT_SEED) -> bool:
    """Whether `group` falls on the test side."""
    digest = hashlib.sha256(f"{seed}\x00{group}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < test_fraction


def split_documents(
    documents: Iterable[GoldDocument], test_fraction: float = 0.3, seed: int = DEFAULT_SEED
) -> Split:
    """Split documents into train and test, each in input order."""
    if not 0.0 <= test_fraction <= 1.0:
        raise ConfigError(f"test fraction {test_fraction} is not between 0 and 1")
    train: list[GoldDocument] = []
    test: list[GoldDocument] = []
    for document in documents:
        side = test if in_test(split_group(document), test_fraction, seed) else train
        side.append(document)
    return Split(train=tuple(train), test=tuple(test))
