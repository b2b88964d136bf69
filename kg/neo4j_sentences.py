"""The sentence index inside Neo4j: `(:Patient)-[:HAS_SENTENCE]->(:Sentence {embedding})`
under Neo4j's native vector index, so one Cypher query can join graph facts (reports,
triples, cohorts) and sentence similarity. Same contract as `SentenceIndex`: content-hash
keys, idempotent adds, cosine scores. A patient's search is exact over that patient's
sentences (few); a search over everyone goes through the vector index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kg.sentence_index import Embed, Hit, Sentence
from kg.store import GraphStore

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

VECTOR_INDEX = "pvkg_sentence_embedding"
_BATCH = 500
_CONSTRAINT = (
    "CREATE CONSTRAINT pvkg_sentence_key IF NOT EXISTS FOR (s:Sentence) REQUIRE s.key IS UNIQUE"
)
_NOTE_INDEX = "CREATE INDEX pvkg_sentence_note IF NOT EXISTS FOR (s:Sentence) ON (s.note_id)"
_STORED = "UNWIND $keys AS k MATCH (s:Sentence {key: k}) RETURN s.key AS key"
_STALE = """UNWIND $notes AS n MATCH (s:Sentence {note_id: n}) WHERE NOT s.key IN $keep
DETACH DELETE s RETURN count(*) AS n"""
_ADD = """UNWIND $rows AS row
MERGE (s:Sentence {key: row.key})
SET s.note_id = row.note_id, s.start = row.start, s.end = row.end, s.text = row.text,
    s.embedding = row.embedding
MERGE (p:Patient {key: row.patient_key}) ON CREATE SET p.id = row.patient
MERGE (p)-[:HAS_SENTENCE]->(s)"""
_OF_PATIENT = """MATCH (p:Patient {key: $patient})-[:HAS_SENTENCE]->(s:Sentence)
WITH p, s, vector.similarity.cosine(s.embedding, $vector) AS score
ORDER BY score DESC LIMIT $k
RETURN p.id AS patient, s.note_id AS note_id, s.start AS start, s.end AS end,
       s.text AS text, score"""
_ANY = """CALL db.index.vector.queryNodes($index, $k, $vector) YIELD node, score
MATCH (p:Patient)-[:HAS_SENTENCE]->(node)
RETURN p.id AS patient, node.note_id AS note_id, node.start AS start, node.end AS end,
       node.text AS text, score ORDER BY score DESC"""


class Neo4jSentenceIndex:
    def __init__(self, store: GraphStore, dimension: int) -> None:
        self._store, self.dimension = store, dimension
        store.run(_CONSTRAINT)
        store.run(_NOTE_INDEX)
        # Index options are schema, not data: Neo4j takes no parameter there; the dimension
        # is the model's (an int), never text from a note.
        store.run(
            f"CREATE VECTOR INDEX {VECTOR_INDEX} IF NOT EXISTS FOR (s:Sentence) ON s.embedding "
            f"OPTIONS {{indexConfig: {{`vector.dimensions`: {int(dimension)}, "
            "`vector.similarity_function`: 'cosine'}}"
        )

    def __len__(self) -> int:
        return int(self._store.run("MATCH (s:Sentence) RETURN count(s) AS n")[0]["n"])

    def add(self, sentences: Sequence[Sentence], embed: Embed) -> int:
        by_key = {s.id: s for s in sentences}
        stored = {row["key"] for row in self._store.run(_STORED, {"keys": list(by_key)})}
        new = [s for key, s in by_key.items() if key not in stored]
        if not new:
            return 0
        vectors = embed([s.text for s in new])
        for start in range(0, len(new), _BATCH):
            rows = [_row(s, vectors[start + i]) for i, s in enumerate(new[start : start + _BATCH])]
            self._store.run(_ADD, {"rows": rows})
        return len(new)

    def search(
        self, vector: NDArray[np.float32], k: int = 10, patient: str | None = None
    ) -> list[Hit]:
        values = vector.tolist()
        if patient is None:
            rows = self._store.run(_ANY, {"index": VECTOR_INDEX, "k": k, "vector": values})
        else:
            rows = self._store.run(_OF_PATIENT, {"patient": f"patient:{patient}", "k": k,
                                                 "vector": values})  # fmt: skip
        return [_hit(row) for row in rows]

    def drop_stale(self, note_ids: Sequence[str], keep: set[str]) -> int:
        if not note_ids:
            return 0
        rows = self._store.run(_STALE, {"notes": list(note_ids), "keep": sorted(keep)})
        return sum(int(row["n"]) for row in rows)

    def build_ann(self) -> bool:
        """Neo4j keeps its vector index up to date itself."""
        return False

    def compact(self) -> None:
        """Neo4j compacts its own store."""

    def close(self) -> None:
        self._store.close()


def _row(sentence: Sentence, vector: Any) -> dict[str, Any]:
    return {"key": sentence.id, "patient": sentence.patient,
            "patient_key": f"patient:{sentence.patient}", "note_id": sentence.note_id,
            "start": sentence.start, "end": sentence.end, "text": sentence.text,
            "embedding": [float(x) for x in vector]}  # fmt: skip


def _hit(row: dict[str, Any]) -> Hit:
    sentence = Sentence(row["patient"], row["note_id"], row["start"], row["end"], row["text"])
    return Hit(sentence, float(row["score"]))
