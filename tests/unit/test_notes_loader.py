from __future__ import annotations

from pathlib import Path

import pytest

from loaders.notes import read_notes
from pvkg.errors import InputError

NOTES = Path(__file__).resolve().parent.parent / "fixtures" / "notes"


def read(path: Path, **options: str) -> tuple[list[tuple[str, str]], list[InputError]]:
    errors: list[InputError] = []
    notes = [(n.id, n.text) for n in read_notes(path, on_error=errors.append, **options)]
    return notes, errors


def test_folder_ids_are_relative_paths_and_bad_files_are_skipped() -> None:
    errors: list[InputError] = []
    notes = list(read_notes(NOTES / "folder", on_error=errors.append))
    assert [n.id for n in notes] == ["2024/progress_7", "discharge_101"]
    progress = notes[0].text
    assert progress.startswith("Warfarin")  # byte-order mark dropped
    assert "\r\n" in progress  # line ends kept: offsets count them
    assert [(Path(str(e.file)).name, e.reason) for e in errors] == [
        ("blank.txt", "note 'blank': empty text"),
        ("latin1.txt", "not UTF-8 (byte 3: invalid continuation byte)"),
    ]


def test_jsonl_extra_keys_go_to_metadata_and_bad_lines_are_reported() -> None:
    errors: list[InputError] = []
    notes = list(read_notes(NOTES / "notes.jsonl", on_error=errors.append))
    assert [n.id for n in notes] == ["n1", "2", "n6"]
    assert notes[0].metadata == {"source": "clinic", "year": 2021}
    assert notes[1].metadata == {"ward": "5B", "author": "np"}
    assert [(e.line, e.reason.split(" (")[0]) for e in errors] == [
        (3, "note 'n3': empty text"),
        (4, "note 'n4': missing or bad 'text'"),
        (5, "invalid JSON"),
        (7, "note 'n1': id already used by an earlier note"),
    ]
    assert all(e.file == str(NOTES / "notes.jsonl") for e in errors)


def test_mimic_iii_noteevents_csv() -> None:
    errors: list[InputError] = []
    notes = list(read_notes(NOTES / "noteevents.csv", on_error=errors.append))
    assert [n.id for n in notes] == ["174", "176"]
    assert notes[0].text.count("\n") == 4  # a multi-line quoted field, read whole
    assert '"resolved"' in notes[0].text
    assert notes[0].metadata == {
        "SUBJECT_ID": "22532",
        "HADM_ID": "167853",
        "CATEGORY": "Discharge summary",
    }
    assert [(e.line, e.reason) for e in errors] == [
        (7, "note '175': empty text"),
        (9, "expected 5 fields, found 2"),
        (10, "not UTF-8"),
    ]


def test_mimic_iv_note_csv_and_named_columns() -> None:
    notes, errors = read(NOTES / "mimic4_note.csv")
    assert notes == [
        ("10000032-DS-21", "Ascites worsened on spironolactone 100 mg daily; no encephalopathy.")
    ]
    assert errors == []
    notes, _ = read(NOTES / "custom_columns.csv", id_field="DOC", text_field="body")
    assert notes == [("d1", "Nausea after cisplatin.")]
    with pytest.raises(InputError, match="header lacks column id or note_id or row_id"):
        list(read_notes(NOTES / "custom_columns.csv"))


def test_huge_csv_fields_are_kept(tmp_path: Path) -> None:
    text = "Rash after aspirin. " * 20_000  # 400 KB, past the csv module's default limit
    path = tmp_path / "big.csv"
    path.write_text(f'note_id,text\nbig,"{text}"\n', encoding="utf-8")
    notes, errors = read(path)
    assert notes == [("big", text)] and errors == []


def test_without_a_handler_the_first_bad_note_raises() -> None:
    with pytest.raises(InputError, match=r"notes\.jsonl:3: note 'n3': empty text"):
        list(read_notes(NOTES / "notes.jsonl"))


def test_unknown_and_missing_paths(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        list(read_notes(tmp_path / "nothing.csv.gz"))
    other = tmp_path / "notes.xml"
    other.write_text("<notes/>", encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown notes format '\.xml'"):
        list(read_notes(other))
