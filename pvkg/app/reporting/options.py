"""`ReportOptions`, apart from the report's writer so that `pvkg --help` stays light."""

from __future__ import annotations

from dataclasses import dataclass

from kg.options import SignalOptions
from pvkg.options import option


@dataclass(frozen=True)
class ReportOptions:
    """`signals` as for `pvkg signals`; `top` pairs get the forest plot and `top` signals
    an evidence section with up to `sentences_per_signal` sentences."""

    signals: SignalOptions = option(help="What is counted and scored.", factory=SignalOptions)
    top: int = option(
        20, "Pairs in the forest plot; signals given evidence; members shown per cohort."
    )
    sentences_per_signal: int = option(10, "Evidence sentences shown for a signal at most.")
