"""`pvkg signals`: disproportionality signals from the pairs counted in a graph store."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from kg.counts import CountOptions, pair_table
from kg.disproportionality import Signal, compute_signal_table
from kg.methods import DEFAULT_METHODS
from kg.signal_table import SignalTable
from kg.store import open_store


def store_signals(
    store: str | Path | None = None,
    *,
    methods: Collection[str] = DEFAULT_METHODS,
    min_count: int = 1,
    options: CountOptions = CountOptions(),
    output: str | Path | None = None,
    user: str | None = None,
    password: str | None = None,
) -> list[Signal]:
    """Count every drug–event pair over unique reports in `store`, score it with `methods`,
    and write the table to `output` (CSV) when given. Sorted by a, then drug and event.

    All pairs are counted (min_count 1) so that EBGM's prior is fitted on the whole table;
    `min_count` filters only what is returned.
    """
    table = store_signal_table(store, methods=methods, min_count=min_count, options=options,
                               output=output, user=user, password=password)  # fmt: skip
    return table.signals()


def store_signal_table(
    store: str | Path | None = None,
    *,
    methods: Collection[str] = DEFAULT_METHODS,
    min_count: int = 1,
    options: CountOptions = CountOptions(),
    output: str | Path | None = None,
    user: str | None = None,
    password: str | None = None,
) -> SignalTable:
    """`store_signals` as columns: what the CLI uses, since it prints only the top rows."""
    graph = open_store(store, user=user, password=password)
    try:
        pairs = pair_table(graph, CountOptions(options.mode, options.all_assertions,
                                               options.stratum, 1))  # fmt: skip
    finally:
        graph.close()
    signals = compute_signal_table(pairs, methods=methods, min_count=min_count)
    if output is not None:
        signals.write_csv(output)
    return signals
