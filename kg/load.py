"""Batched, idempotent loading of triples and case reports into a graph store."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from kg._schema import TRIPLE
from kg.causality_graph import rescore
from kg.rows import GraphBatch, add_case_report, add_triple
from kg.store import BatchWriter, GraphStore, WriteStats
from pvkg.batching import chunked
from pvkg.records import CaseReport, Triple

DEFAULT_BATCH_SIZE = 5_000
Loadable = Triple | CaseReport


@dataclass
class LoadSummary:
    """Totals of one load; `nodes` and `rels` count only what was new to the store."""

    records: int = 0
    batches: int = 0
    nodes: int = 0
    rels: int = 0
    rescored: int = 0  # triples whose Naranjo score the graph's other reports changed


def batches(records: Iterable[Loadable], size: int = DEFAULT_BATCH_SIZE) -> Iterator[GraphBatch]:
    """Group records into row batches of at most `size` records each."""
    for chunk in chunked(records, size):
        batch = GraphBatch()
        for record in chunk:
            if isinstance(record, CaseReport):
                add_case_report(batch, record)
            else:
                add_triple(batch, record)
        yield batch


def write_batches(
    store: GraphStore, rows: Iterable[GraphBatch]
) -> Iterator[tuple[GraphBatch, WriteStats]]:
    """Each batch with what it added, through the store's own pipelined writer if it has
    one (then not necessarily in order), else one `write_batch` after another."""
    if isinstance(store, BatchWriter):
        yield from store.write_batches(rows)
    else:
        for batch in rows:
            yield batch, store.write_batch(batch)


def load(
    store: GraphStore,
    records: Iterable[Loadable],
    *,
    batch_size: int | None = None,
    on_batch: Callable[[int], None] | None = None,
    rescore_causality: bool = True,
) -> LoadSummary:
    """Write records in batches, one transaction each; re-running adds nothing. Then, when
    triples were loaded, bring their Naranjo scores up to date with the graph's other
    reports (`kg.causality_graph.rescore`, a pass over every assessed triple: a caller that
    loads many small pieces turns it off and calls it once at the end).

    `batch_size` defaults to the store's; `on_batch` is called with the number of records
    of each batch written (for progress), as batches commit. A store that writes several
    batches at once (Neo4j) may have committed later batches than one that failed; each
    batch commits whole, so re-running the load still resumes it.
    """
    summary = LoadSummary()
    triples = False
    for batch, stats in write_batches(store, batches(records, batch_size or store.batch_size)):
        summary.records += batch.records
        summary.batches += 1
        summary.nodes += stats.nodes
        summary.rels += stats.rels
        triples = triples or bool(batch.nodes[TRIPLE.label])
        if on_batch is not None:
            on_batch(batch.records)
    if triples and rescore_causality:
        summary.rescored = rescore(store)
    return summary
