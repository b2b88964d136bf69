from __future__ import annotations

import json
from pathlib import Path

import pytest

from loaders import labelstudio
from pvkg.errors import InputError
from tests.conftest import summary

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "labelstudio" / "export.json"


def test_import_annotations() -> None:
    first, second = labelstudio.iter_documents(FIXTURE)
    # data.note_id names the first note; the second falls back to the task id.
    assert (first.note.id, second.note.id) == ("case-1", "12")
    assert summary(first) == [("acetaminophen", "4 g/day", "hepatotoxicity", "present")]
    # The cancelled annotation is skipped; ibuprofen is a mention without relations.
    assert {(m.kind, m.span.text) for m in first.mentions} == {
        ("drug", "acetaminophen"),
        ("drug", "ibuprofen"),
        ("dose", "4 g/day"),
        ("adverse_event", "hepatotoxicity"),
    }
    assert summary(second) == [("amoxicillin", None, "rash", "negated")]


def test_export_predictions_round_trip(tmp_path: Path) -> None:
    documents = list(labelstudio.iter_documents(FIXTURE))
    notes = [d.note for d in documents]
    triples = [t for d in documents for t in d.triples]
    path = tmp_path / "tasks.json"
    assert labelstudio.write_tasks(path, labelstudio.iter_tasks(notes, triples)) == 2
    tasks = json.loads(path.read_text(encoding="utf-8"))
    results = tasks[1]["predictions"][0]["result"]
    assert [r["type"] for r in results] == ["labels", "labels", "relation", "choices"]
    assert tasks[1]["data"] == {"text": notes[1].text, "note_id": "12"}
    back = list(labelstudio.iter_documents(path, source="predictions"))
    assert [d.note.id for d in back] == ["case-1", "12"]
    assert [summary(d) for d in back] == [summary(d) for d in documents]


def test_misplaced_region_is_reported(tmp_path: Path) -> None:
    task = {
        "id": 5,
        "data": {"text": "Rash after aspirin."},
        "annotations": [
            {
                "result": [
                    {
                        "id": "r1",
                        "type": "labels",
                        "value": {"start": 0, "end": 4, "text": "Rush", "labels": ["ADE"]},
                    },
                    {
                        "id": "r2",
                        "type": "labels",
                        "value": {"start": 11, "end": 18, "text": "aspirin", "labels": ["Drug"]},
                    },
                ]
            }
        ],
    }
    path = tmp_path / "export.json"
    path.write_text(json.dumps([task, {"data": {}}]), encoding="utf-8")
    errors: list[InputError] = []
    (document,) = labelstudio.iter_documents(path, on_error=errors.append)
    assert [m.span.text for m in document.mentions] == ["aspirin"]
    assert [e.reason for e in errors] == [
        "task 1: region r1 0:4 is not 'Rush' in the text",
        "task 2: not a Label Studio task (KeyError: 'text')",
    ]
    path.write_text('{"not": "a list"}', encoding="utf-8")
    with pytest.raises(InputError, match="expected a list of tasks"):
        list(labelstudio.iter_documents(path))
