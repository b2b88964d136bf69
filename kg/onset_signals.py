"""Time-to-onset signals: the Weibull shape parameter test (Cornelius et al. 2012) on the
times to onset the graph stores for a drug-event pair, one per report.

A Weibull fitted to the onset times (in days) has shape k: k < 1 when the hazard falls with
time (events early after the start, as for a hypersensitivity reaction), k > 1 when it
rises (late, cumulative toxicity), k = 1 for a constant hazard, the pattern of a background
event unrelated to the drug. A pair is flagged when the 95% confidence interval of k
excludes 1. k is found by maximum likelihood with the scale profiled out,
l(k) = n log k - n log(mean(x^k)) + (k - 1) sum(log x) - n, and the interval from the
profile likelihood ratio (chi-squared, 1 degree of freedom).
"""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from kg.counts import ALL_ASSERTIONS, COUNTED_ASSERTIONS
from kg.store import GraphStore

MIN_REPORTS = 5  # fewer onset times give an interval too wide to say anything
CHI2_95_1DF = 3.841458820694124
DAYS = {"Y": 365.25, "M": 30.4375, "W": 7.0, "D": 1.0}
HOURS = {"H": 1 / 24, "M": 1 / 1440, "S": 1 / 86400}
Pattern = Literal["early", "late", "constant"]

_ONSETS = """
MATCH (r:Report)-[:HAS_TRIPLE]->(t:Triple)-[:OF_DRUG]->(d:Drug),
      (t)-[:OF_EVENT]->(e:AdverseEvent)
WHERE t.time_to_onset IS NOT NULL AND t.assertion IN $assertions
RETURN d.name AS drug, e.name AS event, r.key AS report, t.time_to_onset AS onset
"""
_DURATION = re.compile(r"P(?:(\d+(?:\.\d+)?)([YMWD]))?(?:T(\d+(?:\.\d+)?)([HMS]))?")


@dataclass(frozen=True)
class OnsetSignal:
    drug: str
    event: str
    reports: int
    median_days: float
    shape: float
    shape_lo: float
    shape_hi: float
    scale_days: float
    days: tuple[float, ...] = ()  # the onset times tested, one a report, ascending

    @property
    def flagged(self) -> bool:
        return not self.shape_lo <= 1.0 <= self.shape_hi

    @property
    def pattern(self) -> Pattern:
        if self.shape_hi < 1.0:
            return "early"
        return "late" if self.shape_lo > 1.0 else "constant"


def onset_days(value: str) -> float | None:
    """Days of an ISO-8601 duration with one amount (P4W, PT48H); None when unknown (PXM)."""
    match = _DURATION.fullmatch(value)
    if match is None or not (match.group(1) or match.group(3)):
        return None
    if match.group(1):
        return float(match.group(1)) * DAYS[match.group(2)]
    return float(match.group(3)) * HOURS[match.group(4)]


def weibull_shape(days: Sequence[float]) -> tuple[float, float, float, float]:
    """(shape, its 95% interval low and high, scale) fitted to positive onset times."""
    from scipy.optimize import brentq, minimize_scalar

    logs = [math.log(d) for d in days if d > 0]
    n, total = len(logs), sum(logs)

    def log_mean_power(k: float) -> float:
        """log(mean(x^k)), summed in logs so that large k cannot overflow."""
        top = max(k * v for v in logs)
        return top + math.log(sum(math.exp(k * v - top) for v in logs) / n)

    def profile(k: float) -> float:
        return n * math.log(k) - n * log_mean_power(k) + (k - 1) * total - n

    best = minimize_scalar(lambda t: -profile(math.exp(t)), bounds=(-6.0, 4.0), method="bounded")
    k = math.exp(best.x)
    top = profile(k)

    def gap(t: float) -> float:
        return 2 * (top - profile(math.exp(t))) - CHI2_95_1DF

    lo = math.exp(brentq(gap, -8.0, math.log(k))) if gap(-8.0) > 0 else 0.0
    hi = math.exp(brentq(gap, math.log(k), 6.0)) if gap(6.0) > 0 else math.inf
    return k, lo, hi, math.exp(log_mean_power(k) / k)


def onset_signals(
    store: GraphStore, *, min_reports: int = MIN_REPORTS, all_assertions: bool = False
) -> list[OnsetSignal]:
    """Every drug-event pair with onset times in at least `min_reports` reports (one a
    report: the earliest), with its Weibull shape test; flagged pairs first."""
    assertions = list(ALL_ASSERTIONS if all_assertions else COUNTED_ASSERTIONS)
    earliest: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for row in store.run(_ONSETS, {"assertions": assertions}):
        onset = onset_days(str(row["onset"]))
        if onset is None or onset <= 0:
            continue
        per_report = earliest[row["drug"], row["event"]]
        per_report[row["report"]] = min(onset, per_report.get(row["report"], math.inf))
    found = []
    for (drug, event), by_report in earliest.items():
        if len(by_report) < min_reports:
            continue
        days = sorted(by_report.values())
        shape, lo, hi, scale = weibull_shape(days)
        found.append(OnsetSignal(drug, event, len(days), statistics.median(days), shape, lo, hi,
                                 scale, tuple(days)))  # fmt: skip
    return sorted(found, key=lambda s: (not s.flagged, -s.reports, s.drug, s.event))
