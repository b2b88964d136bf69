"""The graph schema shared by both stores: node tables keyed by stable strings, and
relationships. Documented for users in docs/schema.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NodeTable:
    label: str
    properties: tuple[tuple[str, str], ...]  # (name, LadybugDB type); the first is the key
    names: tuple[str, ...] = field(init=False)  # computed once: row building reads it a lot

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(name for name, _ in self.properties))

    @property
    def key(self) -> str:
        return self.properties[0][0]


@dataclass(frozen=True)
class RelTable:
    label: str
    source: str
    target: str
    properties: tuple[tuple[str, str], ...] = ()
    names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(name for name, _ in self.properties))


REPORT = NodeTable(
    "Report",
    (("key", "STRING"), ("id", "STRING"), ("source", "STRING"), ("sex", "STRING"),
     ("age", "DOUBLE"), ("age_group", "STRING")),
)  # fmt: skip
DRUG = NodeTable(
    "Drug",
    (("key", "STRING"), ("name", "STRING"), ("rxcui", "STRING"), ("cui", "STRING"),
     ("linked", "BOOLEAN")),
)  # fmt: skip
EVENT = NodeTable(
    "AdverseEvent",
    (("key", "STRING"), ("name", "STRING"), ("cui", "STRING"), ("snomed", "STRING"),
     ("meddra_pt", "STRING"), ("linked", "BOOLEAN")),
)  # fmt: skip
DOSE = NodeTable(
    "Dose",
    (("key", "STRING"), ("text", "STRING"), ("value", "DOUBLE"), ("unit", "STRING"),
     ("route", "STRING"), ("frequency", "STRING")),
)  # fmt: skip
TRIPLE = NodeTable(
    "Triple",
    (("key", "STRING"), ("note_id", "STRING"), ("assertion", "STRING"),
     ("confidence", "DOUBLE"), ("extractor", "STRING"), ("extractor_version", "STRING"),
     ("prompt_version", "STRING"),
     ("drug_text", "STRING"), ("drug_start", "INT64"), ("drug_end", "INT64"),
     ("event_text", "STRING"), ("event_start", "INT64"), ("event_end", "INT64"),
     ("dose_text", "STRING"), ("dose_start", "INT64"), ("dose_end", "INT64"),
     ("evidence_text", "STRING"), ("evidence_start", "INT64"), ("evidence_end", "INT64"),
     # The event's course and the triple's causality (kg/causality.py), where stated.
     ("time_to_onset", "STRING"), ("severity", "STRING"), ("dechallenge", "STRING"),
     ("rechallenge", "STRING"), ("alternative_causes", "STRING"), ("outcome", "STRING"),
     ("naranjo_text", "INT64"),
     ("other_reports", "INT64"), ("naranjo", "INT64"), ("naranjo_category", "STRING"),
     ("who_umc", "STRING")),
)  # fmt: skip
NODE_TABLES = (REPORT, DRUG, EVENT, DOSE, TRIPLE)

HAS_TRIPLE = RelTable("HAS_TRIPLE", "Report", "Triple")
OF_DRUG = RelTable("OF_DRUG", "Triple", "Drug")
OF_EVENT = RelTable("OF_EVENT", "Triple", "AdverseEvent")
HAS_DOSE = RelTable("HAS_DOSE", "Triple", "Dose")
# Report-level links, one per (report, drug) and (report, event): what signals count.
# `affirmed` is false when every supporting triple was negated, speculated or family history.
MENTIONS_DRUG = RelTable("MENTIONS_DRUG", "Report", "Drug", (("affirmed", "BOOLEAN"),))
REPORTS_EVENT = RelTable("REPORTS_EVENT", "Report", "AdverseEvent", (("affirmed", "BOOLEAN"),))
TRIPLE_RELS = (HAS_TRIPLE, OF_DRUG, OF_EVENT, HAS_DOSE)
REPORT_RELS = (MENTIONS_DRUG, REPORTS_EVENT)
REL_TABLES = TRIPLE_RELS + REPORT_RELS

# Phenotyping's cohorts (`kg/phenotypes.py`), written by Cypher MERGE rather than by the
# batched loads above: a patient meets a phenotype, with the evidence of every criterion.
PATIENT = NodeTable("Patient", (("key", "STRING"), ("id", "STRING")))
PHENOTYPE = NodeTable("Phenotype", (("key", "STRING"), ("id", "STRING"), ("name", "STRING")))
MEETS = RelTable(
    "MEETS",
    "Patient",
    "Phenotype",
    (("criteria", "STRING"), ("evidence", "STRING"), ("quotes", "STRING")),
)
HAS_NOTE = RelTable("HAS_NOTE", "Patient", "Report")
PHENOTYPE_NODES = (PATIENT, PHENOTYPE)
PHENOTYPE_RELS = (MEETS, HAS_NOTE)

NODES_BY_LABEL = {table.label: table for table in NODE_TABLES}
