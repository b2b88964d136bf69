"""What a report shows: the ranked signal rows with their flags, and the page's facts."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from kg.cohort_read import CohortSummary
from kg.disproportionality import Signal, evans_signal
from kg.evidence import PairEvidence
from kg.onset_signals import OnsetSignal
from kg.options import CountOptions

EB05_THRESHOLD = 2.0


@dataclass(frozen=True)
class Flags:
    """Signal criteria a pair meets: Evans et al. 2001, and EB05 >= 2 (Szarfman et al. 2002)."""

    evans: bool
    eb05: bool

    @property
    def any(self) -> bool:
        return self.evans or self.eb05


def flags(signal: Signal) -> Flags:
    evans = (
        signal.prr is not None
        and signal.chi2 is not None
        and evans_signal(signal.prr, signal.chi2, signal.a)
    )
    return Flags(evans=evans, eb05=signal.eb05 is not None and signal.eb05 >= EB05_THRESHOLD)


@dataclass(frozen=True)
class Row:
    """One table row; `anchor` is the id of its evidence section, if it has one."""

    signal: Signal
    flags: Flags
    anchor: str | None = None


def ranked(signals: Sequence[Signal], by_eb05: bool) -> list[Row]:
    """Rows by EB05 (the shrunk lower bound, robust for small a) or else by a, descending."""

    def key(s: Signal) -> tuple[float, float, str, str]:
        eb05 = s.eb05 if by_eb05 and s.eb05 is not None and not math.isnan(s.eb05) else -1.0
        return (-eb05, -s.a, s.drug, s.event)

    return [Row(signal, flags(signal)) for signal in sorted(signals, key=key)]


@dataclass(frozen=True)
class ReportData:
    """Everything the page renders. `rows` are the table (a >= min_count), best first."""

    store: str
    created: datetime
    version: str
    methods: tuple[str, ...]
    counting: CountOptions
    min_count: int
    top: int
    reports_by_source: Mapping[str, int]
    pairs_counted: int
    rows: Sequence[Row]
    evidence: Sequence[tuple[Row, PairEvidence]]
    sentences_per_signal: int
    cohorts: Sequence[CohortSummary] = ()
    onsets: Sequence[OnsetSignal] = ()

    @property
    def reports(self) -> int:
        return sum(self.reports_by_source.values())

    @property
    def signals(self) -> int:
        return sum(row.flags.any for row in self.rows)
