"""Cohorts in the graph: `(:Patient)-[:MEETS {criteria, evidence, quotes}]->(:Phenotype)` and
`(:Patient)-[:HAS_NOTE]->(:Report)` for the patient's notes already loaded as reports.

Every write is a parameterized MERGE, a batch a statement, so re-running a phenotype
changes nothing, and a patient who no longer meets it loses the MEETS link. Notes not in
the graph are not added as reports: that would change the report counts signals use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kg.rows import report_key
from kg.store import GraphStore
from pvkg.batching import chunked

BATCH = 1_000
_PHENOTYPE = "MERGE (f:Phenotype {key: $key}) SET f.id = $id, f.name = $name"
_PATIENTS = "UNWIND $rows AS row MERGE (p:Patient {key: row.key}) SET p.id = row.id"
_MEETS = (
    "UNWIND $rows AS row MATCH (p:Patient {key: row.key}), (f:Phenotype {key: $phenotype}) "
    "MERGE (p)-[m:MEETS]->(f) "
    "SET m.criteria = row.criteria, m.evidence = row.evidence, m.quotes = row.quotes"
)
_UNMET = (
    "UNWIND $keys AS k MATCH (p:Patient {key: k})-[m:MEETS]->(f:Phenotype {key: $phenotype}) "
    "DELETE m"
)
_NOTES = (
    "UNWIND $rows AS row MATCH (p:Patient {key: row.patient}), (r:Report {key: row.report}) "
    "MERGE (p)-[:HAS_NOTE]->(r)"
)


@dataclass(frozen=True)
class CohortRow:
    """One patient's decision: `criteria` and `evidence` as the cohort files spell them;
    `quotes` the evidence with its sentences (JSON), so that a report can show the words."""

    patient: str
    met: bool
    criteria: str
    evidence: str
    quotes: str = "[]"
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CohortWrite:
    patients: int
    meets: int


def write_cohort(
    store: GraphStore, phenotype_id: str, name: str, rows: Iterable[CohortRow]
) -> CohortWrite:
    """Store a phenotype's cohort; patients keyed `patient:<id>`, phenotypes
    `phenotype:<id>`."""
    key = f"phenotype:{phenotype_id}"
    store.run(_PHENOTYPE, {"key": key, "id": phenotype_id, "name": name})
    patients = meets = 0
    for batch in chunked(rows, BATCH):
        patients += len(batch)
        meets += _write_batch(store, key, batch)
    return CohortWrite(patients=patients, meets=meets)


def _write_batch(store: GraphStore, phenotype: str, batch: Sequence[CohortRow]) -> int:
    store.run(_PATIENTS, {"rows": [{"key": _patient(r.patient), "id": r.patient} for r in batch]})
    met = [r for r in batch if r.met]
    if met:
        store.run(_MEETS, {"phenotype": phenotype, "rows": [
            {"key": _patient(r.patient), "criteria": r.criteria, "evidence": r.evidence,
             "quotes": r.quotes}
            for r in met
        ]})  # fmt: skip
    unmet = [_patient(r.patient) for r in batch if not r.met]
    if unmet:
        store.run(_UNMET, {"phenotype": phenotype, "keys": unmet})
    notes = [{"patient": _patient(r.patient), "report": report_key("note", note)}
             for r in batch for note in r.notes]  # fmt: skip
    if notes:
        store.run(_NOTES, {"rows": notes})
    return len(met)


def _patient(patient: str) -> str:
    return f"patient:{patient}"
