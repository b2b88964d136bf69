"""Turn records into the rows of one load batch: nodes by stable key, relationships by
their end keys. Building rows knows nothing of any store.

Keys merge by code, not by name: a drug linked to an RxNorm ingredient is `rxcui:<RXCUI>`,
an event linked to UMLS is `cui:<CUI>`; an unlinked mention keeps its name as key
(`name:<casefolded text>`, or a structured source's spelling as given) so it is kept, not
dropped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from kg import _schema as schema
from kg.causality import assess
from pvkg.records import (
    ALTERNATIVES,
    DECHALLENGE,
    ONSET,
    OUTCOME,
    RECHALLENGE,
    SEVERITY,
    AttributeValue,
    CaseReport,
    Concept,
    NormalizedTriple,
    ReportedDrug,
    ReportedEvent,
    Span,
    Triple,
)

Row = dict[str, Any]
COUNTED_ASSERTIONS = frozenset({"present", "historical"})
NOTE_SOURCE = "note"


def name_key(name: str) -> str:
    """Key of an unlinked text mention: case and spacing are not identity in free text."""
    return "name:" + " ".join(name.casefold().split())


def source_name_key(name: str) -> str:
    """Key of an uncoded name from a structured source: the source's own spelling, which
    its published statistics (openEBGM, DiAna) count as distinct."""
    return "name:" + name.strip()


def age_group(age: float | None) -> str | None:
    """Paediatric, adult and older-adult bands (ICH E11/E7) for stratified expected counts."""
    if age is None:
        return None
    if age < 18:
        return "0-17"
    return "18-64" if age < 65 else "65+"


def report_key(source: str, report_id: str) -> str:
    return f"{source}:{report_id}"


@dataclass
class GraphBatch:
    """Rows for one transaction, deduplicated by key."""

    nodes: dict[str, dict[str, Row]] = field(
        default_factory=lambda: {t.label: {} for t in schema.NODE_TABLES}
    )
    rels: dict[str, dict[tuple[str, str], Row]] = field(
        default_factory=lambda: {t.label: {} for t in schema.REL_TABLES}
    )
    records: int = 0

    def add_node(self, table: schema.NodeTable, row: Row) -> str:
        key: str = row["key"]
        rows = self.nodes[table.label]
        if key not in rows:
            rows[key] = {name: row.get(name) for name in table.names}
        return key

    def add_rel(self, rel: schema.RelTable, source: str, target: str, **props: Any) -> None:
        existing = self.rels[rel.label].get((source, target))
        if existing is None:
            self.rels[rel.label][(source, target)] = props
        elif "affirmed" in props:
            existing["affirmed"] = existing["affirmed"] or props["affirmed"]


def add_case_report(batch: GraphBatch, report: CaseReport) -> None:
    """A structured report: every drug and event it lists, all affirmed."""
    rkey = batch.add_node(
        schema.REPORT,
        {
            "key": report_key(report.source, report.id),
            "id": report.id,
            "source": report.source,
            "sex": report.sex or report.strata.get("sex"),
            "age": report.age,
            "age_group": report.strata.get("age_group") or age_group(report.age),
        },
    )
    for drug in report.drugs:
        batch.add_rel(schema.MENTIONS_DRUG, rkey, _reported_drug(batch, drug), affirmed=True)
    for event in report.events:
        batch.add_rel(schema.REPORTS_EVENT, rkey, _reported_event(batch, event), affirmed=True)
    batch.records += 1


def _reported_drug(batch: GraphBatch, drug: ReportedDrug) -> str:
    key = f"rxcui:{drug.rxcui}" if drug.rxcui else source_name_key(drug.name)
    row = {"key": key, "name": drug.name, "rxcui": drug.rxcui, "linked": drug.rxcui is not None}
    return batch.add_node(schema.DRUG, row)


def _reported_event(batch: GraphBatch, event: ReportedEvent) -> str:
    if event.cui:
        key = f"cui:{event.cui}"
    elif event.meddra_pt:
        key = f"meddra:{event.meddra_pt}"
    else:
        key = source_name_key(event.name)
    row = {
        "key": key,
        "name": event.name,
        "cui": event.cui,
        "meddra_pt": event.meddra_pt,
        "linked": bool(event.cui or event.meddra_pt),
    }
    return batch.add_node(schema.EVENT, row)


def add_triple(batch: GraphBatch, triple: Triple) -> None:
    """An extracted triple, its provenance, and the report-level links it supports."""
    concepts = triple.concepts if isinstance(triple, NormalizedTriple) else None
    rkey = batch.add_node(
        schema.REPORT,
        {"key": report_key(NOTE_SOURCE, triple.note_id), "id": triple.note_id, "source": "note"},
    )
    tkey = batch.add_node(schema.TRIPLE, _triple_row(triple))
    batch.add_rel(schema.HAS_TRIPLE, rkey, tkey)
    dkey = batch.add_node(schema.DRUG, _drug_row(triple.drug, concepts.drug if concepts else None))
    batch.add_rel(schema.OF_DRUG, tkey, dkey)
    batch.add_rel(schema.MENTIONS_DRUG, rkey, dkey, affirmed=True)
    if triple.adverse_event is not None:
        concept = concepts.adverse_event if concepts else None
        ekey = batch.add_node(schema.EVENT, _event_row(triple.adverse_event, concept))
        batch.add_rel(schema.OF_EVENT, tkey, ekey)
        affirmed = triple.assertion in COUNTED_ASSERTIONS
        batch.add_rel(schema.REPORTS_EVENT, rkey, ekey, affirmed=affirmed)
    if triple.dose is not None:
        dose_row = _dose_row(triple)
        batch.add_rel(schema.HAS_DOSE, tkey, batch.add_node(schema.DOSE, dose_row))
    batch.records += 1


def triple_key(triple: Triple) -> str:
    """Stable identity of an extracted triple: note, spans and extractor (not confidence)."""
    parts = [triple.note_id, triple.extractor.name, triple.extractor.version]
    parts.append(triple.extractor.prompt_version or "")
    for span in (triple.drug, triple.dose, triple.adverse_event):
        parts.append(f"{span.start}:{span.end}" if span else "-")
    parts.append(triple.assertion)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _span_fields(prefix: str, span: Span | None) -> Row:
    if span is None:
        return {f"{prefix}_text": None, f"{prefix}_start": None, f"{prefix}_end": None}
    return {f"{prefix}_text": span.text, f"{prefix}_start": span.start, f"{prefix}_end": span.end}


def _triple_row(triple: Triple) -> Row:
    row: Row = {
        "key": triple_key(triple),
        "note_id": triple.note_id,
        "assertion": triple.assertion,
        "confidence": triple.confidence,
        "extractor": triple.extractor.name,
        "extractor_version": triple.extractor.version,
        "prompt_version": triple.extractor.prompt_version,
    }
    row |= _span_fields("drug", triple.drug)
    row |= _span_fields("event", triple.adverse_event)
    row |= _span_fields("dose", triple.dose)
    row |= _span_fields("evidence", triple.evidence)
    return row | _course_fields(triple)


def _course_fields(triple: Triple) -> Row:
    attributes = triple.adverse_event.attributes if triple.adverse_event else {}
    names = (ONSET, SEVERITY, DECHALLENGE, RECHALLENGE, ALTERNATIVES, OUTCOME)
    row: Row = {name: _text(attributes.get(name)) for name in names}
    causality = assess(triple)
    row["naranjo_text"] = row["naranjo"] = causality.naranjo if causality else None
    row["other_reports"] = None  # set from the graph after the load (kg/causality_graph.py)
    row["naranjo_category"] = causality.naranjo_category if causality else None
    row["who_umc"] = causality.who_umc if causality else None
    return row


def _text(value: AttributeValue) -> str | None:
    return None if value is None else str(value)


def first_code(concept: Concept, *vocabularies: str) -> str | None:
    for vocabulary in vocabularies:
        codes = concept.codes.get(vocabulary)
        if codes:
            return codes[0]
    return None


def _drug_row(span: Span, concept: Concept | None) -> Row:
    if concept is None:
        return {"key": name_key(span.text), "name": span.text, "linked": False}
    # A combination product rolls up to several ingredients; it is kept as one drug keyed by
    # all of them, so that its reports are not counted for each ingredient alone.
    ingredients = sorted(concept.codes.get("RXNORM_IN") or [])
    rxcui = "+".join(ingredients) if ingredients else first_code(concept, "RXNORM")
    key = f"rxcui:{rxcui}" if rxcui else f"cui:{concept.cui}"
    return {"key": key, "name": concept.name, "rxcui": rxcui, "cui": concept.cui, "linked": True}


def _event_row(span: Span, concept: Concept | None) -> Row:
    if concept is None:
        return {"key": name_key(span.text), "name": span.text, "linked": False}
    return {
        "key": f"cui:{concept.cui}",
        "name": concept.name,
        "cui": concept.cui,
        "snomed": first_code(concept, "SNOMEDCT_US"),
        "meddra_pt": first_code(concept, "MDR_PT", "MDR"),
        "linked": True,
    }


def _dose_row(triple: Triple) -> Row:
    dose = triple.dose
    parsed = triple.parsed_dose if isinstance(triple, NormalizedTriple) else None
    text = dose.text if dose else ""
    if parsed is not None and parsed.value is not None and parsed.unit:
        key = f"dose:{parsed.value:g}|{parsed.unit}|{parsed.route or ''}|{parsed.frequency or ''}"
    else:
        key = "dose:" + " ".join(text.casefold().split())
    row: Row = {"key": key, "text": text}
    if parsed is not None:
        row |= {
            "value": parsed.value,
            "unit": parsed.unit,
            "route": parsed.route,
            "frequency": parsed.frequency,
        }
    return row
