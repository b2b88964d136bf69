"""Write one mention kind's trigram index of its key tokens (normalize._common.ngram_layout).

Postings are packed as (trigram id << 32 | key id) in one flat uint64 buffer, sorted in
place by numpy and split into per-trigram lists: 8 bytes per posting, no Python object
per posting. The deletion index is packed the same way, as (crc32 << 32 | token id).
"""

from __future__ import annotations

import sqlite3
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from normalize._common.ngram_layout import delete_hashes, files, grams

_CHUNK = 1 << 24
_LOW32 = np.uint64(0xFFFFFFFF)


@dataclass(frozen=True)
class NgramStats:
    tokens: int
    grams: int
    postings: int
    deletes: int


def build_ngram_index(
    db: sqlite3.Connection, kind_bit: int, directory: Path, stem: str
) -> NgramStats:
    """Index the distinct tokens of the keys of concepts with `kind_bit`."""
    rows = db.execute("SELECT DISTINCT key FROM terms WHERE kinds & ?", (kind_bit,))
    # The token vocabulary is far smaller than the atoms (about a million words at full scale).
    vocabulary: set[str] = set()
    for (key,) in rows:
        vocabulary.update(key.split(" "))
    tokens = sorted(vocabulary, key=lambda t: (len(t), t))
    del vocabulary
    gram_ids: dict[str, int] = {}
    packed = array("Q")
    size_start = [0]
    for token_id, token in enumerate(tokens):
        while len(size_start) <= len(token):
            size_start.append(token_id)
        for gram in grams(token):
            packed.append(gram_ids.setdefault(gram, len(gram_ids)) << 32 | token_id)
    size_start.append(len(tokens))
    paths = files(directory, stem)
    paths["tokens.txt"].write_text("\n".join(tokens), encoding="utf-8")
    _write(paths, gram_ids, packed, size_start)
    deletes = _write_deletes(paths["deletes.npy"], tokens)
    return NgramStats(
        tokens=len(tokens), grams=len(gram_ids), postings=len(packed), deletes=deletes
    )


def _write_deletes(path: Path, tokens: list[str]) -> int:
    packed = array("Q")
    for token_id, token in enumerate(tokens):
        packed.extend(h << 32 | token_id for h in delete_hashes(token))
    flat = np.frombuffer(packed, dtype=np.uint64)
    flat.sort()
    np.save(path, flat)
    return len(flat)


def _write(
    paths: dict[str, Path], gram_ids: dict[str, int], packed: array[int], size_start: list[int]
) -> None:
    flat = np.frombuffer(packed, dtype=np.uint64)
    flat.sort()
    counts = np.zeros(len(gram_ids), dtype=np.int64)
    postings = np.empty(len(flat), dtype=np.uint32)
    for start in range(0, len(flat), _CHUNK):
        chunk = flat[start : start + _CHUNK]
        counts += np.bincount((chunk >> np.uint64(32)).astype(np.int64), minlength=len(gram_ids))
        postings[start : start + len(chunk)] = chunk & _LOW32
    del flat
    offsets = np.zeros(len(gram_ids) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    names = sorted(gram_ids, key=gram_ids.__getitem__)
    paths["grams.txt"].write_text("\n".join(names), encoding="utf-8")
    np.save(paths["offsets.npy"], offsets)
    np.save(paths["postings.npy"], postings)
    np.save(paths["sizes.npy"], np.asarray(size_start, dtype=np.int64))
