"""Write each kind's exact-key arrays (see normalize._common.exact_layout) from `terms`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from normalize._common.exact_layout import ASK, IntArray, files, key_hashes

_FETCH = 1 << 20


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
    return int(np.count_nonzero(cids == ASK))


def _sorted_table(hashes: IntArray, cids: IntArray) -> tuple[IntArray, IntArray]:
    """Sorted by hash; every entry of a hash that occurs more than once gets `ASK`."""
    order = np.argsort(hashes, kind="stable")
    hashes, cids = hashes[order], cids[order]
    same = hashes[1:] == hashes[:-1]
    shared = np.zeros(len(hashes), dtype=bool)
    shared[1:] |= same
    shared[:-1] |= same
    cids[shared] = ASK
    narrow = np.int32 if len(cids) == 0 or cids.max() <= np.iinfo(np.int32).max else np.int64
    return hashes, cids.astype(narrow)
