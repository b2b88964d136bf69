"""Scored drug–event pairs: one row (`Signal`) or all of them as columns (`SignalTable`),
and the signals CSV. `pvkg signals` prints a few rows of a table of millions and writes the
rest to CSV straight from the columns, so it never builds an object per pair.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

from numpy.typing import NDArray

SIGNAL_COLUMNS: tuple[str, ...] = (
    "drug", "event", "a", "b", "c", "d", "expected",
    "prr", "prr_lo", "prr_hi", "chi2", "ror", "ror_lo", "ror_hi",
    "ic", "ic025", "ebgm", "eb05", "eb95",
    "onset_reports", "weibull_shape", "weibull_lo", "weibull_hi",
)  # fmt: skip


@dataclass(frozen=True)
class Signal:
    """One output row; a measure that was not asked for is None."""

    drug: str
    event: str
    a: int
    b: int
    c: int
    d: int
    expected: float
    prr: float | None = None
    prr_lo: float | None = None
    prr_hi: float | None = None
    chi2: float | None = None
    ror: float | None = None
    ror_lo: float | None = None
    ror_hi: float | None = None
    ic: float | None = None
    ic025: float | None = None
    ebgm: float | None = None
    eb05: float | None = None
    eb95: float | None = None
    onset_reports: int | None = None
    weibull_shape: float | None = None
    weibull_lo: float | None = None
    weibull_hi: float | None = None


@dataclass(frozen=True)
class SignalTable:
    """Signals as columns: names, and one array per other `SIGNAL_COLUMNS` entry that was
    computed (a, b, c, d as integers; a measure not asked for has no column)."""

    drug: list[str]
    event: list[str]
    columns: dict[str, NDArray[Any]]

    def __len__(self) -> int:
        return len(self.drug)

    def signals(self, stop: int | None = None) -> list[Signal]:
        """The first `stop` rows (all by default) as `Signal`s."""
        return list(map(Signal, self.drug[:stop], self.event[:stop], *self._values(stop, None)))

    def write_csv(self, path: str | Path) -> int:
        """The CSV `write_signals_csv` writes for the same signals; returns the rows."""
        with Path(path).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(SIGNAL_COLUMNS)
            # repeat() stands in for an absent column, so the zip stops at the names.
            writer.writerows(zip(self.drug, self.event, *self._values(None, ""), strict=False))
        return len(self)

    def _values(self, stop: int | None, missing: object) -> Iterator[Iterable[Any]]:
        for name in SIGNAL_COLUMNS[2:]:
            column = self.columns.get(name)
            yield itertools.repeat(missing) if column is None else column[:stop].tolist()


def write_signals_csv(signals: Iterable[Signal], path: str | Path) -> int:
    """Write signals with a `SIGNAL_COLUMNS` header (empty cell for None); return the rows."""
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(SIGNAL_COLUMNS)
        for signal in signals:
            writer.writerow("" if v is None else v for v in astuple(signal))
            count += 1
    return count
