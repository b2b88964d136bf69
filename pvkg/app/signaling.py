"""`pvkg signals`: disproportionality signals from the pairs counted in a graph store."""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from pathlib import Path

from kg.counts import pair_table
from kg.disproportionality import Signal, compute_signal_table
from kg.onset_signals import OnsetSignal, onset_signals
from kg.options import SignalOptions, StoreOptions
from kg.signal_table import SignalTable
from kg.store import open_store
from pvkg.errors import ConfigError
from pvkg.problems import ErrorHandler
from pvkg.spark import EngineOptions


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
        onsets = onset_signals(graph, min_reports=3) if "weibull" in options.methods else None
    finally:
        graph.close()
    signals = compute_signal_table(pairs, methods=options.methods, min_count=options.min_count)
    if onsets is not None:
        _join_onsets(signals, onsets)
    if output is not None:
        signals.write_csv(output)
    return signals


def spark_signal_table(
    engine: EngineOptions,
    options: SignalOptions = SignalOptions(),
    output: str | Path | None = None,
    *,
    links: Sequence[str | Path] = (),
    faers: Sequence[str | Path] = (),
    on_error: ErrorHandler | None = None,
) -> SignalTable:
    """`store_signal_table` on Spark SQL: the same table as a store holding the same input.

    The input is link rows (Parquet) that `pvkg run --engine spark` wrote (`<output>/spark/
    links`) and FAERS quarters in FDA's ASCII layout, read by Spark (bad rows go to
    `on_error`), counted together as if the quarters were loaded before the notes.
    """
    from kg.spark_counts import spark_pair_table
    from pvkg.app.spark_faers import faers_links
    from pvkg.spark import spark_session

    if "weibull" in options.methods:
        raise ConfigError("the Spark engine does not run the Weibull shape test",
                          hint="drop weibull from --method, or use --engine local")  # fmt: skip
    if not links and not faers:
        hint = "add --links DIR (from pvkg run --engine spark) or --faers DIR"
        raise ConfigError("--engine spark counts link rows or FAERS quarters", hint=hint)
    for path in map(Path, links):
        if not path.exists():
            hint = "the spark/links folder `pvkg run --engine spark` wrote"
            raise ConfigError(f"no link rows at {path}", hint=hint)
    session = spark_session(engine, app_name="pvkg signals")
    frames = [session.read.parquet(*map(str, links))] if links else []
    if faers:
        frames.append(faers_links(session, faers, on_error=on_error))
    pairs = spark_pair_table(reduce(lambda a, b: a.unionByName(b), frames), options.counting())
    signals = compute_signal_table(pairs, methods=options.methods, min_count=options.min_count)
    if output is not None:
        signals.write_csv(output)
    return signals


def _join_onsets(signals: SignalTable, onsets: list[OnsetSignal]) -> None:
    """The shape test's columns for the pairs it could test (3+ reports with an onset
    time); empty (None) elsewhere."""
    import numpy as np

    by_pair = {(s.drug, s.event): s for s in onsets}
    found = [by_pair.get(pair) for pair in zip(signals.drug, signals.event, strict=True)]
    for column, field in (("onset_reports", "reports"), ("weibull_shape", "shape"),
                          ("weibull_lo", "shape_lo"), ("weibull_hi", "shape_hi")):  # fmt: skip
        signals.columns[column] = np.array(
            [None if s is None else getattr(s, field) for s in found], dtype=object
        )


def store_onset_signals(
    connection: StoreOptions = StoreOptions(),
    min_reports: int = 5,
    output: str | Path | None = None,
) -> list[OnsetSignal]:
    """The Weibull shape test on the times to onset of every pair with enough reports
    (`kg.onset_signals`), written to `output` (CSV) when given."""
    import csv

    from kg.onset_signals import onset_signals

    if min_reports < 3:
        raise ConfigError("a Weibull shape needs at least 3 onset times", hint="--min-reports 3")
    graph = open_store(connection.store, user=connection.user, password=connection.password)
    try:
        found = onset_signals(graph, min_reports=min_reports)
    finally:
        graph.close()
    if output is not None:
        with Path(output).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(ONSET_COLUMNS)
            for s in found:
                writer.writerow([s.drug, s.event, s.reports, f"{s.median_days:.6g}",
                                 f"{s.shape:.6g}", f"{s.shape_lo:.6g}", f"{s.shape_hi:.6g}",
                                 f"{s.scale_days:.6g}", s.pattern, s.flagged])  # fmt: skip
    return found


ONSET_COLUMNS = ("drug", "event", "reports", "median_days", "shape", "shape_lo", "shape_hi",
                 "scale_days", "pattern", "flagged")  # fmt: skip
