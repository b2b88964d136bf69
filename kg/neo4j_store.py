"""Neo4j over Bolt: key constraints before any write, batched `UNWIND` statements (see
kg/neo4j_write.py), one managed write transaction per batch.

A dropped connection is retried by the driver's managed transaction; a batch that still
fails raises StoreError and, since a batch only CREATEs what its transaction found missing
and MERGEs the rest on stable keys, re-running the load resumes it with nothing doubled
and nothing lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

from kg import schema
from kg.load import DEFAULT_BATCH_SIZE
from kg.neo4j_write import write_all
from kg.rows import GraphBatch
from kg.store import WriteStats
from pvkg.errors import StoreError


class Neo4jStore:
    kind = "neo4j"
    batch_size = DEFAULT_BATCH_SIZE

    def __init__(
        self,
        uri: str,
        *,
        user: str,
        password: str | None,
        database: str | None = None,
        retry_seconds: float = 30.0,
    ) -> None:
        self.uri = uri
        self.database = database
        auth = (user, password) if password is not None else None
        try:
            self._driver = GraphDatabase.driver(
                uri, auth=auth, max_transaction_retry_time=retry_seconds
            )
            self._driver.verify_connectivity()
        except AuthError as exc:
            raise StoreError(
                f"Neo4j at {uri} refused the credentials of user {user!r}",
                hint="set NEO4J_USER and NEO4J_PASSWORD (or --user/--password)",
            ) from exc
        except (ServiceUnavailable, DriverError, ValueError, OSError) as exc:
            raise StoreError(
                f"cannot reach Neo4j at {uri}: {exc}",
                hint="is the server running? (scripts/neo4j-local start)",
            ) from exc

    def ensure_schema(self) -> None:
        for table in schema.NODE_TABLES:
            self.run(
                f"CREATE CONSTRAINT pvkg_{table.label.lower()}_key IF NOT EXISTS "
                f"FOR (n:{table.label}) REQUIRE n.{table.key} IS UNIQUE"
            )

    def write_batch(self, batch: GraphBatch) -> WriteStats:
        try:
            with self._driver.session(database=self.database) as session:
                counters = session.execute_write(write_all, batch)
        except (Neo4jError, DriverError) as exc:
            raise StoreError(
                f"Neo4j write failed: {exc}",
                hint="re-run the load: it resumes where it stopped, nothing is doubled",
            ) from exc
        return WriteStats(nodes=counters[0], rels=counters[1])

    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        try:
            records, _, _ = self._driver.execute_query(
                cypher, parameters_=dict(params or {}), database_=self.database
            )
        except (Neo4jError, DriverError) as exc:
            raise StoreError(f"Neo4j query failed: {exc}") from exc
        return [record.data() for record in records]

    def close(self) -> None:
        self._driver.close()
