from __future__ import annotations

import json
from pathlib import Path

from loaders import triples_jsonl
from pvkg.errors import InputError
from pvkg.jsonl import write_jsonl
from pvkg.records import ExtractorInfo, Note, Span, Triple


def test_notes_and_triples_make_gold_documents(tmp_path: Path) -> None:
    notes = [Note(id="a", text="Rash after aspirin."), Note(id="b", text="No events.")]
    good = Triple(
        note_id="a",
        drug=Span(text="aspirin", start=11, end=18),
        adverse_event=Span(text="Rash", start=0, end=4),
        extractor=ExtractorInfo(name="gold", version="1"),
    )
    write_jsonl(tmp_path / "notes.jsonl", notes)
    write_jsonl(tmp_path / "triples.jsonl", [good])
    with (tmp_path / "triples.jsonl").open("a", encoding="utf-8") as handle:
        bad = good.model_dump(mode="json") | {"note_id": "b"}
        handle.write(json.dumps(bad) + "\n")  # "aspirin" runs past note b's end
    errors: list[InputError] = []
    first, second = triples_jsonl.iter_documents(
        tmp_path / "triples.jsonl", tmp_path / "notes.jsonl", on_error=errors.append
    )
    assert first.triples == (good,)
    assert {(m.kind, m.span.text) for m in first.mentions} == {
        ("drug", "aspirin"),
        ("adverse_event", "Rash"),
    }
    assert (second.note.id, second.triples) == ("b", ())
    assert [e.line for e in errors] == [2]
    assert "runs past the note end" in errors[0].reason


def test_gold_written_by_other_tools_needs_no_extractor(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "notes.jsonl", [Note(id="a", text="Rash after aspirin.")])
    foreign = {"note_id": "a", "drug": {"text": "aspirin", "start": 11, "end": 18}}
    (tmp_path / "triples.jsonl").write_text(json.dumps(foreign) + "\n", encoding="utf-8")
    (document,) = triples_jsonl.iter_documents(tmp_path / "triples.jsonl", tmp_path / "notes.jsonl")
    assert document.triples[0].extractor == ExtractorInfo(name="gold", version="jsonl")
