"""openEBGM's published numbers on CAERS, reproduced through both real stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.counts import pair_counts
from kg.disproportionality import PairCounts, compute_signals
from kg.ebgm import Prior
from kg.load import load
from kg.reference_counts import count_pairs
from kg.store import GraphStore, open_store
from loaders.openebgm import read_openebgm_csv
from tests.integration.conftest import wipe_neo4j

pytestmark = pytest.mark.integration

GIVEN_PRIOR = Prior(3.25379356, 0.39988854, 2.02612692, 1.90807970, 0.06534557)


@pytest.fixture(scope="module", params=["ladybug", "neo4j"])
def caers_pairs(
    request: pytest.FixtureRequest, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[PairCounts]]:
    store: GraphStore
    if request.param == "ladybug":
        store = open_store(tmp_path_factory.mktemp("caers") / "graph")
    else:
        user, password = request.getfixturevalue("neo4j_auth")
        store = open_store(request.getfixturevalue("neo4j_uri"), user=user, password=password)
        wipe_neo4j(store)
    try:
        load(store, read_openebgm_csv(shared_data / "openebgm" / "caers.csv"), batch_size=1000)
        yield pair_counts(store)
    finally:
        if request.param == "neo4j":
            wipe_neo4j(store)
        store.close()


def by_pair(pairs: list[PairCounts]) -> dict[tuple[str, str], PairCounts]:
    return {(p.drug, p.event): p for p in pairs}


def test_pair_and_report_totals(caers_pairs: list[PairCounts]) -> None:
    assert len(caers_pairs) == 17_189
    assert {p.n_reports for p in caers_pairs} == {3_356}


def test_counts_equal_the_plain_python_reference(
    caers_pairs: list[PairCounts], shared_data: Path
) -> None:
    reference = count_pairs(read_openebgm_csv(shared_data / "openebgm" / "caers.csv"))
    assert sorted(caers_pairs, key=lambda p: (p.drug, p.event)) == reference


def test_published_expected_rr_and_prr(caers_pairs: list[PairCounts]) -> None:
    pairs = by_pair(caers_pairs)
    phe = pairs["1-PHENYLALANINE", "HEART RATE INCREASED"]
    vit = pairs["11 UNSPECIFIED VITAMINS", "CARDIAC FUNCTION TEST"]
    signals = {(s.drug, s.event): s for s in compute_signals([phe, vit], methods=["prr"])}
    assert phe.a == 1
    expected = phe.E
    assert expected == pytest.approx(0.0360548272, abs=1e-10)
    assert phe.a / phe.E == pytest.approx(27.74, abs=0.005)
    assert signals["1-PHENYLALANINE", "HEART RATE INCREASED"].prr == pytest.approx(27.96, abs=0.005)
    assert vit.a == 1
    expected = vit.E
    assert expected == pytest.approx(0.0002979738, abs=1e-10)
    assert vit.a / vit.E == pytest.approx(3356)
    assert signals["11 UNSPECIFIED VITAMINS", "CARDIAC FUNCTION TEST"].prr == float("inf")


def test_ebgm_of_the_published_pair(caers_pairs: list[PairCounts]) -> None:
    pair = by_pair(caers_pairs)["REUMOFAN PLUS", "WEIGHT INCREASED"]
    assert pair.a == 16
    expected = pair.E
    assert expected == pytest.approx(0.40643623, abs=1e-8)
    (signal,) = compute_signals([pair], methods=["ebgm"], prior=GIVEN_PRIOR)
    assert signal.eb05 == pytest.approx(15.68, abs=0.01)
    assert signal.ebgm == pytest.approx(23.26, abs=0.01)
    assert signal.eb95 == pytest.approx(33.48, abs=0.01)
