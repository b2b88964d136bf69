"""Neo4j over Bolt: key constraints before any write, batched `UNWIND` statements (see
kg/_neo4j_write.py), one managed write transaction per batch, and several batches in flight
at once on their own sessions (`writers`), so that the server works on one batch while
another is packed or sent, and uses more than one core.

A dropped connection is retried by the driver's managed transaction; a batch that still
fails raises StoreError and, since a batch only CREATEs what its transaction found missing
and MERGEs the rest on stable keys, re-running the load resumes it with nothing doubled
and nothing lost. Concurrent writers change none of that: each batch still commits whole
or not at all, shared nodes are MERGEd under their key constraint, a deadlock between two
writers is retried by the driver, and a batch whose new key a concurrent writer created
first is written again (it then MERGEs that key).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from neo4j import GraphDatabase
from neo4j.exceptions import (
    AuthError,
    ConstraintError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
)

from kg import _schema as schema
from kg._neo4j_write import write_all
from kg.load import DEFAULT_BATCH_SIZE
from kg.options import StoreOptions
from kg.rows import GraphBatch
from kg.store import WriteStats
from pvkg.errors import StoreError
from pvkg.options import ref

# Sessions writing batches at once: two keep a 2-core server busy while the client packs.
DEFAULT_WRITERS = 2
# Writes of one batch that lost a race for a new key to a concurrent writer, at most.
KEY_RACE_ATTEMPTS = 3


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
        writers: int = DEFAULT_WRITERS,
    ) -> None:
        self.uri = uri
        self.database = database
        self.writers = max(1, writers)
        auth = (user, password) if password is not None else None
        try:
            self._driver = GraphDatabase.driver(
                uri, auth=auth, max_transaction_retry_time=retry_seconds
            )
            self._driver.verify_connectivity()
        except AuthError as exc:
            raise StoreError(
                f"Neo4j at {uri} refused the credentials of user {user!r}",
                hint=f"set NEO4J_USER and NEO4J_PASSWORD (or {ref(StoreOptions, 'user')} and "
                f"{ref(StoreOptions, 'password')})",
            ) from exc
        except (ServiceUnavailable, DriverError, ValueError, OSError) as exc:
            raise StoreError(
                f"cannot reach Neo4j at {uri}: {exc}",
                hint="is the server running? (scripts/neo4j-local start)",
            ) from exc

    def ensure_schema(self) -> None:
        for table in schema.NODE_TABLES + schema.PHENOTYPE_NODES:
            self.run(
                f"CREATE CONSTRAINT pvkg_{table.label.lower()}_key IF NOT EXISTS "
                f"FOR (n:{table.label}) REQUIRE n.{table.key} IS UNIQUE"
            )

    def write_batch(self, batch: GraphBatch) -> WriteStats:
        try:
            with self._driver.session(database=self.database) as session:
                for attempt in range(1, KEY_RACE_ATTEMPTS + 1):
                    try:
                        counters = session.execute_write(write_all, batch)
                        break
                    except ConstraintError:
                        # Another writer committed one of the keys this batch read as new;
                        # reading again finds it stored, and MERGEs it.
                        if attempt == KEY_RACE_ATTEMPTS:
                            raise
        except (Neo4jError, DriverError) as exc:
            raise StoreError(
                f"Neo4j write failed: {exc}",
                hint="re-run the load: it resumes where it stopped, nothing is doubled",
            ) from exc
        return WriteStats(nodes=counters[0], rels=counters[1])

    def write_batches(
        self, batches: Iterable[GraphBatch]
    ) -> Iterator[tuple[GraphBatch, WriteStats]]:
        """Write `batches` with up to `writers` in flight, each in its own transaction; yield
        each batch with what it added as it commits (not necessarily in order). The next
        batch is built while the writers work. If one fails, the batches already in flight
        finish (commit or roll back whole) before its StoreError is raised."""
        with ThreadPoolExecutor(self.writers, thread_name_prefix="pvkg-neo4j-writer") as pool:
            pending: set[Future[tuple[GraphBatch, WriteStats]]] = set()
            for batch in batches:
                while len(pending) >= self.writers:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield future.result()
                pending.add(pool.submit(self._written, batch))
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()

    def _written(self, batch: GraphBatch) -> tuple[GraphBatch, WriteStats]:
        return batch, self.write_batch(batch)

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
