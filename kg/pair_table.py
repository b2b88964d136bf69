"""Unique-report counts of drug–event pairs: one pair (`PairCounts`) or a whole table of
them as columns (`PairTable`).

A million reports give about two million pairs; building, sorting and scoring one object
per pair took longer than counting them in the store, so counts travel as numpy columns
from the store's rows to the statistics and become objects only where one is asked for.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pvkg.errors import InputError

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class PairCounts:
    """Unique-report counts for one drug-event pair (see `kg.disproportionality`)."""

    drug: str
    event: str
    a: int
    n_drug: int
    n_event: int
    n_reports: int
    expected: float | None = None

    def __post_init__(self) -> None:
        problem = _count_problem(self)
        if problem:
            raise InputError(f"invalid counts for {self.drug!r} | {self.event!r}: {problem}")

    @property
    def b(self) -> int:
        return self.n_drug - self.a

    @property
    def c(self) -> int:
        return self.n_event - self.a

    @property
    def d(self) -> int:
        return self.n_reports - self.n_drug - self.n_event + self.a

    @property
    def E(self) -> float:
        if self.expected is not None:
            return self.expected
        return self.n_drug * self.n_event / self.n_reports


def _count_problem(p: PairCounts) -> str | None:
    if min(p.a, p.n_drug, p.n_event) < 0 or p.n_reports <= 0:
        return "counts must be non-negative and n_reports positive"
    if p.a > min(p.n_drug, p.n_event):
        return f"a={p.a} exceeds n_drug={p.n_drug} or n_event={p.n_event}"
    if p.n_drug + p.n_event - p.a > p.n_reports:
        return f"n_drug + n_event - a exceeds n_reports={p.n_reports}"
    if p.expected is not None and not (math.isfinite(p.expected) and p.expected >= 0):
        return f"expected must be finite and non-negative, not {p.expected}"
    if p.expected == 0 and p.a > 0:
        return "expected is 0 but the pair was reported"
    return None


@dataclass(frozen=True)
class PairTable:
    """The counts of many pairs, one array per field of `PairCounts`, checked as it is.

    `expected` is NaN where no expected count was given (E = n_drug * n_event / n_reports).
    """

    drug: list[str]
    event: list[str]
    a: IntArray
    n_drug: IntArray
    n_event: IntArray
    n_reports: IntArray
    expected: FloatArray

    def __post_init__(self) -> None:
        bad = np.flatnonzero(~self._valid())
        if bad.size:
            self.pair(int(bad[0]))  # raises the one-pair error, which names the problem

    def _valid(self) -> NDArray[np.bool_]:
        a, n_drug, n_event, n_reports = self.a, self.n_drug, self.n_event, self.n_reports
        given = ~np.isnan(self.expected)
        with np.errstate(invalid="ignore"):
            expected_ok = ~given | (np.isfinite(self.expected) & (self.expected >= 0))
        valid: NDArray[np.bool_] = (
            (np.minimum(np.minimum(a, n_drug), n_event) >= 0)
            & (n_reports > 0)
            & (a <= np.minimum(n_drug, n_event))
            & (n_drug + n_event - a <= n_reports)
            & expected_ok
            & ~((self.expected == 0) & (a > 0))
        )
        return valid

    def __len__(self) -> int:
        return len(self.drug)

    @classmethod
    def from_pairs(cls, pairs: Sequence[PairCounts]) -> PairTable:
        def column(name: str) -> IntArray:
            return np.fromiter((getattr(p, name) for p in pairs), np.int64, len(pairs))

        expected = (np.nan if p.expected is None else p.expected for p in pairs)
        return cls(
            drug=[p.drug for p in pairs],
            event=[p.event for p in pairs],
            a=column("a"),
            n_drug=column("n_drug"),
            n_event=column("n_event"),
            n_reports=column("n_reports"),
            expected=np.fromiter(expected, np.float64, len(pairs)),
        )

    def pair(self, i: int) -> PairCounts:
        expected = float(self.expected[i])
        return PairCounts(self.drug[i], self.event[i], int(self.a[i]), int(self.n_drug[i]),
                          int(self.n_event[i]), int(self.n_reports[i]),
                          None if math.isnan(expected) else expected)  # fmt: skip

    def pairs(self) -> list[PairCounts]:
        return [self.pair(i) for i in range(len(self))]

    def E(self) -> FloatArray:
        """Expected counts: the given ones, else n_drug * n_event / n_reports."""
        computed = self.n_drug * self.n_event / self.n_reports
        return np.where(np.isnan(self.expected), computed, self.expected)

    def take(self, rows: NDArray[np.intp]) -> PairTable:
        """The pairs at `rows`, in that order."""
        at = rows.tolist()
        return PairTable(
            drug=[self.drug[i] for i in at],
            event=[self.event[i] for i in at],
            a=self.a[rows],
            n_drug=self.n_drug[rows],
            n_event=self.n_event[rows],
            n_reports=self.n_reports[rows],
            expected=self.expected[rows],
        )

    def by_count(self) -> PairTable:
        """Sorted by a (largest first), then drug and event name; ties keep their order."""
        order = np.lexsort((_ranks(self.event), _ranks(self.drug), -self.a))
        return self.take(order)


def _ranks(names: list[str]) -> IntArray:
    """Each name's place in the sorted distinct names: sorting ints beats sorting strings."""
    place = {name: i for i, name in enumerate(sorted(set(names)))}
    return np.fromiter((place[name] for name in names), np.int64, len(names))
