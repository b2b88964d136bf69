"""Load throughput into both stores, batched vs naive MERGE, and all-pairs signal time.

Synthetic case reports (about 2 drugs and 3 events each, Zipf-like popularity) go into the
embedded LadybugDB store and into Neo4j (started by scripts/neo4j-local; URI from
PVKG_NEO4J_URI or the bolt-uri file). Prints relationships per second (report-level links,
the relationships loaded) and the ratios the issue names; `--record` appends the figures to
benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/graph_load.py --reports 1000000 --record
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import random
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.counts import pair_table
from kg.disproportionality import compute_signal_table
from kg.ladybug_store import DEFAULT_EMBEDDED_BATCH
from kg.load import batches
from kg.neo4j_store import DEFAULT_WRITERS, Neo4jStore
from kg.rows import GraphBatch
from kg.store import BatchWriter, GraphStore, open_store
from pvkg.config import local_neo4j_uri_file
from pvkg.errors import StoreError
from pvkg.records import CaseReport, ReportedDrug, ReportedEvent

RESULTS = Path(__file__).with_name("RESULTS.md")


def synthetic_reports(n: int, seed: int = 1, start: int = 0) -> Iterator[CaseReport]:
    """`n` reports with ids from r<start>; the same seed gives the same reports."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    drugs = [f"DRUG{i:05d}" for i in range(3_000)]
    events = [f"EVENT{i:05d}" for i in range(6_000)]
    drug_weights = list(itertools.accumulate(1 / (i + 1) for i in range(len(drugs))))
    event_weights = list(itertools.accumulate(1 / (i + 1) ** 0.8 for i in range(len(events))))
    for i in range(n):
        n_drugs = rng.choice((1, 2, 2, 3))
        n_events = rng.choice((2, 3, 3, 4))
        yield CaseReport(
            id=f"r{start + i}",
            source="bench",
            sex=rng.choice(("F", "M")),
            drugs=tuple(
                ReportedDrug(name=d)
                for d in set(rng.choices(drugs, cum_weights=drug_weights, k=n_drugs))
            ),
            events=tuple(
                ReportedEvent(name=e)
                for e in set(rng.choices(events, cum_weights=event_weights, k=n_events))
            ),
        )


def timed_load(store: GraphStore, n: int, batch_size: int) -> tuple[float, float, float, int]:
    """(seconds in the store, its CPU seconds in this process, seconds building rows from
    records, relationships written); generating the synthetic records is not timed. A store
    that writes batches itself (Neo4j: several in flight while the next is built) is timed
    end to end through that, building rows included (then 0 seconds building apart)."""
    if isinstance(store, BatchWriter):
        return pipelined_load(store, n, batch_size)
    write = cpu = build = 0.0
    rels = 0
    reports = synthetic_reports(n)
    while chunk := list(itertools.islice(reports, batch_size)):
        started = time.perf_counter()
        (batch,) = batches(chunk, len(chunk))
        built, cpu_before = time.perf_counter(), time.process_time()
        rels += store.write_batch(batch).rels
        build += built - started
        write += time.perf_counter() - built
        cpu += time.process_time() - cpu_before
    return write, cpu, build, rels


def pipelined_load(store: BatchWriter, n: int, batch_size: int) -> tuple[float, float, float, int]:
    """End to end through `write_batches`: rows are built while earlier batches are written."""
    seconds, cpu, rels = batch_writer_load(store, batches(list(synthetic_reports(n)), batch_size))
    return seconds, cpu, 0.0, rels


def batch_writer_load(store: BatchWriter, rows: Iterable[GraphBatch]) -> tuple[float, float, int]:
    """(seconds, client CPU seconds, relationships) of `write_batches` over `rows`; with
    batches built beforehand, the store's time alone, as `timed_load` measures a sequential
    store."""
    rels = 0
    started, cpu = time.perf_counter(), time.process_time()
    for _, stats in store.write_batches(rows):
        rels += stats.rels
    return time.perf_counter() - started, time.process_time() - cpu, rels


def naive_neo4j(store: GraphStore, n: int) -> tuple[float, int]:
    """One auto-commit MERGE statement per relationship, as hand-rolled loaders do."""
    rels = 0
    started = time.perf_counter()
    for report in synthetic_reports(n, seed=2):
        rkey = f"naive:{report.id}"
        for label, items, end in (("MENTIONS_DRUG", report.drugs, "Drug"),
                                  ("REPORTS_EVENT", report.events, "AdverseEvent")):  # fmt: skip
            for item in items:
                store.run(
                    f"MERGE (r:Report {{key: $r}}) MERGE (x:{end} {{key: $x}}) "
                    f"MERGE (r)-[l:{label}]->(x) SET l.affirmed = true",
                    {"r": rkey, "x": f"name:{item.name}"},
                )
                rels += 1
    return time.perf_counter() - started, rels


def signal_time(store: GraphStore) -> tuple[float, float, float, int]:
    """(seconds counting, seconds counting and scoring, CPU seconds of both, pairs): what
    `pvkg signals` does, as columns, without printing."""
    started, cpu = time.perf_counter(), time.process_time()
    pairs = pair_table(store)
    counted = time.perf_counter() - started
    compute_signal_table(pairs, methods=("prr", "ror", "ic", "ebgm"))
    return counted, time.perf_counter() - started, time.process_time() - cpu, len(pairs)


def load_average() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def neo4j_uri() -> str:
    uri = os.environ.get("PVKG_NEO4J_URI")
    if uri:
        return uri
    return local_neo4j_uri_file().read_text(encoding="utf-8").strip()


def wipe(store: GraphStore) -> None:
    for label in ("Report", "Drug", "AdverseEvent", "Dose", "Triple"):
        query = f"MATCH (n:{label}) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS n"
        while store.run(query)[0]["n"]:
            pass


def embedded_rows(reports: int, batch_size: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        embedded = open_store(Path(tmp) / "graph")
        write, cpu, build, rels = timed_load(embedded, reports, batch_size)
        counted, total, signal_cpu, n_pairs = signal_time(embedded)
        embedded.close()
    return [
        f"| LadybugDB | batched COPY load, {batch_size:,} reports a transaction | {write:.1f} "
        f"(CPU {cpu:.1f}) | {rels:,} | {rels / write:,.0f} | >= 200,000/s |",
        f"| (both) | building rows in Python | {build:.1f} | | | |",
        f"| LadybugDB | all-pairs counts / + PRR, ROR, IC, EBGM ({n_pairs:,} pairs) "
        f"| {counted:.1f} / {total:.1f} (CPU {signal_cpu:.1f}) | | | <= 30 s |",
    ]


def neo4j_rows(reports: int, batch_size: int, naive_reports: int, writers: int) -> list[str]:
    user = os.environ.get("NEO4J_USER", "neo4j")
    password = os.environ.get("NEO4J_PASSWORD", "pvkg-local-pass")
    neo4j = Neo4jStore(neo4j_uri(), user=user, password=password, writers=writers)
    neo4j.ensure_schema()
    wipe(neo4j)
    naive_s, naive_rels = naive_neo4j(neo4j, naive_reports)
    wipe(neo4j)
    built = list(batches(synthetic_reports(reports), batch_size))
    write, cpu, rels = batch_writer_load(neo4j, built)
    del built
    wipe(neo4j)
    whole, whole_cpu, _, _ = timed_load(neo4j, reports, batch_size)
    batched_rate, naive_rate = rels / write, naive_rels / naive_s
    writing = f"{batch_size:,} reports a transaction, {writers} writer{'s' if writers > 1 else ''}"
    rows = [
        f"| Neo4j | batched load, {writing} | {write:.1f} "
        f"(client CPU {cpu:.1f}) | {rels:,} | {batched_rate:,.0f} | >= 50,000/s |",
        f"| Neo4j | the same, end to end: rows built while batches are written | {whole:.1f} "
        f"(client CPU {whole_cpu:.1f}) | {rels:,} | {rels / whole:,.0f} | |",
        f"| Neo4j | naive per-row MERGE ({naive_reports:,} reports) | "
        f"{naive_s:.1f} | {naive_rels:,} | {naive_rate:,.0f} | |",
        f"| Neo4j | batched / naive | | | **{batched_rate / naive_rate:,.0f}x** | |",
    ]
    try:
        counted, total, _, n_pairs = signal_time(neo4j)
        rows.append(f"| Neo4j | all-pairs counts / + signals ({n_pairs:,} pairs) "
                    f"| {counted:.1f} / {total:.1f} | | | |")  # fmt: skip
    except StoreError as exc:  # e.g. the transaction memory limit of a small heap
        rows.append(f"| Neo4j | all-pairs counts | failed: {str(exc)[:80]} | | | |")
    finally:
        wipe(neo4j)
        neo4j.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_EMBEDDED_BATCH)
    parser.add_argument("--neo4j-batch-size", type=int, default=20_000)
    parser.add_argument("--naive-reports", type=int, default=1_000)
    parser.add_argument("--neo4j-writers", type=int, default=DEFAULT_WRITERS)
    parser.add_argument("--skip-embedded", action="store_true")
    parser.add_argument("--skip-neo4j", action="store_true")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    lines = [
        f"\n## Graph load and signals ({args.reports:,} synthetic reports)\n",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"load average {load_average()} (1/5/15 min) at the start. Relationships = "
        "report-level links; CPU = this process's CPU seconds (the store's threads included "
        "for LadybugDB).\n",
        "| store | step | seconds | relationships | per second | target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    print("\n".join(lines), flush=True)
    if not args.skip_embedded:
        lines += embedded_rows(args.reports, args.batch_size)
    if not args.skip_neo4j:
        lines += neo4j_rows(
            args.reports, args.neo4j_batch_size, args.naive_reports, args.neo4j_writers
        )
    lines.append(f"\nLoad average at the end: {load_average()}.")
    report = "\n".join(lines) + "\n"
    print("\n".join(lines[4:]), flush=True)
    if args.record:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write(report)


if __name__ == "__main__":
    main()
