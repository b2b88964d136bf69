"""All-pairs co-reported counts on Spark SQL: `kg.counts.pair_table` over link rows
instead of a graph store, for corpora too big for one machine.

A link row is what the graph loader would write for one record (`kg.rows.GraphBatch`): the
report node (`kind` "report"), each (report, drug) and (report, event) edge with its
`affirmed` flag, and the node's name. `links_of` builds them with the loader's own code,
so Spark counts exactly what a store would hold, with the store's MERGE semantics: an edge
merged from several mentions is affirmed when any of them is, and a node keeps the name of
the first record (smallest `seq`) that created it, as `ON CREATE SET` does. Counts are of
unique reports. The (drug, event, a) rows are aggregated on Spark; the table of pairs,
far smaller than the reports, is scored on the driver by `kg.disproportionality`, so the
two engines give the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from kg import _schema as schema
from kg.load import Loadable, batches
from kg.options import CountOptions
from kg.pair_table import PairTable
from kg.rows import GraphBatch
from pvkg.errors import ConfigError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

LINK_FIELDS = (("report", "STRING"), ("kind", "STRING"), ("key", "STRING"), ("name", "STRING"),
               ("affirmed", "BOOLEAN"), ("seq", "BIGINT"))  # fmt: skip
LINK_SCHEMA = ", ".join(f"{name} {kind}" for name, kind in LINK_FIELDS)
LINK_STRUCT = "STRUCT<" + ", ".join(f"{name}: {kind}" for name, kind in LINK_FIELDS) + ">"
LinkRow = tuple[str, str, str, str | None, bool, int]
_KINDS = (
    (schema.MENTIONS_DRUG, schema.DRUG, "drug"),
    (schema.REPORTS_EVENT, schema.EVENT, "event"),
)


def links_of(records: Iterable[Loadable], seq: int) -> Iterator[LinkRow]:
    """The link rows of `records`, every one numbered `seq` (their place in the input)."""
    for batch in batches(records):
        yield from _batch_links(batch, seq)


def _batch_links(batch: GraphBatch, seq: int) -> Iterator[LinkRow]:
    for key in batch.nodes[schema.REPORT.label]:
        yield key, "report", key, None, True, seq
    for rel, node, kind in _KINDS:
        names = batch.nodes[node.label]
        for (report, key), props in batch.rels[rel.label].items():
            yield report, kind, key, names[key]["name"], bool(props["affirmed"]), seq


def spark_pair_table(links: DataFrame, options: CountOptions = CountOptions()) -> PairTable:
    """`kg.counts.pair_table` of the reports in `links` (rows of `LINK_SCHEMA`)."""
    from pyspark.sql import functions as F

    if options.mode != "co-reported" or options.stratum is not None:
        raise ConfigError(
            "the Spark engine counts co-reported pairs, unstratified",
            hint="use --engine local for causal mode or a stratum",
        )
    edges = (
        links.where(F.col("kind") != "report")
        .groupBy("report", "kind", "key")
        .agg(F.max("affirmed").alias("affirmed"))
    )
    if not options.all_assertions:
        edges = edges.where("affirmed")
    n_reports = links.where(F.col("kind") == "report").select("report").distinct().count()
    names = (
        links.where(F.col("kind") != "report")
        .groupBy("kind", "key")
        .agg(F.min_by("name", "seq").alias("name"))
    )
    marginals = (
        edges.groupBy("kind", "key").agg(F.count("*").alias("n")).join(names, ["kind", "key"])
    )
    drugs = edges.where(F.col("kind") == "drug").select("report", F.col("key").alias("drug_key"))
    events = edges.where(F.col("kind") == "event").select("report", F.col("key").alias("event_key"))
    pairs = drugs.join(events, "report").groupBy("drug_key", "event_key").count()
    pairs = pairs.where(F.col("count") >= options.min_count)
    return _table(pairs, marginals, n_reports)


def _table(pairs: DataFrame, marginals: DataFrame, n_reports: int) -> PairTable:
    from pyspark.sql import functions as F

    def side(kind: str, prefix: str) -> DataFrame:
        chosen = marginals.where(F.col("kind") == kind)
        return chosen.select(
            F.col("key").alias(f"{prefix}_key"),
            F.col("name").alias(prefix),
            F.col("n").alias(f"n_{prefix}"),
        )

    joined = pairs.join(side("drug", "drug"), "drug_key").join(side("event", "event"), "event_key")
    rows = joined.select("drug", "event", "count", "n_drug", "n_event").collect()
    size = len(rows)
    table = PairTable(
        drug=[row["drug"] for row in rows],
        event=[row["event"] for row in rows],
        a=np.fromiter((row["count"] for row in rows), np.int64, size),
        n_drug=np.fromiter((row["n_drug"] for row in rows), np.int64, size),
        n_event=np.fromiter((row["n_event"] for row in rows), np.int64, size),
        n_reports=np.full(size, n_reports, dtype=np.int64),
        expected=np.full(size, np.nan),
    )
    return table.by_count()
