"""A batch's exact hits from one kind's memory-mapped key-hash arrays.

One vectorised binary search a batch instead of one `terms` B-tree descent a key: at full
scale `terms` spans more than a gigabyte, and walking it cost most of the batch's time in
cache and TLB misses, while the arrays (normalize._common.exact_layout) are about 12 MB per
million keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from normalize._common.exact_layout import ASK, IntArray, files, key_hashes
from pvkg.errors import TerminologyError


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
            if cid == ASK:
                ask.append(keys[i])
            else:
                hits[keys[i]] = cid
        return hits, ask
