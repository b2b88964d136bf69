"""Read the whole graph back from a store, table by table, with portable Cypher."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kg import _schema as schema
from kg.store import GraphStore


@dataclass(frozen=True)
class Node:
    label: str
    key: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class Link:
    label: str
    source: str
    target: str
    properties: dict[str, Any]


def nodes(store: GraphStore) -> Iterator[Node]:
    for table in schema.NODE_TABLES + schema.PHENOTYPE_NODES:
        fields = ", ".join(f"n.{name} AS {name}" for name in table.names)
        for row in store.run(f"MATCH (n:{table.label}) RETURN {fields} ORDER BY n.key"):
            yield Node(table.label, row.pop("key"), row)


def links(store: GraphStore) -> Iterator[Link]:
    for rel in schema.REL_TABLES + schema.PHENOTYPE_RELS:
        fields = "".join(f", r.{name} AS {name}" for name in rel.names)
        query = (
            f"MATCH (a:{rel.source})-[r:{rel.label}]->(b:{rel.target}) "
            f"RETURN a.key AS src, b.key AS dst{fields} ORDER BY src, dst"
        )
        for row in store.run(query):
            yield Link(rel.label, row.pop("src"), row.pop("dst"), row)


TRIPLE_EXPORT_QUERY = """
MATCH (r:Report)-[:HAS_TRIPLE]->(t:Triple)-[:OF_DRUG]->(d:Drug)
OPTIONAL MATCH (t)-[:OF_EVENT]->(e:AdverseEvent)
OPTIONAL MATCH (t)-[:HAS_DOSE]->(x:Dose)
RETURN r.id AS note_id, t.key AS triple_key, t.assertion AS assertion,
       t.confidence AS confidence, t.extractor AS extractor,
       t.extractor_version AS extractor_version, t.prompt_version AS prompt_version,
       t.drug_text AS drug_text, t.drug_start AS drug_start, t.drug_end AS drug_end,
       d.key AS drug_key, d.name AS drug_name, d.rxcui AS drug_rxcui,
       t.event_text AS event_text, t.event_start AS event_start, t.event_end AS event_end,
       e.key AS event_key, e.name AS event_name, e.cui AS event_cui,
       e.snomed AS event_snomed, e.meddra_pt AS event_meddra_pt,
       t.dose_text AS dose_text, x.value AS dose_value, x.unit AS dose_unit,
       x.route AS dose_route, x.frequency AS dose_frequency,
       t.evidence_text AS evidence_text, t.evidence_start AS evidence_start,
       t.evidence_end AS evidence_end, t.time_to_onset AS time_to_onset,
       t.severity AS severity, t.dechallenge AS dechallenge, t.rechallenge AS rechallenge,
       t.alternative_causes AS alternative_causes, t.outcome AS outcome,
       t.naranjo AS naranjo, t.naranjo_category AS naranjo_category, t.who_umc AS who_umc
ORDER BY note_id, triple_key
"""


def triple_rows(store: GraphStore) -> list[dict[str, Any]]:
    """One row per extracted triple with its report, codes, dose and provenance."""
    return store.run(TRIPLE_EXPORT_QUERY)
