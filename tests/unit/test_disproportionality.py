"""Disproportionality measures against DiAna's and openEBGM's published figures."""

from __future__ import annotations

import csv
import math
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import chi2_contingency
from scipy.stats.contingency import odds_ratio

from kg.disproportionality import (
    SIGNAL_COLUMNS,
    PairCounts,
    Signal,
    StratumRow,
    chi_squared,
    compute_signals,
    evans_signal,
    information_component,
    prr,
    ror,
    ror_exact,
    stratified_expected,
    write_signals_csv,
)
from kg.ebgm import Prior
from kg.reference_counts import count_pairs
from loaders.faers import read_diana_tables
from loaders.openebgm import read_openebgm_csv
from pvkg.errors import ConfigError, InputError
from pvkg.records import CaseReport, ReportedDrug, ReportedEvent

# DiAna's test: drug reports 100, event reports 50, both 3, all reports 20,000.
DIANA = PairCounts("drug", "event", a=3, n_drug=100, n_event=50, n_reports=20_000)
PRIOR = Prior(3.25379356, 0.39988854, 2.02612692, 1.90807970, 0.06534557)


def floor2(x: float) -> float:
    """DiAna floors ROR and IC figures to two decimals."""
    return math.floor(x * 100) / 100


def test_pair_counts_cells_and_expected() -> None:
    assert (DIANA.b, DIANA.c, DIANA.d) == (97, 47, 19_853)
    assert math.isclose(DIANA.E, 0.25)
    assert PairCounts("x", "y", 1, 2, 2, 10, expected=0.7).E == 0.7


@pytest.mark.parametrize(
    ("a", "n_drug", "n_event", "n_reports", "expected", "reason"),
    [
        (-1, 2, 2, 10, None, "non-negative"),
        (1, 2, 2, 0, None, "n_reports positive"),
        (3, 2, 5, 10, None, "exceeds n_drug"),
        (0, 6, 6, 10, None, "exceeds n_reports"),
        (1, 2, 2, 10, -0.1, "expected must be"),
        (1, 2, 2, 10, 0.0, "expected is 0"),
    ],
)
def test_inconsistent_counts_are_refused(
    a: int, n_drug: int, n_event: int, n_reports: int, expected: float | None, reason: str
) -> None:
    with pytest.raises(InputError, match=reason):
        PairCounts("x", "y", a, n_drug, n_event, n_reports, expected)


def test_prr_matches_diana() -> None:
    estimate = prr(DIANA)  # DiAna rounds PRR to two decimals
    assert (round(estimate.value, 2), round(estimate.lo, 2), round(estimate.hi, 2)) == (
        12.7,
        4.02,
        40.14,
    )


def test_ic_matches_diana() -> None:
    estimate = information_component(DIANA)
    assert (floor2(estimate.value), floor2(estimate.lo), floor2(estimate.hi)) == (2.22, 0.15, 3.42)


def test_conditional_ror_matches_diana() -> None:
    estimate = ror_exact(DIANA)
    assert (floor2(estimate.value), floor2(estimate.lo)) == (13.05, 2.55)
    # R's fisher.test finds the upper limit with uniroot (tol ~1.2e-4 on 1/OR): 41.71 there,
    # 41.678 exactly; emulating uniroot's tolerance gives R's 41.716.
    assert estimate.hi == pytest.approx(41.71, rel=5e-3)


def test_woolf_ror_and_chi2_agree_with_scipy() -> None:
    table = [[DIANA.a, DIANA.b], [DIANA.c, DIANA.d]]
    woolf = odds_ratio(table, kind="sample")
    interval = woolf.confidence_interval(0.95)
    estimate = ror(DIANA)
    assert (estimate.value, estimate.lo, estimate.hi) == pytest.approx(
        (woolf.statistic, interval.low, interval.high)
    )
    assert chi_squared(DIANA) == pytest.approx(chi2_contingency(table, correction=True)[0])
    assert chi_squared(DIANA, yates=False) == pytest.approx(
        chi2_contingency(table, correction=False)[0]
    )


def test_evans_criteria() -> None:
    value, chi2 = prr(DIANA).value, chi_squared(DIANA)
    assert evans_signal(value, chi2, DIANA.a)
    assert not evans_signal(value, chi2, 2)
    assert not evans_signal(1.9, chi2, 3)
    assert not evans_signal(value, 3.9, 3)


def test_zero_cells_give_zero_inf_or_nan_never_an_error() -> None:
    no_pair = PairCounts("x", "y", a=0, n_drug=10, n_event=5, n_reports=100)
    assert prr(no_pair).value == 0 and math.isnan(prr(no_pair).lo)
    assert ror(no_pair).value == 0 and math.isnan(ror(no_pair).hi)
    assert ror_exact(no_pair).value == 0 and ror_exact(no_pair).lo == 0
    assert information_component(no_pair).value < 0
    only_with_drug = PairCounts("x", "y", a=1, n_drug=3, n_event=1, n_reports=100)  # c = 0
    assert prr(only_with_drug).value == math.inf
    assert math.isnan(prr(only_with_drug).hi)
    always = PairCounts("x", "y", a=1, n_drug=1, n_event=1, n_reports=100)  # b = c = 0
    assert ror(always).value == math.inf
    everyone = PairCounts("x", "y", a=2, n_drug=4, n_event=2, n_reports=4)  # c + d = 0
    assert math.isnan(prr(everyone).value)
    assert math.isnan(chi_squared(everyone))
    signals = compute_signals(
        [no_pair, only_with_drug, always, everyone], methods=("prr", "ror", "ic", "ebgm"),
        min_count=0, prior=PRIOR,
    )  # fmt: skip
    assert [s.a for s in signals] == [0, 1, 1, 2]
    assert all(s.ebgm is not None and math.isfinite(s.ebgm) for s in signals)


def test_openebgm_expected_rr_and_prr_on_caers(shared_data: Path) -> None:
    pairs = count_pairs(read_openebgm_csv(shared_data / "openebgm" / "caers.csv"))
    assert len(pairs) == 17_189
    assert {p.n_reports for p in pairs} == {3_356}
    signals = {(s.drug, s.event): s for s in compute_signals(pairs, methods=("prr",))}
    phe = signals["1-PHENYLALANINE", "HEART RATE INCREASED"]
    assert phe.a == 1
    assert phe.expected == pytest.approx(0.0360548272, abs=1e-10)
    assert round(phe.a / phe.expected, 2) == 27.74
    assert phe.prr is not None and round(phe.prr, 2) == 27.96
    vit = signals["11 UNSPECIFIED VITAMINS", "CARDIAC FUNCTION TEST"]
    assert vit.expected == pytest.approx(0.0002979738, abs=1e-10)
    assert round(vit.a / vit.expected) == 3356
    assert vit.prr == math.inf
    assert vit.ror is None and vit.ebgm is None


def test_diana_conditional_ror_on_faers_sample(shared_data: Path) -> None:
    # DiAna counts unique primaryids over all drug roles, no deduplication.
    reports = list(read_diana_tables(shared_data / "faers_sample"))
    pairs = {(p.drug, p.event): p for p in count_pairs(reports)}
    paracetamol_nausea = pairs["paracetamol", "nausea"]
    assert paracetamol_nausea.a == 2
    estimate = ror_exact(paracetamol_nausea)
    assert (floor2(estimate.value), floor2(estimate.lo), floor2(estimate.hi)) == (1.57, 0.17, 6.64)
    # DiAna's "0 (0-12.88) [0]": a pair never reported together.
    n_drug = next(p.n_drug for p in pairs.values() if p.drug == "infliximab")
    none_together = PairCounts("infliximab", "nausea", 0, n_drug, paracetamol_nausea.n_event, 1000)
    estimate = ror_exact(none_together)
    assert (estimate.value, estimate.lo) == (0, 0)
    assert estimate.hi == pytest.approx(12.88, rel=5e-3)


def test_compute_signals_methods_and_min_count() -> None:
    pairs = [
        PairCounts(f"d{i}", f"e{j}", a=(i * j) % 5, n_drug=20 + i, n_event=15 + j, n_reports=400)
        for i in range(6)
        for j in range(6)
    ]
    everything = compute_signals(pairs, min_count=0)
    assert len(everything) == len(pairs)
    kept = compute_signals(pairs, min_count=3)
    assert [s.a for s in kept] == [p.a for p in pairs if p.a >= 3]
    # The prior is fitted on all pairs, so the kept pairs score as they do unfiltered.
    by_key = {(s.drug, s.event): s.ebgm for s in everything}
    assert all(s.ebgm == by_key[s.drug, s.event] for s in kept)
    only_ic = compute_signals(pairs, methods=("ic",))
    assert all(s.ic is not None and s.prr is None and s.ebgm is None for s in only_ic)
    exact = compute_signals(pairs[:3], methods=("ror_exact",), min_count=0)
    assert [s.ror for s in exact] == [ror_exact(p).value for p in pairs[:3]]
    with pytest.raises(ConfigError, match="unknown signal method"):
        compute_signals(pairs, methods=("prr", "gps"))
    with pytest.raises(ConfigError, match="choose one"):
        compute_signals(pairs, methods=("ror", "ror_exact"))


def test_signals_csv_has_the_documented_columns(tmp_path: Path) -> None:
    assert tuple(f.name for f in fields(Signal)) == SIGNAL_COLUMNS
    signals = compute_signals([DIANA], methods=("prr", "ic"))
    path = tmp_path / "signals.csv"
    assert write_signals_csv(signals, path) == 1
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == SIGNAL_COLUMNS
    assert rows[0]["ror"] == "" and float(rows[0]["prr"]) == pytest.approx(12.702127)


def test_stratified_expected_sums_over_strata() -> None:
    rows = [
        StratumRow("x", "y", "F", 2, 3, 10),
        ("x", "y", "M", 1, 1, 5),
        ("x", "z", "F", 2, 1, 10),
    ]
    expected = stratified_expected(rows)
    assert expected == {("x", "y"): pytest.approx(0.8), ("x", "z"): pytest.approx(0.2)}
    pair = PairCounts("x", "y", 1, 3, 4, 15, expected=expected["x", "y"])
    assert information_component(pair).value == pytest.approx(np.log2(1.5 / 1.3))
    with pytest.raises(InputError, match="exceed"):
        stratified_expected([("x", "y", "F", 11, 3, 10)])
    with pytest.raises(InputError, match="invalid stratum"):
        stratified_expected([("x", "y", "F", 1, 1, 0)])


def test_reference_counts_are_over_unique_report_ids() -> None:
    def report(report_id: str, drugs: list[str], events: list[str]) -> CaseReport:
        return CaseReport(
            id=report_id,
            source="test",
            drugs=tuple(ReportedDrug(name=d, rxcui=d.strip().upper()) for d in drugs),
            events=tuple(ReportedEvent(name=e) for e in events),
        )

    reports = [
        report("1", ["aspirin", "aspirin "], ["nausea"]),
        report("1", ["aspirin"], ["nausea", "rash"]),  # same id again: merges
        report("2", ["ibuprofen"], ["nausea"]),
        report("3", [], ["rash"]),
    ]
    counts = {(p.drug, p.event): p for p in count_pairs(reports)}
    assert counts["aspirin", "nausea"] == PairCounts("aspirin", "nausea", 1, 1, 2, 3)
    assert counts["aspirin", "rash"] == PairCounts("aspirin", "rash", 1, 1, 2, 3)
    by_rxcui = count_pairs(reports, drug_key=lambda d: d.rxcui or d.name)
    assert [p.drug for p in by_rxcui] == ["ASPIRIN", "ASPIRIN", "IBUPROFEN"]


def test_too_few_pairs_leave_ebgm_empty_rather_than_degenerate() -> None:
    pairs = [PairCounts(f"d{i}", "e", a=1 + i % 3, n_drug=5, n_event=20, n_reports=100)
             for i in range(20)]  # fmt: skip
    signals = compute_signals(pairs, methods=["prr", "ebgm"])
    assert all(s.ebgm is None and s.eb05 is None for s in signals)
    assert all(s.prr is not None for s in signals)
