from __future__ import annotations

import pytest
from pydantic import ValidationError

from pvkg.records import (
    Concept,
    Concepts,
    ExtractorInfo,
    NormalizedTriple,
    Note,
    ParsedDose,
    SemanticType,
    Span,
    Triple,
)

TEXT = "Patient developed a rash after amoxicillin 500 mg tid."
NOTE = Note(id="n1", text=TEXT, metadata={"source": "unit"})
RULES = ExtractorInfo(name="rules", version="0.1.0")


def span(text: str, occurrence: int = 0) -> Span:
    start = TEXT.index(text)
    for _ in range(occurrence):
        start = TEXT.index(text, start + 1)
    return Span(text=text, start=start, end=start + len(text))


def triple(**changes: object) -> Triple:
    data: dict[str, object] = {
        "note_id": "n1",
        "drug": span("amoxicillin"),
        "dose": span("500 mg"),
        "adverse_event": span("rash"),
        "assertion": "present",
        "evidence": Span(text=TEXT, start=0, end=len(TEXT)),
        "extractor": RULES,
        "confidence": 0.9,
    }
    data.update(changes)
    return Triple.model_validate(data)


def test_span_offsets_must_match_its_text_length() -> None:
    with pytest.raises(ValidationError, match="length"):
        Span(text="rash", start=20, end=25)


def test_span_is_checked_against_note_text() -> None:
    span("rash").check_against(TEXT)
    with pytest.raises(ValueError, match="'a ra' in the note"):
        Span(text="rash", start=18, end=22).check_against(TEXT)
    with pytest.raises(ValueError, match="past the note end"):
        Span(text="rash", start=len(TEXT), end=len(TEXT) + 4).check_against(TEXT)


def test_unknown_fields_are_rejected_everywhere() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        Note.model_validate({"id": "n", "text": "t", "author": "x"})
    with pytest.raises(ValidationError, match="Extra inputs"):
        Span.model_validate({"text": "a", "start": 0, "end": 1, "kind": "drug"})
    with pytest.raises(ValidationError, match="Extra inputs"):
        triple(polarity="neg")


def test_assertion_values_are_closed() -> None:
    assert triple(assertion="family").assertion == "family"
    with pytest.raises(ValidationError, match="assertion"):
        triple(assertion="maybe")


def test_confidence_is_a_probability() -> None:
    with pytest.raises(ValidationError, match="confidence"):
        triple(confidence=1.5)


def test_triple_validated_against_note_in_context() -> None:
    good = triple().model_dump()
    assert Triple.model_validate(good, context={"note": NOTE}).drug.text == "amoxicillin"
    shifted = {**good, "drug": {"text": "amoxicillin", "start": 0, "end": 11}}
    with pytest.raises(ValidationError, match="drug: span 0:11"):
        Triple.model_validate(shifted, context={"notes": {"n1": NOTE}})
    with pytest.raises(ValidationError, match="not among the given notes"):
        Triple.model_validate({**good, "note_id": "n2"}, context={"notes": {"n1": NOTE}})


def test_triple_for_another_note_is_rejected() -> None:
    with pytest.raises(ValueError, match="for note 'n1', not 'n9'"):
        triple().check_against(Note(id="n9", text=TEXT))


def test_triple_json_round_trip_is_lossless() -> None:
    original = triple(adverse_event=span("rash").model_copy(update={"attributes": {"sev": 2}}))
    again = Triple.model_validate_json(original.model_dump_json())
    assert again == original
    assert again.adverse_event is not None
    assert again.adverse_event.attributes == {"sev": 2}


def test_optional_dose_and_event() -> None:
    only_drug = triple(dose=None, adverse_event=None, evidence=None)
    assert set(only_drug.spans()) == {"drug"}


def test_concept_codes_and_semantic_types() -> None:
    concept = Concept(
        cui="C0015230",
        name="Exanthema",
        semantic_types=(SemanticType(tui="T047", name="Disease or Syndrome"),),
        codes={"SNOMEDCT_US": ["271807003"], "MDR": ["10037844"]},
        score=0.97,
    )
    assert Concept.model_validate_json(concept.model_dump_json()) == concept
    with pytest.raises(ValidationError, match="cui"):
        Concept(cui="0015230", name="x")
    with pytest.raises(ValidationError, match="tui"):
        SemanticType(tui="47", name="x")


def test_normalized_triple_extends_triple() -> None:
    base = triple()
    normalized = NormalizedTriple.from_triple(
        base,
        concepts=Concepts(drug=Concept(cui="C0002645", name="Amoxicillin")),
        parsed_dose=ParsedDose(value=500, unit="mg", frequency="tid"),
    )
    assert normalized.drug == base.drug
    assert normalized.concepts.drug is not None
    assert normalized.concepts.drug.cui == "C0002645"
    round_tripped = NormalizedTriple.model_validate_json(normalized.model_dump_json())
    assert round_tripped == normalized
    assert round_tripped.parsed_dose == ParsedDose(value=500.0, unit="mg", frequency="tid")


def test_trusted_records_equal_validated_ones() -> None:
    span = Span(text="rash", start=20, end=24)
    trusted = Span.trusted(text="rash", start=20, end=24, attributes={})
    assert trusted == span
    assert trusted.model_dump_json() == span.model_dump_json()
    assert trusted.model_fields_set == {"text", "start", "end", "attributes"}
    with pytest.raises(TypeError, match="missing \\['attributes'\\]"):
        Span.trusted(text="rash", start=20, end=24)
    with pytest.raises(TypeError, match="unknown \\['attributez'\\]"):
        Span.trusted(text="rash", start=20, end=24, attributez={})
