"""Counts and signals as columns give what the one-object-per-pair path gives, exactly."""

from __future__ import annotations

import math
from dataclasses import astuple
from pathlib import Path

import numpy as np
import pytest

from kg.counts import drug_slices
from kg.disproportionality import (
    PairCounts,
    chi_squared,
    compute_signal_table,
    compute_signals,
    information_component,
    prr,
    ror,
    write_signals_csv,
)
from kg.ebgm import distinct_points
from kg.pair_table import PairTable
from kg.reference_counts import count_pairs
from loaders.openebgm import read_openebgm_csv
from pvkg.app.pipeline import TOP, _top
from pvkg.errors import InputError


@pytest.fixture(scope="module")
def caers(shared_data: Path) -> list[PairCounts]:
    return count_pairs(read_openebgm_csv(shared_data / "openebgm" / "caers.csv"))


def same(x: float | None, y: float | None) -> bool:
    return x == y or (x is not None and y is not None and math.isnan(x) and math.isnan(y))


def test_table_round_trips_pairs_and_sorts_like_the_objects() -> None:
    pairs = [
        PairCounts("b", "y", 2, 5, 4, 50),
        PairCounts("a", "z", 2, 3, 3, 50, expected=0.4),
        PairCounts("a", "y", 2, 3, 4, 50),
        PairCounts("c", "x", 4, 6, 7, 50),
    ]
    table = PairTable.from_pairs(pairs)
    assert table.pairs() == pairs
    assert table.E().tolist() == [p.E for p in pairs]
    assert table.by_count().pairs() == sorted(pairs, key=lambda p: (-p.a, p.drug, p.event))


def test_table_refuses_what_a_pair_refuses() -> None:
    good = PairCounts("d", "e", 1, 2, 2, 10)
    table = PairTable.from_pairs([good, good])
    with pytest.raises(InputError, match="exceeds n_drug"):
        PairTable(table.drug, table.event, np.array([1, 3]), table.n_drug, table.n_event,
                  table.n_reports, table.expected)  # fmt: skip
    with pytest.raises(InputError, match="expected is 0"):
        PairTable(table.drug, table.event, table.a, table.n_drug, table.n_event,
                  table.n_reports, np.array([np.nan, 0.0]))  # fmt: skip


def test_columns_equal_the_one_pair_measures_on_caers(caers: list[PairCounts]) -> None:
    table = compute_signal_table(PairTable.from_pairs(caers), methods=("prr", "ror", "ic"))
    signals = table.signals()
    for pair, signal in zip(caers, signals, strict=True):
        assert (signal.drug, signal.event, signal.a, signal.expected) == (
            pair.drug, pair.event, pair.a, pair.E)  # fmt: skip
        estimates = (prr(pair), ror(pair), information_component(pair))
        got = ((signal.prr, signal.prr_lo, signal.prr_hi), (signal.ror, signal.ror_lo,
               signal.ror_hi), (signal.ic, signal.ic025))  # fmt: skip
        for estimate, values in zip(estimates, got, strict=True):
            assert all(same(v, w) for v, w in zip(values, (estimate.value, estimate.lo),
                                                  strict=False))  # fmt: skip
        assert same(signal.chi2, chi_squared(pair))


def test_table_csv_equals_the_objects_csv(caers: list[PairCounts], tmp_path: Path) -> None:
    table = compute_signal_table(PairTable.from_pairs(caers), min_count=2)
    objects = compute_signals(caers, min_count=2)
    # Compared as text: the rows hold NaN, which equals nothing, itself included.
    assert repr([astuple(s) for s in table.signals(5)]) == repr([astuple(s) for s in objects[:5]])
    assert table.write_csv(tmp_path / "table.csv") == len(objects)
    assert write_signals_csv(objects, tmp_path / "objects.csv") == len(objects)
    assert (tmp_path / "table.csv").read_bytes() == (tmp_path / "objects.csv").read_bytes()


def test_distinct_points_are_numpy_unique_rows() -> None:
    rng = np.random.default_rng(3)
    n = rng.integers(0, 5, 2_000).astype(float)
    e = rng.choice([0.0, 0.1, 0.25, 3.0], 2_000)
    got_n, got_e, counts, inverse = distinct_points(n, e)
    rows, want_inverse, want_counts = np.unique(
        np.c_[n, e], axis=0, return_inverse=True, return_counts=True
    )
    assert np.array_equal(np.c_[got_n, got_e], rows)
    assert np.array_equal(counts, want_counts)
    assert np.array_equal(inverse, want_inverse.reshape(-1))


def test_drug_slices_bound_the_reports_counted_at_once() -> None:
    drugs = {"a": ("A", 5), "b": ("B", 4), "c": ("C", 12), "d": ("D", 1), "e": ("E", 2)}
    assert list(drug_slices(drugs, reports=10)) == [["a", "b"], ["c"], ["d", "e"]]
    assert list(drug_slices({}, reports=10)) == []


def test_run_summary_top_equals_sorting_every_signal(caers: list[PairCounts]) -> None:
    table = compute_signal_table(PairTable.from_pairs(caers).by_count(), methods=("prr",))
    every = sorted(table.signals(), key=lambda s: (-s.a, -(s.prr or 0.0), s.drug, s.event))
    assert _top(table) == every[:TOP]
