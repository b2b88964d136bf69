"""Disproportionality statistics over drug-event 2x2 tables of unique reports.

The unit of every count is the unique report (case report id): ``a`` reports name the drug
and the event, ``n_drug`` the drug, ``n_event`` the event, ``n_reports`` is every report in
the database. A report that repeats a drug or an event still counts once. The table is::

                event   no event
    drug          a        b        b = n_drug - a
    no drug       c        d        c = n_event - a,  d = n_reports - a - b - c

Measures and their conventions:

- PRR = (a/(a+b)) / (c/(c+d)), 95% CI log-normal with
  SE = sqrt(1/a - 1/(a+b) + 1/c - 1/(c+d)) (Evans et al. 2001; DiAna's formula).
- chi2: Pearson's chi-squared with Yates' continuity correction, 1 df — the statistic of the
  Evans criteria (PRR >= 2, chi2 >= 4, a >= 3) as Evans et al. and the MHRA use it.
  ``chi_squared(..., yates=False)`` gives the uncorrected one.
- ROR = ad/(bc), 95% CI by Woolf (SE = sqrt(1/a + 1/b + 1/c + 1/d)); or, with method
  ``ror_exact``, the conditional maximum-likelihood estimate with Fisher's exact interval
  (scipy's ``odds_ratio(kind="conditional")``), which is what DiAna reports (via R's
  ``fisher.test``; R finds the limits with ``uniroot`` at tolerance ~1.2e-4 on the 1/OR
  scale, so its upper limits can differ from ours by up to ~0.5%).
- IC = log2((a + 0.5) / (E + 0.5)) (BCPNN with DiAna's shrinkage), IC025/IC975 by Norén's
  closed-form approximation.
- EBGM, EB05, EB95: see `kg.ebgm`.

E is n_drug * n_event / n_reports, or a stratified expectation when one is given
(`stratified_expected`). Zero cells never raise: a ratio with a zero numerator is 0, one with
a zero denominator is inf, 0/0 is nan; an interval whose standard error needs a zero cell is
(nan, nan). (openEBGM reports PRR = Inf also for 0/0; we keep nan there.)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from kg.ebgm import Prior, ebgm_scores, fit_prior
from kg.methods import DEFAULT_METHODS, check_methods
from kg.pair_table import PairCounts as PairCounts
from kg.pair_table import PairTable
from kg.signal_table import SIGNAL_COLUMNS as SIGNAL_COLUMNS
from kg.signal_table import Signal as Signal
from kg.signal_table import SignalTable
from kg.signal_table import write_signals_csv as write_signals_csv
from pvkg.errors import InputError

FloatArray = NDArray[np.float64]

Z95 = 1.959963984540054


# Fewer pairs than this cannot pin down a five-parameter prior: the fit lands on a
# degenerate mixture that shrinks every pair to one value. EBGM is then left empty.
MIN_FIT_PAIRS = 500


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its 95% interval."""

    value: float
    lo: float
    hi: float


class StratumRow(NamedTuple):
    """Counts of one pair within one stratum: the drug's, the event's and all reports."""

    drug: str
    event: str
    stratum: str
    n_drug: int
    n_event: int
    n_reports: int


class _Cells(NamedTuple):
    a: FloatArray
    b: FloatArray
    c: FloatArray
    d: FloatArray
    e: FloatArray


def _cells(pairs: PairTable) -> _Cells:
    def column(values: NDArray[np.int64]) -> FloatArray:
        return values.astype(np.float64)

    return _Cells(
        a=column(pairs.a),
        b=column(pairs.n_drug - pairs.a),
        c=column(pairs.n_event - pairs.a),
        d=column(pairs.n_reports - pairs.n_drug - pairs.n_event + pairs.a),
        e=pairs.E(),
    )


def _log_normal_interval(
    value: FloatArray, se: FloatArray, defined: NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray]:
    lo = np.where(defined, value * np.exp(-Z95 * se), np.nan)
    hi = np.where(defined, value * np.exp(Z95 * se), np.nan)
    return lo, hi


def _prr(t: _Cells) -> tuple[FloatArray, FloatArray, FloatArray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (t.a / (t.a + t.b)) / (t.c / (t.c + t.d))
        se = np.sqrt(1 / t.a - 1 / (t.a + t.b) + 1 / t.c - 1 / (t.c + t.d))
        lo, hi = _log_normal_interval(value, se, (t.a > 0) & (t.c > 0) & np.isfinite(se))
    return value, lo, hi


def _chi2(t: _Cells, yates: bool = True) -> FloatArray:
    n = t.a + t.b + t.c + t.d
    margins = (t.a + t.b) * (t.c + t.d) * (t.a + t.c) * (t.b + t.d)
    excess = np.abs(t.a * t.d - t.b * t.c)
    if yates:
        excess = np.maximum(excess - n / 2, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2: FloatArray = np.where(margins > 0, n * excess**2 / margins, np.nan)
    return chi2


def _ror(t: _Cells) -> tuple[FloatArray, FloatArray, FloatArray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (t.a * t.d) / (t.b * t.c)
        se = np.sqrt(1 / t.a + 1 / t.b + 1 / t.c + 1 / t.d)
        defined = (t.a > 0) & (t.b > 0) & (t.c > 0) & (t.d > 0)
        lo, hi = _log_normal_interval(value, se, defined)
    return value, lo, hi


def _ror_exact(t: _Cells) -> tuple[FloatArray, FloatArray, FloatArray]:
    from scipy.stats.contingency import odds_ratio  # scipy.stats costs ~2 s to import

    out = np.full((3, t.a.size), np.nan)
    for i, cells in enumerate(zip(t.a, t.b, t.c, t.d, strict=True)):
        a, b, c, d = (int(x) for x in cells)
        if (a + b) * (c + d) * (a + c) * (b + d) == 0:
            continue  # an empty margin: scipy has nothing to condition on
        result = odds_ratio([[a, b], [c, d]], kind="conditional")
        interval = result.confidence_interval(confidence_level=0.95)
        out[:, i] = (result.statistic, interval.low, interval.high)
    return out[0], out[1], out[2]


def _ic(t: _Cells) -> tuple[FloatArray, FloatArray, FloatArray]:
    shrunk = t.a + 0.5
    value = np.log2(shrunk / (t.e + 0.5))
    lo = value - 3.3 * shrunk**-0.5 - 2 * shrunk**-1.5
    hi = value + 2.4 * shrunk**-0.5 - 0.5 * shrunk**-1.5
    return value, lo, hi


def _one(counts: PairCounts) -> _Cells:
    return _cells(PairTable.from_pairs([counts]))


def _first(values: tuple[FloatArray, ...]) -> Estimate:
    return Estimate(*(float(v[0]) for v in values))


def prr(counts: PairCounts) -> Estimate:
    """Proportional reporting ratio with its log-normal 95% interval."""
    return _first(_prr(_one(counts)))


def chi_squared(counts: PairCounts, *, yates: bool = True) -> float:
    """Chi-squared (1 df) of the 2x2 table, Yates-corrected unless ``yates=False``."""
    return float(_chi2(_one(counts), yates)[0])


def ror(counts: PairCounts) -> Estimate:
    """Reporting odds ratio with Woolf's 95% interval."""
    return _first(_ror(_one(counts)))


def ror_exact(counts: PairCounts) -> Estimate:
    """Conditional-MLE reporting odds ratio with Fisher's exact 95% interval (DiAna's ROR)."""
    return _first(_ror_exact(_one(counts)))


def information_component(counts: PairCounts) -> Estimate:
    """IC = log2((a+.5)/(E+.5)) with Norén's IC025 and IC975."""
    return _first(_ic(_one(counts)))


def evans_signal(prr_value: float, chi2: float, a: int) -> bool:
    """The Evans criteria: PRR >= 2, Yates-corrected chi2 >= 4 and at least 3 reports."""
    return prr_value >= 2 and chi2 >= 4 and a >= 3


def compute_signals(
    pairs: Iterable[PairCounts],
    methods: Collection[str] = DEFAULT_METHODS,
    min_count: int = 1,
    prior: Prior | None = None,
) -> list[Signal]:
    """Score every pair with ``methods`` and keep those with ``a >= min_count``.

    ``methods`` draws from prr (with chi2), ror (Woolf), ror_exact (conditional MLE, about
    7 ms a pair), ic and ebgm. EBGM fits the prior on all pairs given (``kg.ebgm.fit_prior``,
    pairs with a >= 1) before ``min_count`` filters the output, unless ``prior`` is given;
    with fewer than ``MIN_FIT_PAIRS`` pairs and no prior, EBGM columns stay empty.
    """
    table = PairTable.from_pairs(list(pairs))
    return compute_signal_table(table, methods, min_count, prior).signals()


def compute_signal_table(
    pairs: PairTable,
    methods: Collection[str] = DEFAULT_METHODS,
    min_count: int = 1,
    prior: Prior | None = None,
) -> SignalTable:
    """`compute_signals` on a table of pairs, as a table: the same numbers, no object per
    pair."""
    chosen = check_methods(methods)
    table = _cells(pairs)
    columns: dict[str, NDArray[Any]] = {
        "a": pairs.a,
        "b": pairs.n_drug - pairs.a,
        "c": pairs.n_event - pairs.a,
        "d": pairs.n_reports - pairs.n_drug - pairs.n_event + pairs.a,
        "expected": table.e,
    }
    if "prr" in chosen:
        columns.update(zip(("prr", "prr_lo", "prr_hi"), _prr(table), strict=True))
        columns["chi2"] = _chi2(table)
    if chosen & {"ror", "ror_exact"}:
        ror_values = _ror_exact(table) if "ror_exact" in chosen else _ror(table)
        columns.update(zip(("ror", "ror_lo", "ror_hi"), ror_values, strict=True))
    if "ic" in chosen:
        ic_value, ic025, _ = _ic(table)
        columns.update(ic=ic_value, ic025=ic025)
    if "ebgm" in chosen and len(pairs) and (prior is not None or len(pairs) >= MIN_FIT_PAIRS):
        if prior is None:
            prior = fit_prior(table.a, table.e).prior
        columns.update(
            zip(("ebgm", "eb05", "eb95"), ebgm_scores(table.a, table.e, prior), strict=True)
        )
    kept = np.flatnonzero(pairs.a >= min_count)
    return SignalTable(
        drug=[pairs.drug[i] for i in kept.tolist()],
        event=[pairs.event[i] for i in kept.tolist()],
        columns={name: values[kept] for name, values in columns.items()},
    )


def stratified_expected(
    rows: Iterable[StratumRow | tuple[str, str, str, int, int, int]],
) -> dict[tuple[str, str], float]:
    """E per (drug, event) = sum over strata of n_drug_s * n_event_s / n_s (openEBGM's way).

    Give one row per pair and stratum in which the pair's drug and event both occur; a
    stratum missing for a pair adds nothing, as a zero product would.
    """
    expected: dict[tuple[str, str], float] = {}
    for raw in rows:
        row = StratumRow(*raw)
        if min(row.n_drug, row.n_event) < 0 or row.n_reports <= 0:
            raise InputError(f"invalid stratum counts {tuple(row)}")
        if max(row.n_drug, row.n_event) > row.n_reports:
            raise InputError(f"stratum counts exceed the stratum's reports: {tuple(row)}")
        key = (row.drug, row.event)
        expected[key] = expected.get(key, 0.0) + row.n_drug * row.n_event / row.n_reports
    return expected
