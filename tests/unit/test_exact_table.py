"""The exact-key hash arrays agree with `terms`, and colliding hashes fall back to it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from normalize import open_index
from normalize._builder.exact_table import _sorted_table
from normalize._common.exact_layout import files, key_hashes
from normalize._common.kinds import KIND_BITS, Kind
from normalize._common.schema import INDEX_FILE
from normalize._query.exact_table import ExactTable
from pvkg.errors import TerminologyError
from tests.unit.test_terminology_index import MIXED


def _flagged(index_dir: Path, bit: int) -> dict[str, int]:
    with sqlite3.connect(index_dir / INDEX_FILE) as db:
        return dict(db.execute("SELECT key, cid FROM terms WHERE best & ?", (bit,)))


@pytest.mark.parametrize("kind", sorted(KIND_BITS))
def test_table_gives_each_flagged_key_its_exact_hit(umls_dir: Path, kind: Kind) -> None:
    expected = _flagged(umls_dir, KIND_BITS[kind])
    assert expected
    hits, ask = ExactTable(umls_dir, kind).lookup([*expected, "no such key", "zzqx"])
    assert hits == expected and ask == []


def test_hashes_are_stable_little_endian_blake2b() -> None:
    # BLAKE2b-64 of "hypotension" is 0142a0bfc46f30f6: indexes built earlier stay readable.
    assert key_hashes(["hypotension"]).tolist() == [0xF6306FC4BFA04201]


def test_colliding_hashes_are_all_left_to_the_database() -> None:
    # No two real keys are known to share a 64-bit hash, so the collision is made by hand.
    hashes = np.array([7, 3, 7, 9], dtype="<u8")
    sorted_hashes, cids = _sorted_table(hashes, np.array([10, 11, 12, 13]))
    assert sorted_hashes.tolist() == [3, 7, 7, 9]
    assert cids.tolist() == [11, -1, -1, 13]


@pytest.mark.parametrize("kind", sorted(KIND_BITS))
def test_link_many_is_the_same_when_every_key_asks_the_database(
    umls_dir: Path, tmp_path: Path, kind: Kind
) -> None:
    # Every hash marked as collided: each key takes the `terms` fallback.
    collided = tmp_path / "index"
    shutil.copytree(umls_dir, collided)
    cids_path = files(collided, kind)[1]
    np.save(cids_path, np.full_like(np.load(cids_path), -1))
    with open_index(umls_dir) as normal, open_index(collided) as fallback:
        expected = normal.link_many(MIXED, kind)
        assert fallback.link_many(MIXED, kind) == expected
        assert any(result.cui for result in expected)


def test_missing_table_asks_for_a_rebuild(umls_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "index"
    shutil.copytree(umls_dir, broken)
    files(broken, "drug")[0].unlink()
    with pytest.raises(TerminologyError, match="exact-key table incomplete") as info:
        open_index(broken)
    assert info.value.hint is not None and "rebuild" in info.value.hint
