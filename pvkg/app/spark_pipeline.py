"""`pvkg run --engine spark`: the pipeline's extract and normalize stages in Spark's
`mapPartitions`, their outputs as Parquet, then the same load as the local engine.

Each Python worker builds one extractor and opens one terminology index, on its first
partition, and keeps them for the partitions after it. Each note's row carries its triples
(the `Triple` and `NormalizedTriple` JSON the local engine writes), the link rows that
`pvkg signals --engine spark` counts (`kg.spark_counts`), and its tallies. Outputs go under
`<output>/spark/` (`triples/`, `links/`) through Spark's commit protocol, so a task that
fails and is retried leaves no duplicate rows, and a re-run overwrites them. The store is
loaded from the driver in note order by the batched, idempotent writer (`kg.load`): node
names come out as the local engine's, and a re-run adds nothing.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extract.base import Extractor
from extract.options import ExtractOptions
from kg.load import load
from kg.spark_counts import LINK_STRUCT, links_of
from kg.store import open_store
from pvkg.app.normalizing import Normalizer, NormalizeSummary
from pvkg.app.pipeline import RunOptions, RunSummary
from pvkg.app.spark_notes import read_note_frame
from pvkg.batching import chunked
from pvkg.errors import InputError
from pvkg.records import CaseReport, NormalizedTriple, Note
from pvkg.spark import EngineOptions, spark_session

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, Row

SPARK_DIR = "spark"
TRIPLES_DIR = "triples"
LINKS_DIR = "links"
COUNTERS = ("returned_spans", "dropped_spans", "problems", "drugs_linked", "drugs_unlinked",
            "events_linked", "events_unlinked")  # fmt: skip
NOTE_SCHEMA = (
    "seq BIGINT, note_id STRING, triples ARRAY<STRING>, normalized ARRAY<STRING>, "
    f"links ARRAY<{LINK_STRUCT}>, " + ", ".join(f"{name} INT" for name in COUNTERS)
)
ExtractorFactory = Callable[[], Extractor]


@dataclass(frozen=True)
class SparkJob:
    """What each worker needs, shipped to it once: how to build its extractor, the index."""

    extraction: ExtractOptions
    index: Path
    batch_size: int
    make_extractor: ExtractorFactory | None = None


def run_spark_pipeline(
    runs: Sequence[RunOptions],
    extraction: ExtractOptions,
    engine: EngineOptions,
    *,
    make_extractor: ExtractorFactory | None = None,
    on_error: Callable[[InputError], None] | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> RunSummary:
    """Extract and normalize the notes of every run (one Spark job; the runs share their
    index, output and store), write the Parquet outputs and load the store;
    `make_extractor` (default: `extraction`'s extractor) runs once per worker."""
    from pyspark import StorageLevel

    stage = on_stage or (lambda name: None)
    options = runs[0]
    session = spark_session(engine, app_name="pvkg run")
    notes = read_note_frame(session, [run.notes for run in runs], options.columns)
    for problem in notes.problems:
        if on_error is not None:
            on_error(problem)
    frame = notes.frame
    if engine.spark_partitions is not None:
        frame = frame.repartition(engine.spark_partitions)
    job = SparkJob(extraction, options.index, options.batch_size, make_extractor)
    stage("extract · normalize (Spark)")
    done = frame.rdd.mapPartitions(lambda rows: extract_partition(job, rows)).toDF(NOTE_SCHEMA)
    done = done.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        target = options.output / SPARK_DIR
        _write(done, target)
        summary = _summary(done, notes.bad)
        stage("load")
        store = open_store(options.connection.store, user=options.connection.user,
                           password=options.connection.password)  # fmt: skip
        try:
            loaded = load(store, _records(done))
        finally:
            store.close()
    finally:
        done.unpersist()
    summary.nodes, summary.rels = loaded.nodes, loaded.rels
    summary.outputs = {name: target / name for name in (TRIPLES_DIR, LINKS_DIR)}
    return summary


def _write(done: DataFrame, target: Path) -> None:
    from pyspark.sql import functions as F

    triples = done.select(
        "note_id", "seq", F.posexplode(F.arrays_zip("triples", "normalized")).alias("at", "t")
    ).select("note_id", "seq", "at", F.col("t.triples").alias("triple"),
             F.col("t.normalized").alias("normalized"))  # fmt: skip
    triples.write.mode("overwrite").parquet(str(target / TRIPLES_DIR))
    links = done.select(F.explode("links").alias("link")).select("link.*")
    links.write.mode("overwrite").parquet(str(target / LINKS_DIR))


def _summary(done: DataFrame, bad: int) -> RunSummary:
    from pyspark.sql import functions as F

    totals = [F.sum(F.size("triples")).alias("triples"), *(F.sum(n).alias(n) for n in COUNTERS)]
    sums = done.agg(F.count("*").alias("notes"), *totals).first()
    found = {name: int(value or 0) for name, value in (sums.asDict() if sums else {}).items()}
    n = {name: found.get(name, 0) for name in ("notes", "triples", *COUNTERS)}
    linking = NormalizeSummary(n["triples"], n["drugs_linked"], n["drugs_unlinked"],
                               n["events_linked"], n["events_unlinked"])  # fmt: skip
    return RunSummary(notes=n["notes"], triples=n["triples"], returned_spans=n["returned_spans"],
                      dropped_spans=n["dropped_spans"], problems=n["problems"], bad_notes=bad,
                      linking=linking)  # fmt: skip


def _records(done: DataFrame) -> Iterator[CaseReport | NormalizedTriple]:
    """Every note as a report, then its triples, in note order: what the local engine loads."""
    for row in done.select("seq", "note_id", "normalized").orderBy("seq").toLocalIterator():
        yield CaseReport(id=row["note_id"], source="note")
        for text in row["normalized"]:
            yield NormalizedTriple.model_validate_json(text)


# One extractor and one open index per Python worker, kept across its partitions.
_WORKERS: dict[SparkJob, tuple[Extractor, Normalizer]] = {}
_CLOSING = ExitStack()
atexit.register(_CLOSING.close)


def _worker(job: SparkJob) -> tuple[Extractor, Normalizer]:
    if job not in _WORKERS:
        from dataclasses import replace

        from extract.factory import build_extractor
        from normalize import open_index

        options = replace(job.extraction, terminology=job.index)
        extractor = job.make_extractor() if job.make_extractor else build_extractor(options)
        index = _CLOSING.enter_context(open_index(job.index))
        _WORKERS[job] = (extractor, Normalizer(index))
    return _WORKERS[job]


def extract_partition(job: SparkJob, rows: Iterable[Row]) -> Iterator[tuple[Any, ...]]:
    """One output row per note of a partition (see NOTE_SCHEMA), extracted in batches."""
    extractor, normalizer = _worker(job)
    for batch in chunked(rows, job.batch_size):
        notes = [Note(id=row["id"], text=row["text"]) for row in batch]
        for row, result in zip(batch, extractor.extract_many(notes), strict=True):
            yield _note_row(row["seq"], result, normalizer)


def _note_row(seq: int, result: Any, normalizer: Normalizer) -> tuple[Any, ...]:
    linking = NormalizeSummary()
    normalized = []
    for triple in result.triples:
        done = normalizer.normalize(triple)
        linking.count(done)
        normalized.append(done)
    records: list[CaseReport | NormalizedTriple] = [CaseReport(id=result.note_id, source="note")]
    records += normalized
    return (
        seq,
        result.note_id,
        [t.model_dump_json() for t in result.triples],
        [t.model_dump_json() for t in normalized],
        list(links_of(records, seq)),
        result.returned_spans,
        result.dropped_spans,
        len(result.problems),
        linking.drugs_linked,
        linking.drugs_unlinked,
        linking.events_linked,
        linking.events_unlinked,
    )
