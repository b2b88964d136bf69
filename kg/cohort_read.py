"""Cohorts read back from the graph for the report: each phenotype's members with their
criteria and quoted evidence (`MEETS.quotes`), and the drugs the members' notes name."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kg.store import GraphStore

_PHENOTYPES = (
    "MATCH (f:Phenotype) OPTIONAL MATCH (p:Patient)-[m:MEETS]->(f) "
    "RETURN f.key AS key, f.id AS id, f.name AS name, count(m) AS meets ORDER BY id"
)
_PATIENTS = "MATCH (p:Patient) RETURN count(p) AS n"
_MEMBERS = (
    "MATCH (p:Patient)-[m:MEETS]->(f:Phenotype {key: $key}) "
    "RETURN p.id AS patient, m.criteria AS criteria, m.quotes AS quotes "
    "ORDER BY patient LIMIT $limit"
)
_DRUGS = (
    "MATCH (p:Patient)-[:MEETS]->(f:Phenotype {key: $key}), "
    "(p)-[:HAS_NOTE]->(:Report)-[m:MENTIONS_DRUG]->(d:Drug) WHERE m.affirmed "
    "RETURN d.name AS drug, count(DISTINCT p) AS patients ORDER BY patients DESC, drug LIMIT $limit"
)


@dataclass(frozen=True)
class Quote:
    """A qualifying span at `start:end` of `note_id`, inside the sentence `sentence` that
    starts at `sentence_start`."""

    criterion: str
    note_id: str
    start: int
    end: int
    sentence: str
    sentence_start: int


@dataclass(frozen=True)
class Member:
    patient: str
    criteria: dict[str, bool]
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class CohortSummary:
    phenotype: str
    name: str
    meets: int
    patients: int  # every Patient node in the graph, whichever phenotype judged them
    members: tuple[Member, ...]  # the first `limit`, by patient id
    drugs: tuple[tuple[str, int], ...]  # (drug, members whose notes name it), most first


def cohort_summaries(store: GraphStore, limit: int = 10) -> list[CohortSummary]:
    phenotypes = store.run(_PHENOTYPES)
    if not phenotypes:
        return []
    patients = int(store.run(_PATIENTS)[0]["n"])
    return [
        CohortSummary(
            phenotype=row["id"],
            name=row["name"],
            meets=int(row["meets"]),
            patients=patients,
            members=tuple(
                _member(m) for m in store.run(_MEMBERS, {"key": row["key"], "limit": limit})
            ),
            drugs=tuple(
                (d["drug"], int(d["patients"]))
                for d in store.run(_DRUGS, {"key": row["key"], "limit": limit})
            ),
        )
        for row in phenotypes
    ]


def _member(row: dict[str, Any]) -> Member:
    criteria = json.loads(row["criteria"] or "{}")
    # Cohorts stored before quotes were kept have none: the report shows their statuses.
    quotes = json.loads(row["quotes"] or "[]")
    return Member(
        patient=row["patient"],
        criteria={name: bool(status.get("met")) for name, status in criteria.items()},
        quotes=tuple(Quote(q["criterion"], q["note_id"], q["start"], q["end"], q["quote"],
                           q["sentence_start"]) for q in quotes),
    )  # fmt: skip
