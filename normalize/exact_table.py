"""Each kind's exact hits as two memory-mapped arrays: sorted 64-bit key hashes and the
concept id of each key's exact hit (the row `terms.best` flags for that kind).

`link_many` finds a batch's exact hits with one vectorised binary search instead of one
B-tree descent per key: at full scale `terms` spans more than a gigabyte, and walking it
cost most of the batch's time in cache and TLB misses, while these arrays are about 12 MB
per million keys. The hash is the first 8 bytes of BLAKE2b of the key's UTF-8. Keys of one
kind whose hashes collide are stored with concept id -1 ("ask the database"), so the
arrays never give a wrong concept for a stored key; a key not stored whose hash equals a
stored key's (odds about n / 2**64 per look-up, 1e-13 at full scale) would be taken for it.
Files per kind: `exact-<kind>.hashes.npy` (uint64, sorted) and `exact-<kind>.cids.npy`.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pvkg.errors import TerminologyError

_FETCH = 1 << 20
_ASK = -1  # hash shared by several stored keys: look the key up in the database
IntArray = np.ndarray[Any, np.dtype[Any]]


def files(directory: Path, kind: str) -> tuple[Path, Path]:
    return directory / f"exact-{kind}.hashes.npy", directory / f"exact-{kind}.cids.npy"


def key_hashes(keys: Sequence[str]) -> IntArray:
    """The 64-bit hash of each key, as the arrays store them."""
    blake = hashlib.blake2b
    digests = b"".join(blake(key.encode(), digest_size=8).digest() for key in keys)
    return np.frombuffer(digests, dtype="<u8")


def build_exact_table(db: sqlite3.Connection, kind_bit: int, directory: Path, kind: str) -> int:
    """Write the arrays of the keys whose exact hit for `kind_bit` is flagged in `terms`;
    the number of keys that collide (left to the database)."""
    cursor = db.execute("SELECT key, cid FROM terms WHERE best & ?", (kind_bit,))
    hash_parts, cid_parts = [np.empty(0, "<u8")], [np.empty(0, np.int64)]
    while rows := cursor.fetchmany(_FETCH):
        hash_parts.append(key_hashes([key for key, _ in rows]))
        cid_parts.append(np.fromiter((cid for _, cid in rows), np.int64, len(rows)))
    hashes, cids = _sorted_table(np.concatenate(hash_parts), np.concatenate(cid_parts))
    hashes_path, cids_path = files(directory, kind)
    np.save(hashes_path, hashes)
    np.save(cids_path, cids)
    return int(np.count_nonzero(cids == _ASK))


def _sorted_table(hashes: IntArray, cids: IntArray) -> tuple[IntArray, IntArray]:
    """Sorted by hash; every entry of a hash that occurs more than once gets `_ASK`."""
    order = np.argsort(hashes, kind="stable")
    hashes, cids = hashes[order], cids[order]
    same = hashes[1:] == hashes[:-1]
    shared = np.zeros(len(hashes), dtype=bool)
    shared[1:] |= same
    shared[:-1] |= same
    cids[shared] = _ASK
    narrow = np.int32 if len(cids) == 0 or cids.max() <= np.iinfo(np.int32).max else np.int64
    return hashes, cids.astype(narrow)


class ExactTable:
    """One kind's arrays, memory-mapped: `lookup` for a batch of keys."""

    def __init__(self, directory: Path, kind: str) -> None:
        paths = files(directory, kind)
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise TerminologyError(
                f"exact-key table incomplete: {', '.join(missing)} missing",
                hint="rebuild the index with `pvkg terminology build`",
            )
        self._hashes: IntArray = np.load(paths[0], mmap_mode="r").view(np.ndarray)
        self._cids: IntArray = np.load(paths[1], mmap_mode="r").view(np.ndarray)

    def lookup(self, keys: Sequence[str]) -> tuple[dict[str, int], list[str]]:
        """(concept id of each key found, keys whose hash is shared: ask the database)."""
        if not keys or not len(self._hashes):
            return {}, []
        wanted = key_hashes(keys)
        at = np.searchsorted(self._hashes, wanted)
        at[at == len(self._hashes)] = 0
        found = np.flatnonzero(self._hashes[at] == wanted)
        cids = self._cids[at[found]].tolist()
        hits: dict[str, int] = {}
        ask: list[str] = []
        for i, cid in zip(found.tolist(), cids, strict=True):
            if cid == _ASK:
                ask.append(keys[i])
            else:
                hits[keys[i]] = cid
        return hits, ask
