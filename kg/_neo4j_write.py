"""One batch into Neo4j inside one transaction: CREATE what is new, MERGE the rest.

A relationship cannot exist yet if its source node (a Report or a Triple) did not exist
when the transaction began, so such nodes and their outgoing relationships are CREATEd,
which costs Neo4j less than MERGE; everything else is MERGEd on its key as before.
Which source keys are new is read inside the same transaction, and the key constraint
makes a concurrent loader's CREATE of the same key fail rather than double it, so loads
stay idempotent and resumable.

New source nodes and all their links go in one statement per label, as columns: the nodes
it creates are the links' sources, so they are not looked up again by key. MERGEd rows go
in key order, so that two writers MERGEing the same new keys lock them in the same order
(no deadlock).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from neo4j import ManagedTransaction

from kg import _schema as schema
from kg.rows import GraphBatch, Row
from pvkg.errors import StoreError

SOURCE_LABELS = tuple(dict.fromkeys(rel.source for rel in schema.REL_TABLES))
# A label's new nodes link to nodes that must exist already: sources that are also targets
# of other sources (a Triple, under its Report) are created first.
CREATE_ORDER = tuple(
    sorted(
        SOURCE_LABELS,
        key=lambda label: any(
            rel.source == label and rel.target in SOURCE_LABELS for rel in schema.REL_TABLES
        ),
    )
)
# The statements' plans (key look-ups under the constraints) do not depend on the graph's
# size, so a load does not re-plan them every time its own writes change the statistics.
PLAN_OPTION = "CYPHER replan=skip "


def write_all(tx: ManagedTransaction, batch: GraphBatch) -> tuple[int, int]:
    """(nodes, relationships) created by writing `batch` in the transaction `tx`."""
    new = {label: _new_keys(tx, batch, label) for label in SOURCE_LABELS}
    nodes = rels = 0
    for table in schema.NODE_TABLES:
        if table.label not in new:
            nodes += _run(tx, _merge_nodes(table), rows=_sorted_rows(batch, table))[0]
    # A source node already stored is left as it is, as MERGE ... ON CREATE would leave it.
    for label in CREATE_ORDER:
        made = _create_sources(tx, batch, schema.NODES_BY_LABEL[label], new[label])
        nodes, rels = nodes + made[0], rels + made[1]
    for rel in schema.REL_TABLES:
        rows = batch.rels[rel.label]
        stored = sorted(pair for pair in rows if pair[0] not in new[rel.source])
        merged = [{"src": s, "dst": d, **rows[s, d]} for s, d in stored]
        rels += _run(tx, _merge_rel(rel), rows=merged)[1]
    return nodes, rels


def _new_keys(tx: ManagedTransaction, batch: GraphBatch, label: str) -> set[str]:
    keys = list(batch.nodes[label])
    if not keys:
        return set()
    query = f"UNWIND $keys AS key MATCH (n:{label} {{key: key}}) RETURN key"
    stored = tx.run(PLAN_OPTION + query, keys=keys)
    return set(keys).difference(record["key"] for record in stored)


def _sorted_rows(batch: GraphBatch, table: schema.NodeTable) -> list[Row]:
    rows = batch.nodes[table.label]
    return [rows[key] for key in sorted(rows)]


def _create_sources(
    tx: ManagedTransaction, batch: GraphBatch, table: schema.NodeTable, new: set[str]
) -> tuple[int, int]:
    """CREATE the batch's new `table` nodes and every link whose source they are."""
    rows = [row for key, row in batch.nodes[table.label].items() if key in new]
    if not rows:
        return 0, 0
    position = {row["key"]: i for i, row in enumerate(rows)}
    params: dict[str, Any] = {
        f"node_{i}": [row[name] for row in rows] for i, name in enumerate(table.names)
    }
    rels: list[tuple[int, schema.RelTable]] = []
    expected = 0
    for j, rel in enumerate(schema.REL_TABLES):
        if rel.source != table.label:
            continue
        links = [(s, d, props) for (s, d), props in batch.rels[rel.label].items() if s in new]
        if links:
            params |= _link_columns(j, rel, links, position)
            rels.append((j, rel))
            expected += len(links)
    nodes, made = _run(tx, _create_statement(table, rels), **params)
    if (nodes, made) != (len(rows), expected):  # a link's end node is missing: not silent
        missing = ", ".join(rel.label for _, rel in rels)
        raise StoreError(
            f"Neo4j created {made} of {expected} {missing} links for {len(rows)} new "
            f"{table.label} nodes"
        )
    return nodes, made


def _link_columns(
    j: int, rel: schema.RelTable, links: list[tuple[str, str, Row]], position: dict[str, int]
) -> dict[str, Any]:
    """The parameters of relationship table `j`'s links: end node positions (sources among
    the created nodes, targets in their own list) and property values, as columns."""
    targets = list(dict.fromkeys(dst for _, dst, _ in links))
    target_at = {key: i for i, key in enumerate(targets)}
    return {
        f"targets_{j}": targets,
        f"src_{j}": [position[src] for src, _, _ in links],
        f"dst_{j}": [target_at[dst] for _, dst, _ in links],
    } | {f"prop_{j}_{name}": [props[name] for _, _, props in links] for name in rel.names}


def _run(tx: ManagedTransaction, cypher: str, **params: Collection[object]) -> tuple[int, int]:
    """(nodes, relationships) created; nothing is sent when a parameter list is empty."""
    if not all(params.values()):
        return 0, 0
    parameters: dict[str, Any] = dict(params)
    counters = tx.run(PLAN_OPTION + cypher, parameters).consume().counters
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


def _create_statement(table: schema.NodeTable, rels: list[tuple[int, schema.RelTable]]) -> str:
    """New nodes from property columns (a null is no property, as with `SET n = row`), then
    each relationship table's links as columns of positions: sources in the created nodes,
    targets in that table's end nodes, each looked up once per batch. ORDER BY keeps
    collect() in position order; the size guard turns a missing end node into no link
    created instead of shifted positions."""
    props = ", ".join(f"{name}: $node_{i}[i]" for i, name in enumerate(table.names))
    query = (
        f"UNWIND range(0, size($node_0) - 1) AS i CREATE (n:{table.label} {{{props}}}) "
        f"WITH i, n ORDER BY i WITH collect(n) AS sources"
    )
    guards = []
    for j, rel in rels:
        query += (
            f" CALL () {{ UNWIND range(0, size($targets_{j}) - 1) AS i "
            f"MATCH (m:{rel.target} {{key: $targets_{j}[i]}}) "
            f"WITH i, m ORDER BY i RETURN collect(m) AS targets_{j} }}"
        )
        guards.append(f"size(targets_{j}) = size($targets_{j})")
    if not rels:
        return query + " RETURN size(sources) AS created"
    query += f" WITH * WHERE {' AND '.join(guards)}"
    for j, rel in rels:
        link_props = ", ".join(f"{name}: $prop_{j}_{name}[k]" for name in rel.names)
        link_props = f" {{{link_props}}}" if link_props else ""
        query += (
            f" CALL (sources, targets_{j}) {{ UNWIND range(0, size($src_{j}) - 1) AS k "
            f"WITH sources[$src_{j}[k]] AS a, targets_{j}[$dst_{j}[k]] AS b, k "
            f"CREATE (a)-[:{rel.label}{link_props}]->(b) }}"
        )
    return query
