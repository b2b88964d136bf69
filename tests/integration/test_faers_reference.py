"""DiAna's published figure on its FAERS sample, reproduced through both real stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.counts import pair_counts
from kg.disproportionality import compute_signals
from kg.load import load
from kg.store import GraphStore, open_store
from loaders.faers import read_diana_tables
from tests.integration.conftest import wipe_neo4j

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("kind", ["ladybug", "neo4j"])
def test_paracetamol_nausea_conditional_ror(
    kind: str, request: pytest.FixtureRequest, shared_data: Path, tmp_path: Path
) -> None:
    store: GraphStore
    if kind == "ladybug":
        store = open_store(tmp_path / "graph")
    else:
        user, password = request.getfixturevalue("neo4j_auth")
        store = open_store(request.getfixturevalue("neo4j_uri"), user=user, password=password)
        wipe_neo4j(store)
    try:
        load(store, read_diana_tables(shared_data / "faers_sample"))
        pairs = {(p.drug, p.event): p for p in pair_counts(store)}
    finally:
        if kind == "neo4j":
            wipe_neo4j(store)
        store.close()
    pair = pairs["paracetamol", "nausea"]
    assert (pair.a, pair.n_drug, pair.n_event, pair.n_reports) == (2, 51, 26, 1000)
    (signal,) = compute_signals([pair], methods=["ror_exact"])
    # DiAna: 1.57 (0.17-6.64), floored to two decimals.
    assert signal.ror is not None
    assert signal.ror_lo is not None
    assert signal.ror_hi is not None
    assert (int(signal.ror * 100), int(signal.ror_lo * 100)) == (157, 17)
    assert signal.ror_hi == pytest.approx(6.64, rel=0.005)
