"""Each kind's exact hits as two arrays: sorted 64-bit key hashes and the concept id of each
key's exact hit (the row `terms.best` flags for that kind).

The hash is the first 8 bytes of BLAKE2b of the key's UTF-8. Keys of one kind whose hashes
collide are stored with concept id `ASK` ("ask the database"), so the arrays never give a
wrong concept for a stored key; a key not stored whose hash equals a stored key's (odds
about n / 2**64 per look-up, 1e-13 at full scale) would be taken for it. Files per kind:
`exact-<kind>.hashes.npy` (uint64, sorted) and `exact-<kind>.cids.npy`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ASK = -1  # hash shared by several stored keys: look the key up in the database
IntArray = np.ndarray[Any, np.dtype[Any]]


def files(directory: Path, kind: str) -> tuple[Path, Path]:
    return directory / f"exact-{kind}.hashes.npy", directory / f"exact-{kind}.cids.npy"


def key_hashes(keys: Sequence[str]) -> IntArray:
    """The 64-bit hash of each key, as the arrays store them."""
    blake = hashlib.blake2b
    digests = b"".join(blake(key.encode(), digest_size=8).digest() for key in keys)
    return np.frombuffer(digests, dtype="<u8")
