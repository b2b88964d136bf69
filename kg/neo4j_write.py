"""One batch into Neo4j inside one transaction: CREATE what is new, MERGE the rest.

A relationship cannot exist yet if its source node (a Report or a Triple) did not exist
when the transaction began, so such nodes and their outgoing relationships are CREATEd,
which costs Neo4j less than MERGE; everything else is MERGEd on its key as before.
Which source keys are new is read inside the same transaction, and the key constraint
makes a concurrent loader's CREATE of the same key fail rather than double it, so loads
stay idempotent and resumable.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from neo4j import ManagedTransaction

from kg import schema
from kg.rows import GraphBatch, Row
from pvkg.errors import StoreError

SOURCE_LABELS = tuple(dict.fromkeys(rel.source for rel in schema.REL_TABLES))


def write_all(tx: ManagedTransaction, batch: GraphBatch) -> tuple[int, int]:
    """(nodes, relationships) created by writing `batch` in the transaction `tx`."""
    new = {label: _new_keys(tx, batch, label) for label in SOURCE_LABELS}
    nodes = sum(
        _write_nodes(tx, batch, table, new.get(table.label)) for table in schema.NODE_TABLES
    )
    rels = sum(_write_rels(tx, batch, rel, new[rel.source]) for rel in schema.REL_TABLES)
    return nodes, rels


def _new_keys(tx: ManagedTransaction, batch: GraphBatch, label: str) -> set[str]:
    keys = list(batch.nodes[label])
    if not keys:
        return set()
    stored = tx.run(f"UNWIND $keys AS key MATCH (n:{label} {{key: key}}) RETURN key", keys=keys)
    return set(keys).difference(record["key"] for record in stored)


def _write_nodes(
    tx: ManagedTransaction, batch: GraphBatch, table: schema.NodeTable, new: set[str] | None
) -> int:
    rows = batch.nodes[table.label]
    if new is None:
        return _run(tx, _merge_nodes(table), rows=list(rows.values()))[0]
    # A source node already stored is left as it is, as MERGE ... ON CREATE would leave it.
    created = [row for key, row in rows.items() if key in new]
    return _run(tx, f"UNWIND $rows AS row CREATE (n:{table.label}) SET n = row", rows=created)[0]


def _write_rels(
    tx: ManagedTransaction, batch: GraphBatch, rel: schema.RelTable, new_sources: set[str]
) -> int:
    rows = batch.rels[rel.label]
    merged = [
        {"src": s, "dst": d, **props} for (s, d), props in rows.items() if s not in new_sources
    ]
    links = [(s, d, props) for (s, d), props in rows.items() if s in new_sources]
    return _run(tx, _merge_rel(rel), rows=merged)[1] + _create_links(tx, rel, links)


def _create_links(
    tx: ManagedTransaction, rel: schema.RelTable, links: list[tuple[str, str, Row]]
) -> int:
    """Links go as columns of small ints (end node positions) and property values: cheaper
    to pack and to unpack than one map per relationship."""
    sources = list(dict.fromkeys(src for src, _, _ in links))
    targets = list(dict.fromkeys(dst for _, dst, _ in links))
    source_at = {key: i for i, key in enumerate(sources)}
    target_at = {key: i for i, key in enumerate(targets)}
    columns = {
        "src": [source_at[src] for src, _, _ in links],
        "dst": [target_at[dst] for _, dst, _ in links],
    } | {f"prop_{name}": [props[name] for _, _, props in links] for name in rel.names}
    made = _run(tx, _create_rel(rel), sources=sources, targets=targets, **columns)[1]
    if made != len(links):  # the query's size guard found an end node missing: not silent
        raise StoreError(f"Neo4j created {made} of {len(links)} {rel.label} links")
    return made


def _run(tx: ManagedTransaction, cypher: str, **params: Collection[object]) -> tuple[int, int]:
    """(nodes, relationships) created; nothing is sent when a parameter list is empty."""
    if not all(params.values()):
        return 0, 0
    parameters: dict[str, Any] = dict(params)
    counters = tx.run(cypher, parameters).consume().counters
    return counters.nodes_created, counters.relationships_created


def _merge_nodes(table: schema.NodeTable) -> str:
    return f"UNWIND $rows AS row MERGE (n:{table.label} {{key: row.key}}) ON CREATE SET n += row"


def _merge_rel(rel: schema.RelTable) -> str:
    query = (
        f"UNWIND $rows AS row "
        f"MATCH (a:{rel.source} {{key: row.src}}) MATCH (b:{rel.target} {{key: row.dst}}) "
        f"MERGE (a)-[r:{rel.label}]->(b)"
    )
    if "affirmed" in rel.names:
        query += (
            " ON CREATE SET r.affirmed = row.affirmed"
            " ON MATCH SET r.affirmed = r.affirmed OR row.affirmed"
        )
    return query


def _create_rel(rel: schema.RelTable) -> str:
    """Each end node is looked up once per batch, not once per relationship. ORDER BY keeps
    collect() in position order; the size guard turns a missing end node into no link
    created instead of shifted positions."""
    props = ", ".join(f"{name}: $prop_{name}[k]" for name in rel.names)
    return (
        f"CALL () {{ UNWIND range(0, size($sources) - 1) AS i "
        f"MATCH (n:{rel.source} {{key: $sources[i]}}) "
        f"WITH i, n ORDER BY i RETURN collect(n) AS sources }} "
        f"CALL () {{ UNWIND range(0, size($targets) - 1) AS i "
        f"MATCH (n:{rel.target} {{key: $targets[i]}}) "
        f"WITH i, n ORDER BY i RETURN collect(n) AS targets }} "
        f"WITH sources, targets "
        f"WHERE size(sources) = size($sources) AND size(targets) = size($targets) "
        f"UNWIND range(0, size($src) - 1) AS k "
        f"WITH sources[$src[k]] AS a, targets[$dst[k]] AS b, k "
        f"CREATE (a)-[:{rel.label} {{{props}}}]->(b)"
    )
