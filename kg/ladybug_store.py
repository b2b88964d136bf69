"""The embedded store: LadybugDB (the maintained fork of Kùzu) on disk, no server.

LadybugDB's MERGE runs at a few thousand rows per second, its COPY at hundreds of thousands,
so batches go in through COPY from temporary CSV files, new keys only, inside one
transaction. Idempotency comes from keys: a node whose key exists is not copied again, a
triple's relationships exist exactly when the triple does, and a report-level link is
copied unless the (already stored) report has it.
"""

from __future__ import annotations

import contextlib
import csv
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ladybug

from kg import schema
from kg.rows import GraphBatch, Row
from kg.store import WriteStats
from pvkg.errors import StoreError

# The dialect is stated, not sniffed: sniffing the first rows of a file whose first quoted
# field comes late ("hallucinations, mixed") splits that field. Serial reading, because
# quoted fields may hold newlines (evidence sentences).
# Every COPY and commit has a fixed cost and a cost that grows with the tables: 100k
# reports a transaction loaded 2.7x faster than 20k on the 200k-report benchmark.
DEFAULT_EMBEDDED_BATCH = 100_000
COPY_OPTIONS = "HEADER=false, DELIM=',', QUOTE='\"', ESCAPE='\"', AUTO_DETECT=false, PARALLEL=false"


class LadybugStore:
    kind = "ladybug"
    batch_size = DEFAULT_EMBEDDED_BATCH

    def __init__(self, path: Path) -> None:
        self.path = path
        if path.exists() and not path.is_dir():
            raise StoreError(
                f"{path} is a file, not a graph directory",
                hint="give --store a directory (created if missing) or a bolt:// URI",
            )
        try:
            path.mkdir(parents=True, exist_ok=True)
            self._db = ladybug.Database(str(path / "graph.lbug"))
            self._conn = ladybug.Connection(self._db)
        except RuntimeError as exc:
            raise StoreError(f"cannot open the embedded store at {path}: {exc}") from exc

    def ensure_schema(self) -> None:
        for table in schema.NODE_TABLES:
            columns = ", ".join(f"{name} {kind}" for name, kind in table.properties)
            self._exec(
                f"CREATE NODE TABLE IF NOT EXISTS {table.label}"
                f"({columns}, PRIMARY KEY ({table.key}))"
            )
        for rel in schema.REL_TABLES:
            columns = "".join(f", {name} {kind}" for name, kind in rel.properties)
            self._exec(
                f"CREATE REL TABLE IF NOT EXISTS {rel.label}"
                f"(FROM {rel.source} TO {rel.target}{columns})"
            )

    def write_batch(self, batch: GraphBatch) -> WriteStats:
        new_keys = {
            table.label: self._new_keys(table, batch.nodes[table.label])
            for table in schema.NODE_TABLES
        }
        new_triples = new_keys[schema.TRIPLE.label]
        new_reports = new_keys[schema.REPORT.label]
        with tempfile.TemporaryDirectory(prefix="pvkg-copy-") as tmp:
            self._exec("BEGIN TRANSACTION")
            try:
                nodes = self._copy_nodes(Path(tmp), batch, new_keys)
                rels = self._copy_triple_rels(Path(tmp), batch, new_triples)
                rels += self._write_report_rels(Path(tmp), batch, new_reports)
                self._exec("COMMIT")
            except BaseException:
                self._rollback()
                raise
        return WriteStats(nodes=nodes, rels=rels)

    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        result = self._exec(cypher, params)
        columns = result.get_column_names()
        rows = []
        while result.has_next():
            rows.append(dict(zip(columns, result.get_next(), strict=True)))
        return rows

    def close(self) -> None:
        self._conn.close()
        self._db.close()

    def _exec(self, cypher: str, params: Mapping[str, Any] | None = None) -> ladybug.QueryResult:
        try:
            result = self._conn.execute(cypher, dict(params or {}))
        except RuntimeError as exc:
            raise StoreError(f"embedded store: {exc}") from exc
        if isinstance(result, list):
            raise StoreError("one Cypher statement expected, got several")
        return result

    def _rollback(self) -> None:
        # A failed COPY has already rolled the transaction back; ROLLBACK then fails.
        with contextlib.suppress(RuntimeError):
            self._conn.execute("ROLLBACK")

    def _new_keys(self, table: schema.NodeTable, rows: Mapping[str, Row]) -> set[str]:
        if not rows:
            return set()
        found = self.run(
            f"UNWIND $keys AS k MATCH (n:{table.label} {{key: k}}) RETURN n.key AS key",
            {"keys": list(rows)},
        )
        return set(rows) - {row["key"] for row in found}

    def _copy_nodes(self, tmp: Path, batch: GraphBatch, new_keys: dict[str, set[str]]) -> int:
        copied = 0
        for table in schema.NODE_TABLES:
            rows = batch.nodes[table.label]
            values = [[rows[key][name] for name in table.names] for key in new_keys[table.label]]
            copied += self._copy(tmp, table.label, values)
        return copied

    def _copy_triple_rels(self, tmp: Path, batch: GraphBatch, new_triples: set[str]) -> int:
        copied = 0
        for rel in schema.TRIPLE_RELS:
            end = 1 if rel.target == schema.TRIPLE.label else 0
            values = [
                [src, dst] for (src, dst) in batch.rels[rel.label] if (src, dst)[end] in new_triples
            ]
            copied += self._copy(tmp, rel.label, values)
        return copied

    def _write_report_rels(self, tmp: Path, batch: GraphBatch, new_reports: set[str]) -> int:
        written = 0
        for rel in schema.REPORT_RELS:
            links = batch.rels[rel.label]
            known_reports = {src for src, _ in links} - new_reports
            stored = self._stored_links(rel, known_reports)
            fresh = [
                [src, dst, props["affirmed"]]
                for (src, dst), props in links.items()
                if (src, dst) not in stored
            ]
            written += self._copy(tmp, rel.label, fresh)
            self._affirm(rel, [pair for pair, props in links.items()
                               if props["affirmed"] and stored.get(pair) is False])  # fmt: skip
        return written

    def _stored_links(self, rel: schema.RelTable, reports: set[str]) -> dict[tuple[str, str], bool]:
        """The links already stored for reports of this batch that were loaded before."""
        if not reports:
            return {}
        rows = self.run(
            f"UNWIND $keys AS k MATCH (a:{rel.source} {{key: k}})-[r:{rel.label}]->(b) "
            f"RETURN a.key AS src, b.key AS dst, r.affirmed AS affirmed",
            {"keys": sorted(reports)},
        )
        return {(row["src"], row["dst"]): bool(row["affirmed"]) for row in rows}

    def _affirm(self, rel: schema.RelTable, pairs: Sequence[tuple[str, str]]) -> None:
        if pairs:
            self._exec(
                f"UNWIND $rows AS row "
                f"MATCH (a:{rel.source} {{key: row.src}})-[r:{rel.label}]->"
                f"(b:{rel.target} {{key: row.dst}}) SET r.affirmed = true",
                {"rows": [{"src": src, "dst": dst} for src, dst in pairs]},
            )

    def _copy(self, tmp: Path, label: str, values: Sequence[Sequence[Any]]) -> int:
        if not values:
            return 0
        path = tmp / f"{label}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            # None and "" both become an empty unquoted field, which LadybugDB reads as NULL.
            csv.writer(handle, lineterminator="\n").writerows(values)
        self._exec(f"COPY {label} FROM '{path}' ({COPY_OPTIONS})")
        return len(values)
