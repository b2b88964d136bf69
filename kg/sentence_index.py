"""The sentence index: note sentences with their embeddings in an embedded vector store
(LanceDB, a directory, no server), for retrieval per patient.

A sentence's id is a content hash (note id, offsets, text), so indexing is incremental and
idempotent: a re-run embeds and adds only sentences not stored yet (`merge_insert` on the
id keeps a race from duplicating), and a note indexed again loses the sentences its text no
longer has (`drop_stale`); `compact` merges the small fragments every batch appends.
Search is exact below `ANN_MIN_ROWS` sentences; above, an IVF-SQ index with re-ranking
answers, built by `build_ann` (with a B-tree on the patient for prefiltered search). At 1M
sentences here IVF-SQ with 40 probes and refine 10 gave recall@10 0.979 at p95 30 ms
(benchmarks/RESULTS.md, "Sentence index"); IVF-PQ lost recall.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pvkg.errors import ConfigError, StoreError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

TABLE = "sentences"
HINT = "pip install 'pvkg[rag]' (LanceDB)"
ANN_MIN_ROWS = 65_536
_ID_BATCH = 1_000

Embed = Callable[[Sequence[str]], "NDArray[np.float32]"]


@dataclass(frozen=True)
class Sentence:
    patient: str
    note_id: str
    start: int
    end: int
    text: str

    @property
    def id(self) -> str:
        digest = hashlib.sha256(
            f"{self.note_id}\x1f{self.start}\x1f{self.end}\x1f{self.text}".encode()
        )
        return digest.hexdigest()


@dataclass(frozen=True)
class Hit:
    sentence: Sentence
    score: float  # cosine similarity


class SentenceIndex:
    def __init__(self, path: str | Path, dimension: int) -> None:
        try:
            import lancedb
            import pyarrow as pa
        except ImportError as exc:
            raise ConfigError(f"the sentence index needs {exc.name}", hint=HINT) from exc
        self.path, self.dimension = Path(path), dimension
        self._pa = pa
        self._schema = pa.schema([
            ("id", pa.string()), ("patient", pa.string()), ("note_id", pa.string()),
            ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string()),
            ("vector", pa.list_(pa.float32(), dimension)),
        ])  # fmt: skip
        try:
            db = lancedb.connect(str(self.path))
            try:
                self._table = db.open_table(TABLE)
            except ValueError:  # none yet
                self._table = db.create_table(TABLE, schema=self._schema)
        except (OSError, ValueError, RuntimeError) as exc:
            raise StoreError(f"cannot open the sentence index at {self.path}: {exc}") from exc
        stored = self._table.schema.field("vector").type.list_size
        if stored != dimension:
            raise ConfigError(
                f"{self.path} holds {stored}-dimensional vectors, the model gives {dimension}",
                hint="index with the model it was built with, or into a new directory",
            )

    def __len__(self) -> int:
        return int(self._table.count_rows())

    def add(self, sentences: Sequence[Sentence], embed: Embed) -> int:
        """Embed and store the sentences not stored yet; returns how many were added."""
        by_id = {s.id: s for s in sentences}
        stored = self._stored(list(by_id))
        new = [s for i, s in by_id.items() if i not in stored]
        if not new:
            return 0
        vectors = embed([s.text for s in new])
        pa = self._pa
        rows = pa.table({
            "id": [s.id for s in new], "patient": [s.patient for s in new],
            "note_id": [s.note_id for s in new], "start": [s.start for s in new],
            "end": [s.end for s in new], "text": [s.text for s in new],
            "vector": pa.FixedSizeListArray.from_arrays(vectors.reshape(-1), self.dimension),
        }, schema=self._schema)  # fmt: skip
        self._table.merge_insert("id").when_not_matched_insert_all().execute(rows)
        return len(new)

    def drop_stale(self, note_ids: Sequence[str], keep: set[str]) -> int:
        """Delete the sentences of `note_ids` whose ids are not in `keep` (the notes' text
        changed); returns how many went."""
        if not note_ids:
            return 0
        notes = ",".join(_quoted(n) for n in note_ids)
        where = f"note_id IN ({notes})"
        stale = [i for i in self._ids_where(where) if i not in keep]
        for start in range(0, len(stale), _ID_BATCH):
            chunk = ",".join(f"'{i}'" for i in stale[start : start + _ID_BATCH])
            self._table.delete(f"id IN ({chunk})")
        return len(stale)

    def compact(self) -> None:
        """Merge the fragments of many small appends and deletes and bring the indexes up
        to date; versions older than LanceDB's default (7 days) are pruned."""
        self._table.optimize()

    def search(self, vector: NDArray[np.float32], k: int = 10, patient: str | None = None,
               nprobes: int = 40, refine: int = 10) -> list[Hit]:  # fmt: skip
        """The `k` sentences closest to `vector` (of one patient, when given)."""
        query: Any = self._table.search(vector.tolist())
        query = query.metric("cosine").limit(k)
        if patient is None:
            query = query.nprobes(nprobes).refine_factor(refine)
        else:
            # A patient's few rows, found by the B-tree, searched exactly: the approximate
            # index with a patient filter kept recall@10 at 0.66 in the benchmark.
            query = query.bypass_vector_index()
            query = query.where(f"patient = {_quoted(patient)}", prefilter=True)
        return [_hit(row) for row in query.to_arrow().to_pylist()]

    def build_ann(self) -> bool:
        """Build the IVF-SQ index (and the patient B-tree) once there are enough sentences
        for it; False if not."""
        if len(self) < ANN_MIN_ROWS:
            return False
        from lancedb.index import BTree, IvfSq

        self._table.create_index("vector", config=IvfSq(distance_type="cosine"), replace=True)
        self._table.create_index("patient", config=BTree(), replace=True)
        return True

    def close(self) -> None:
        """LanceDB holds no connection open between calls."""

    def _ids_where(self, where: str) -> list[str]:
        table = self._table.search().where(where).select(["id"]).limit(None).to_arrow()
        return list(table.column("id").to_pylist())

    def _stored(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), _ID_BATCH):
            # Ids are hex digests: nothing in them can break out of the quotes.
            chunk = ",".join(f"'{i}'" for i in ids[start : start + _ID_BATCH])
            table = self._table.search().where(f"id IN ({chunk})").select(["id"]).to_arrow()
            found.update(table.column("id").to_pylist())
        return found


class Sentences(Protocol):
    """What phenotyping needs of a sentence index, embedded (LanceDB) or in Neo4j."""

    dimension: int

    def __len__(self) -> int: ...
    def add(self, sentences: Sequence[Sentence], embed: Embed) -> int: ...
    def search(
        self, vector: NDArray[np.float32], k: int = 10, patient: str | None = None
    ) -> list[Hit]: ...
    def build_ann(self) -> bool: ...
    def drop_stale(self, note_ids: Sequence[str], keep: set[str]) -> int: ...
    def compact(self) -> None: ...
    def close(self) -> None: ...


def open_sentence_index(spec: str | Path, dimension: int) -> Sentences:
    """A directory (LanceDB) or a bolt:// / neo4j:// URI (credentials from NEO4J_USER and
    NEO4J_PASSWORD, as for the graph store)."""
    from kg.store import is_neo4j_uri, open_store

    if is_neo4j_uri(str(spec)):
        from kg.neo4j_sentences import Neo4jSentenceIndex

        return Neo4jSentenceIndex(open_store(spec), dimension)
    return SentenceIndex(spec, dimension)


def _quoted(value: str) -> str:
    """A string literal for a LanceDB filter (SQL text, which takes no parameters): quoted,
    quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def _hit(row: dict[str, Any]) -> Hit:
    sentence = Sentence(row["patient"], row["note_id"], row["start"], row["end"], row["text"])
    return Hit(sentence, 1.0 - float(row["_distance"]))


def sentences_of(patient: str, note_id: str, text: str,
                 spans: Iterable[tuple[int, int]]) -> list[Sentence]:  # fmt: skip
    return [Sentence(patient, note_id, start, end, text[start:end]) for start, end in spans]
