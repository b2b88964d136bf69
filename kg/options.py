"""The graph stage's options: where the store is (`StoreOptions`) and what a signal table
counts and scores (`SignalOptions`), for the commands, `pvkg run` and the API alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from kg.methods import DEFAULT_METHODS, check_methods
from pvkg.config import DEFAULT_STORE
from pvkg.errors import ConfigError
from pvkg.options import option, ref

Mode = Literal["co-reported", "causal"]
MODES: tuple[Mode, ...] = get_args(Mode)


@dataclass(frozen=True)
class CountOptions:
    """The count query: co-reported pairs or extracted causal pairs, which assertions,
    the stratum of expected counts, and the smallest a returned."""

    mode: Mode = "co-reported"
    all_assertions: bool = False
    stratum: str | None = None
    min_count: int = 1
    min_causality: int | None = None  # causal mode: the smallest Naranjo score counted


@dataclass(frozen=True)
class StoreOptions:
    """A store spec and, for Neo4j, the credentials (from the environment by default)."""

    store: str = option(
        DEFAULT_STORE,
        "Graph store: a directory (embedded LadybugDB) or a bolt:// / neo4j:// URI.",
        flag=("--store", "-s"),
        envvar="PVKG_STORE",
    )
    user: str | None = option(None, "Neo4j user.", envvar="NEO4J_USER")
    password: str | None = option(None, "Neo4j password.", envvar="NEO4J_PASSWORD", secret=True)


@dataclass(frozen=True)
class SignalOptions:
    """Which statistics, from which counts; every count is of unique reports. The table
    keeps pairs with at least `min_count` reports (EBGM's prior still sees every pair)."""

    methods: tuple[str, ...] = option(
        DEFAULT_METHODS,
        "Comma-separated: prr, ror, ror_exact, ic, ebgm, weibull (time-to-onset shape test).",
        flag="--method",
    )
    min_count: int = option(1, "Smallest a (reports) to keep.")
    mode: Mode = option(
        "co-reported", "co-reported: drug and event in one report; causal: extracted."
    )
    all_assertions: bool = option(
        False, "Also count negated, speculated and family-history findings."
    )
    stratum: str | None = option(None, "Stratify expected counts by sex or age_group.")
    min_causality: int | None = option(
        None,
        "Causal mode: count only extracted triples whose Naranjo score (from the note's time "
        "to onset, dechallenge and rechallenge) is at least this.",
    )

    def __post_init__(self) -> None:
        check_methods(self.methods)
        if self.min_causality is not None and self.mode != "causal":
            raise ConfigError(
                f"{ref(SignalOptions, 'min_causality')} counts extracted triples only",
                hint=f"add {ref(SignalOptions, 'mode')} causal",
            )
        if self.min_count < 1:
            raise ConfigError(f"{ref(SignalOptions, 'min_count')} must be at least 1")
        if self.mode not in MODES:
            raise ConfigError(f"unknown mode {self.mode!r}", hint="choose co-reported or causal")

    def counting(self) -> CountOptions:
        """The count query: every pair (min_count 1), so EBGM's prior is fitted on all."""
        return CountOptions(self.mode, self.all_assertions, self.stratum, 1, self.min_causality)
