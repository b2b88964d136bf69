from __future__ import annotations

from pathlib import Path

import pytest

from loaders import brat
from pvkg.errors import InputError
from pvkg.gold import GoldDocument, span_fragments
from tests.conftest import summary

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "brat"


@pytest.fixture(scope="module")
def documents() -> dict[str, GoldDocument]:
    return {d.note.id: d for d in brat.iter_documents(FIXTURES)}


def test_relations_become_triples(documents: dict[str, GoldDocument]) -> None:
    assert sorted(documents) == ["crlf_note", "discharge_101"]
    assert summary(documents["discharge_101"]) == [
        ("lisinopril", "10 mg", "dry cough", "present"),
        ("lisinopril", "10 mg", "swelling of the lips and tongue", "present"),
        ("amoxicillin", "500 mg", "rash", "negated"),
    ]


def test_discontinuous_entity_keeps_its_fragments(documents: dict[str, GoldDocument]) -> None:
    event = documents["discharge_101"].triples[1].adverse_event
    assert event is not None
    assert span_fragments(event) == ((87, 95), (112, 118))
    text = documents["discharge_101"].note.text
    assert [text[s:e] for s, e in span_fragments(event)] == ["swelling", "tongue"]


def test_mentions_include_unrelated_entities_and_skip_unmapped_types(
    documents: dict[str, GoldDocument],
) -> None:
    mentions = {(m.kind, m.span.text) for m in documents["discharge_101"].mentions}
    assert ("drug", "Aspirin") in mentions
    assert ("adverse_event", "swelling of the lips") in mentions
    assert ("frequency", "daily") in mentions
    assert not any(text == "hypertension" for _, text in mentions)  # Reason: not mapped
    assert len(mentions) == 10


def test_offsets_count_crlf_line_endings(documents: dict[str, GoldDocument]) -> None:
    (triple,) = documents["crlf_note"].triples
    assert (triple.adverse_event and triple.adverse_event.start, triple.drug.start) == (11, 22)
    assert documents["crlf_note"].note.text.count("\r\n") == 2


def test_custom_schema(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Tremor on valproate.", encoding="utf-8")
    (tmp_path / "a.ann").write_text(
        "T1\tMedication 10 19\tvalproate\nT2\tSideEffect 0 6\tTremor\n"
        "R1\tCausedBy Arg1:T2 Arg2:T1\nA1\tAssertion T2 speculated\n",
        encoding="utf-8",
    )
    schema = brat.BratSchema(
        entities={"Medication": "drug", "SideEffect": "adverse_event"},
        adverse_relations=frozenset({"CausedBy"}),
    )
    (document,) = brat.iter_documents(tmp_path / "a.ann", schema=schema)
    assert document.note.id == "a"
    assert summary(document) == [("valproate", None, "Tremor", "speculated")]


def test_bad_lines_are_reported_with_line_numbers(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("Rash after aspirin.", encoding="utf-8")
    (tmp_path / "b.ann").write_text(
        "T1\tADE 0 4\tRash\n"
        "T2\tDrug 11 18\taspirin\n"
        "T3\tDrug 0 4\tRush\n"
        "T4\tDrug 11 99\taspirin\n"
        "R1\tADE-Drug Arg1:T1 Arg2:T9\n"
        "R2\tADE-Drug Arg1:T2 Arg2:T2\n"
        "R3\tADE-Drug Arg1:T1 Arg2:T2\n"
        "X1\tsomething\n",
        encoding="utf-8",
    )
    errors: list[InputError] = []
    (document,) = brat.iter_documents(tmp_path, on_error=errors.append)
    assert [(e.line, e.reason) for e in errors] == [
        (3, "T3 is 'Rash' in the text, not 'Rush'"),
        (4, "T4 '11 99' runs past the end of the text (19)"),
        (8, "unknown annotation id 'X1'"),
        (5, "relation ADE-Drug names unknown entities T9"),
        (6, "relation ADE-Drug does not link a drug to a adverse_event mention"),
    ]
    assert summary(document) == [("aspirin", None, "Rash", "present")]


def test_missing_text_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "c.ann").write_text("T1\tDrug 0 4\tRash\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"c\.txt: cannot open"):
        list(brat.iter_documents(tmp_path))
