"""The embedded store: LadybugDB (the maintained fork of Kùzu) on disk, no server.

LadybugDB's MERGE runs at a few thousand rows per second, its COPY at hundreds of thousands,
so batches go in through COPY from in-memory Arrow tables, new keys only, inside one
transaction. Idempotency comes from keys: a node whose key exists is not copied again, a
triple's relationships exist exactly when the triple does, and a report-level link is
copied unless the (already stored) report has it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ladybug
import pyarrow as pa

from kg import _schema as schema
from kg.options import StoreOptions
from kg.rows import GraphBatch, Row
from kg.store import WriteStats
from pvkg.errors import StoreError
from pvkg.options import ref

# Every COPY and commit has a fixed cost and a cost that grows with the tables: 100k
# reports a transaction loaded 2.7x faster than 20k on the 200k-report benchmark.
DEFAULT_EMBEDDED_BATCH = 100_000
# LadybugDB's own default buffer pool is 80% of the machine's memory; pvkg's Python side
# runs in the same process.
BUFFER_POOL_SHARE = 0.5
ARROW_TYPES = {"STRING": pa.string(), "DOUBLE": pa.float64(), "INT64": pa.int64(),
               "BOOLEAN": pa.bool_()}  # fmt: skip
Pair = tuple[str, str]


class LadybugStore:
    kind = "ladybug"
    batch_size = DEFAULT_EMBEDDED_BATCH

    def __init__(self, path: Path) -> None:
        self.path = path
        if path.exists() and not path.is_dir():
            raise StoreError(
                f"{path} is a file, not a graph directory",
                hint=f"give {ref(StoreOptions, 'store')} a directory (created if missing) or a "
                "bolt:// URI",
            )
        try:
            path.mkdir(parents=True, exist_ok=True)
            self._db = ladybug.Database(
                str(path / "graph.lbug"), buffer_pool_size=_buffer_pool_bytes()
            )
            self._conn = ladybug.Connection(self._db)
        except RuntimeError as exc:
            raise StoreError(f"cannot open the embedded store at {path}: {exc}") from exc

    def ensure_schema(self) -> None:
        for table in schema.NODE_TABLES + schema.PHENOTYPE_NODES:
            columns = ", ".join(f"{name} {kind}" for name, kind in table.properties)
            self._exec(
                f"CREATE NODE TABLE IF NOT EXISTS {table.label}"
                f"({columns}, PRIMARY KEY ({table.key}))"
            )
        for rel in schema.REL_TABLES + schema.PHENOTYPE_RELS:
            columns = "".join(f", {name} {kind}" for name, kind in rel.properties)
            self._exec(
                f"CREATE REL TABLE IF NOT EXISTS {rel.label}"
                f"(FROM {rel.source} TO {rel.target}{columns})"
            )
        # Properties added after a store was first made (Triple's causality, MEETS.quotes)
        # join it here; ADD IF NOT EXISTS leaves the others alone.
        added = [(schema.TRIPLE.label, schema.TRIPLE.properties[1:])]
        added += [(rel.label, rel.properties) for rel in schema.PHENOTYPE_RELS]
        for label, properties in added:
            for name, kind in properties:
                self._exec(f"ALTER TABLE {label} ADD IF NOT EXISTS {name} {kind}")

    def write_batch(self, batch: GraphBatch) -> WriteStats:
        new_keys = {
            table.label: self._new_keys(table, batch.nodes[table.label])
            for table in schema.NODE_TABLES
        }
        stored = self._stored_report_links(batch, new_keys[schema.REPORT.label])
        self._exec("BEGIN TRANSACTION")
        try:
            nodes = self._copy_nodes(batch, new_keys)
            rels = self._copy_triple_rels(batch, new_keys[schema.TRIPLE.label])
            rels += self._write_report_rels(batch, stored)
            self._exec("COMMIT")
        except BaseException:
            self._rollback()
            raise
        finally:
            self._renew_connection()
        return WriteStats(nodes=nodes, rels=rels)

    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        result = self._exec(cypher, params)
        columns = result.get_column_names()
        rows = []
        while result.has_next():
            rows.append(dict(zip(columns, result.get_next(), strict=True)))
        return rows

    def run_columns(
        self, cypher: str, params: Mapping[str, Any] | None = None
    ) -> dict[str, list[Any]]:
        """`run`'s result as one list per column, read through Arrow: for results of millions
        of rows, where building a dict per row costs more than the query."""
        table = self._exec(cypher, params).get_as_arrow()
        return {name: table.column(name).to_pylist() for name in table.column_names}

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

    def _renew_connection(self) -> None:
        """A fresh connection for the next batch. LadybugDB's Python driver caches a prepared
        statement for every Arrow table passed as a parameter, the table bound to it, until
        the connection closes: one connection held every batch it had copied (about 5 GB per
        million reports, while the store on disk grew by 0.2 GB)."""
        self._conn.close()
        try:
            self._conn = ladybug.Connection(self._db)
        except RuntimeError as exc:
            raise StoreError(f"embedded store: cannot reconnect: {exc}") from exc

    def _rollback(self) -> None:
        # A failed COPY has already rolled the transaction back; ROLLBACK then fails.
        with contextlib.suppress(RuntimeError):
            self._conn.execute("ROLLBACK")

    def _keys_found(self, label: str, keys: Sequence[str]) -> list[str]:
        """Which of `keys` are stored: one index lookup each, the keys sent as a table
        (3x cheaper than a list parameter, whose values the driver inspects one by one)."""
        found = self.run_columns(
            f"LOAD FROM $keys MATCH (n:{label} {{key: batch_key}}) RETURN n.key AS key",
            {"keys": _key_table(keys)},
        )
        return found["key"]

    def _new_keys(self, table: schema.NodeTable, rows: Mapping[str, Row]) -> set[str]:
        if not rows:
            return set()
        keys = list(rows)
        return set(keys).difference(self._keys_found(table.label, keys))

    def _stored_report_links(
        self, batch: GraphBatch, new_reports: set[str]
    ) -> dict[str, dict[Pair, bool]]:
        """The links already stored for the reports of this batch that were loaded before."""
        known = set(batch.nodes[schema.REPORT.label]).difference(new_reports)
        return {rel.label: self._stored_links(rel, known) for rel in schema.REPORT_RELS}

    def _stored_links(self, rel: schema.RelTable, reports: set[str]) -> dict[Pair, bool]:
        if not reports:
            return {}
        found = self.run_columns(
            f"LOAD FROM $keys MATCH (a:{rel.source} {{key: batch_key}})-[r:{rel.label}]->(b) "
            f"RETURN a.key AS src, b.key AS dst, r.affirmed AS affirmed",
            {"keys": _key_table(sorted(reports))},
        )
        links = zip(found["src"], found["dst"], found["affirmed"], strict=True)
        return {(src, dst): bool(affirmed) for src, dst, affirmed in links}

    def _copy_nodes(self, batch: GraphBatch, new_keys: dict[str, set[str]]) -> int:
        copied = 0
        for table in schema.NODE_TABLES:
            rows = batch.nodes[table.label]
            new = new_keys[table.label]
            values = rows.values() if len(new) == len(rows) else [rows[key] for key in new]
            columns = {name: [row[name] for row in values] for name in table.names}
            copied += self._copy(table.label, columns, dict(table.properties))
        return copied

    def _copy_triple_rels(self, batch: GraphBatch, new_triples: set[str]) -> int:
        copied = 0
        for rel in schema.TRIPLE_RELS:
            end = 1 if rel.target == schema.TRIPLE.label else 0
            pairs = [pair for pair in batch.rels[rel.label] if pair[end] in new_triples]
            copied += self._copy(rel.label, _ends(pairs), {})
        return copied

    def _write_report_rels(self, batch: GraphBatch, stored: dict[str, dict[Pair, bool]]) -> int:
        written = 0
        for rel in schema.REPORT_RELS:
            links = batch.rels[rel.label]
            known = stored[rel.label]
            # A batch of new reports (the usual case) has nothing to filter: skip hashing pairs.
            fresh = (
                {pair: props for pair, props in links.items() if pair not in known}
                if known
                else links
            )
            columns = _ends(list(fresh)) | {"affirmed": [p["affirmed"] for p in fresh.values()]}
            written += self._copy(rel.label, columns, dict(rel.properties))
            if known:
                self._affirm(rel, [pair for pair, props in links.items()
                                   if props["affirmed"] and known.get(pair) is False])  # fmt: skip
        return written

    def _affirm(self, rel: schema.RelTable, pairs: Sequence[Pair]) -> None:
        if pairs:
            self._exec(
                f"UNWIND $rows AS row "
                f"MATCH (a:{rel.source} {{key: row.src}})-[r:{rel.label}]->"
                f"(b:{rel.target} {{key: row.dst}}) SET r.affirmed = true",
                {"rows": [{"src": src, "dst": dst} for src, dst in pairs]},
            )

    def _copy(self, label: str, columns: dict[str, list[Any]], types: Mapping[str, str]) -> int:
        """COPY the rows given as columns (in the table's column order) into `label`."""
        size = len(next(iter(columns.values())))
        if not size:
            return 0
        table = pa.table({
            name: pa.array(values, ARROW_TYPES[types.get(name, "STRING")])
            for name, values in columns.items()
        })  # fmt: skip
        self._exec(f"COPY {label} FROM $rows", {"rows": table})
        return size


def _key_table(keys: Sequence[str]) -> pa.Table:
    """Node keys as the one-column table `LOAD FROM $keys` reads (`batch_key`)."""
    return pa.table({"batch_key": pa.array(keys, pa.string())})


def _ends(pairs: Sequence[Pair]) -> dict[str, list[Any]]:
    """The from and to columns of a relationship COPY."""
    return {"from": [src for src, _ in pairs], "to": [dst for _, dst in pairs]}


def _buffer_pool_bytes() -> int:
    """`BUFFER_POOL_SHARE` of the physical memory (0, LadybugDB's default, where unknown)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return 0
    return int(total * BUFFER_POOL_SHARE)
