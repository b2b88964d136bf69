from __future__ import annotations

from pathlib import Path

import pytest

from pvkg.errors import InputError
from pvkg.jsonl import read_jsonl, write_jsonl
from pvkg.records import ExtractorInfo, Note, Span, Triple


def test_round_trip_through_a_file(tmp_path: Path) -> None:
    notes = [Note(id=f"n{i}", text=f"note {i}", metadata={"i": i}) for i in range(3)]
    path = tmp_path / "notes.jsonl"
    assert write_jsonl(path, notes) == 3
    assert list(read_jsonl(path, Note)) == notes


def test_bad_lines_are_located_and_skipped_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_bytes(
        b'{"id": "a", "text": "ok"}\n'
        b"\n"
        b"{not json\n"
        b'{"id": "b", "text": "ok", "colour": "red"}\n'
        b'{"id": "c", "text": "caf\xe9"}\n'
        b'{"id": "d", "text": "fine"}\n'
    )
    errors: list[InputError] = []
    notes = list(read_jsonl(path, Note, on_error=errors.append))
    assert [n.id for n in notes] == ["a", "d"]
    assert [(e.line, e.reason.split(" ")[0]) for e in errors] == [
        (3, "invalid"),
        (4, "invalid"),
        (5, "not"),
    ]
    assert "colour: Extra inputs are not permitted" in errors[1].reason
    assert str(errors[0]).startswith(f"{path}:3: invalid JSON")


def test_first_bad_line_raises_without_handler(tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_text('{"id": "a", "text": "ok"}\n{"id": ""}\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        list(read_jsonl(path, Note))
    assert info.value.line == 2
    assert "id: String should have at least 1 character" in info.value.reason


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot open"):
        list(read_jsonl(tmp_path / "absent.jsonl", Note))


def test_triples_checked_against_notes_while_reading(tmp_path: Path) -> None:
    note = Note(id="n1", text="Nausea after cisplatin.")
    rules = ExtractorInfo(name="rules", version="1")
    good = Triple(
        note_id="n1",
        drug=Span(text="cisplatin", start=13, end=22),
        adverse_event=Span(text="Nausea", start=0, end=6),
        extractor=rules,
    )
    bad = good.model_copy(update={"drug": Span(text="cisplatin", start=12, end=21)})
    path = tmp_path / "triples.jsonl"
    write_jsonl(path, [good, bad])
    errors: list[InputError] = []
    triples = list(
        read_jsonl(path, Triple, on_error=errors.append, context={"notes": {"n1": note}})
    )
    assert triples == [good]
    assert errors[0].line == 2
    assert "drug: span 12:21" in errors[0].reason


def test_defaults_fill_only_fields_a_line_leaves_out(tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_text(
        '{"id": "a", "text": "x"}\n{"id": "b", "text": "y", "metadata": {"k": 1}}\n'
        '{"id": "c", "text": "z", "extra": 1}\n',
        encoding="utf-8",
    )
    errors: list[InputError] = []
    notes = list(read_jsonl(path, Note, on_error=errors.append, defaults={"metadata": {"k": 0}}))
    assert [n.metadata for n in notes] == [{"k": 0}, {"k": 1}]
    assert [e.line for e in errors] == [3]  # unknown fields are still rejected
