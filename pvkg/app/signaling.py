"""`pvkg signals`: disproportionality signals from the pairs counted in a graph store."""

from __future__ import annotations

from pathlib import Path

from kg.counts import pair_table
from kg.disproportionality import Signal, compute_signal_table
from kg.options import SignalOptions, StoreOptions
from kg.signal_table import SignalTable
from kg.store import open_store


def store_signals(
    connection: StoreOptions = StoreOptions(),
    options: SignalOptions = SignalOptions(),
    output: str | Path | None = None,
) -> list[Signal]:
    """Count every drug–event pair over unique reports in the store, score it, and write
    the table to `output` (CSV) when given. Sorted by a, then drug and event."""
    return store_signal_table(connection, options, output).signals()


def store_signal_table(
    connection: StoreOptions = StoreOptions(),
    options: SignalOptions = SignalOptions(),
    output: str | Path | None = None,
) -> SignalTable:
    """`store_signals` as columns: what the CLI uses, since it prints only the top rows."""
    graph = open_store(connection.store, user=connection.user, password=connection.password)
    try:
        pairs = pair_table(graph, options.counting())
    finally:
        graph.close()
    signals = compute_signal_table(pairs, methods=options.methods, min_count=options.min_count)
    if output is not None:
        signals.write_csv(output)
    return signals
