"""The store interface and how a `--store` option picks one.

A directory path means the embedded LadybugDB store; a `bolt://`, `neo4j://` (or `+s`/`+ssc`)
URI means Neo4j, with credentials from options or NEO4J_USER / NEO4J_PASSWORD.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from kg.rows import GraphBatch
from pvkg.config import DEFAULT_STORE

NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


@dataclass(frozen=True)
class WriteStats:
    """What one batch added: nodes and relationships new to the store."""

    nodes: int
    rels: int


class GraphStore(Protocol):
    """One graph store: schema, batched idempotent writes, parameterised Cypher reads."""

    kind: str
    batch_size: int  # records per transaction when a load does not say

    def ensure_schema(self) -> None: ...

    def write_batch(self, batch: GraphBatch) -> WriteStats: ...

    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]: ...

    def close(self) -> None: ...


@runtime_checkable
class BatchWriter(Protocol):
    """A store that writes many batches itself, e.g. several at once on their own sessions:
    each batch commits whole, in its own transaction; results come as batches commit."""

    def write_batches(
        self, batches: Iterable[GraphBatch]
    ) -> Iterator[tuple[GraphBatch, WriteStats]]: ...


@runtime_checkable
class ColumnReader(Protocol):
    """A store that can return a large result as columns without a Python object per row."""

    def run_columns(
        self, cypher: str, params: Mapping[str, Any] | None = None
    ) -> dict[str, list[Any]]: ...


def is_neo4j_uri(spec: str) -> bool:
    return spec.startswith(NEO4J_SCHEMES)


def open_store(
    spec: str | Path | None = None,
    *,
    user: str | None = None,
    password: str | None = None,
    database: str | None = None,
) -> GraphStore:
    """Open (and create if needed) the store that `spec` names; the schema is ensured."""
    spec = str(spec or DEFAULT_STORE)
    store: GraphStore
    if is_neo4j_uri(spec):
        from kg.neo4j_store import Neo4jStore

        store = Neo4jStore(
            spec,
            user=user or os.environ.get("NEO4J_USER", "neo4j"),
            password=password if password is not None else os.environ.get("NEO4J_PASSWORD"),
            database=database,
        )
    else:
        from kg.ladybug_store import LadybugStore

        store = LadybugStore(Path(spec))
    try:
        store.ensure_schema()
    except BaseException:
        store.close()
        raise
    return store
