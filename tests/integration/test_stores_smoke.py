"""Smoke tests of the two real stores: batched, idempotent MERGE of 10,000 nodes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ladybug
import pytest
from neo4j import Driver, GraphDatabase

pytestmark = pytest.mark.integration

N_NODES = 10_000
BATCH = 1_000
ROWS = [{"key": f"smoke-{i:05d}", "value": i} for i in range(N_NODES)]
LABEL = "PvkgSmoke"


def batches(rows: list[dict[str, object]]) -> Iterator[list[dict[str, object]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


@pytest.fixture
def neo4j_driver(neo4j_uri: str, neo4j_auth: tuple[str, str]) -> Iterator[Driver]:
    driver = GraphDatabase.driver(neo4j_uri, auth=neo4j_auth)
    driver.verify_connectivity()
    driver.execute_query(f"MATCH (n:{LABEL}) DETACH DELETE n")
    yield driver
    driver.execute_query(f"MATCH (n:{LABEL}) DETACH DELETE n")
    driver.close()


def neo4j_load(driver: Driver) -> None:
    for batch in batches(ROWS):
        driver.execute_query(
            f"UNWIND $rows AS row MERGE (n:{LABEL} {{key: row.key}}) SET n.value = row.value",
            rows=batch,
        )


def test_neo4j_batched_merge_is_idempotent(neo4j_driver: Driver) -> None:
    neo4j_driver.execute_query(
        f"CREATE CONSTRAINT pvkg_smoke_key IF NOT EXISTS FOR (n:{LABEL}) REQUIRE n.key IS UNIQUE"
    )
    constraints, _, _ = neo4j_driver.execute_query(
        "SHOW CONSTRAINTS YIELD name, type WHERE name = $name RETURN type", name="pvkg_smoke_key"
    )
    assert [r["type"] for r in constraints] == ["UNIQUENESS"]

    neo4j_load(neo4j_driver)
    records, _, _ = neo4j_driver.execute_query(
        f"MATCH (n:{LABEL}) RETURN n.key AS key, n.value AS value ORDER BY key"
    )
    assert [dict(r) for r in records] == ROWS

    neo4j_load(neo4j_driver)
    records, _, _ = neo4j_driver.execute_query(
        f"MATCH (n:{LABEL}) RETURN count(n) AS nodes, count(DISTINCT n.key) AS keys"
    )
    assert (records[0]["nodes"], records[0]["keys"]) == (N_NODES, N_NODES)


def ladybug_load(conn: ladybug.Connection) -> None:
    for batch in batches(ROWS):
        conn.execute(
            f"UNWIND $rows AS row MERGE (n:{LABEL} {{key: row.key}}) SET n.value = row.value",
            {"rows": batch},
        )


def ladybug_rows(conn: ladybug.Connection, query: str) -> list[object]:
    result = conn.execute(query)
    if isinstance(result, list):  # several statements give several results
        raise TypeError("expected one statement")
    rows: list[object] = []
    while result.has_next():
        rows.append(result.get_next())
    return rows


def test_ladybug_batched_merge_is_idempotent(tmp_path: Path) -> None:
    db = ladybug.Database(str(tmp_path / "graph"))
    conn = ladybug.Connection(db)
    conn.execute(f"CREATE NODE TABLE {LABEL}(key STRING, value INT64, PRIMARY KEY (key))")

    ladybug_load(conn)
    rows = ladybug_rows(conn, f"MATCH (n:{LABEL}) RETURN n.key, n.value ORDER BY n.key")
    assert rows == [[row["key"], row["value"]] for row in ROWS]

    ladybug_load(conn)
    counts = ladybug_rows(conn, f"MATCH (n:{LABEL}) RETURN count(n), count(DISTINCT n.key)")
    assert counts == [[N_NODES, N_NODES]]

    # Reopening from disk shows the same graph: the store persisted, not just cached.
    conn.close()
    db.close()
    reopened = ladybug.Connection(ladybug.Database(str(tmp_path / "graph")))
    assert ladybug_rows(reopened, f"MATCH (n:{LABEL}) RETURN count(n)") == [[N_NODES]]
