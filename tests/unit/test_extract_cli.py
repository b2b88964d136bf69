"""`pvkg extract` on the note fixtures: folder, JSONL, CSV; bad notes skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.notes import read_notes
from pvkg.jsonl import read_jsonl
from pvkg.records import Triple
from tests.conftest import Cli, texts

NOTES = Path(__file__).resolve().parent.parent / "fixtures" / "notes"
TERMS = NOTES / "terms.tsv"


def extracted(source: Path, output: Path) -> dict[str, set[tuple[str, str | None, str | None]]]:
    """Triples by note, checked against their notes as they are read back."""
    notes = {n.id: n for n in read_notes(source, on_error=lambda e: None)}
    found: dict[str, set[tuple[str, str | None, str | None]]] = {}
    for t in read_jsonl(output, Triple, context={"notes": notes}):
        found.setdefault(t.note_id, set()).add(texts(t))
    return found


@pytest.mark.parametrize(
    ("source", "expected", "skipped"),
    [
        (
            "folder",
            {
                "discharge_101": {("vancomycin", "1 g IV q12h", "acute kidney injury")},
                "2024/progress_7": {("Warfarin", "5 mg po daily", "hematuria")},
            },
            ["blank.txt: note 'blank': empty text", "latin1.txt: not UTF-8"],
        ),
        (
            "notes.jsonl",
            {
                "n1": {("Lisinopril", None, "angioedema")},
                "2": {("amoxicillin", "500 mg tid", "Rash")},
                "n6": {("methotrexate", "15 mg weekly", "hepatitis")},
            },
            ["notes.jsonl:3: note 'n3': empty text", "notes.jsonl:5: invalid JSON"],
        ),
        (
            "noteevents.csv",
            {
                "174": {("metoprolol", "50 mg po bid", "hypotension")},
                "176": {("ondansetron", None, "nausea")},
            },
            ["noteevents.csv:7: note '175': empty text", "noteevents.csv:10: not UTF-8"],
        ),
    ],
)
def test_extract_writes_grounded_triples_and_skips_bad_notes(
    cli: Cli,
    tmp_path: Path,
    source: str,
    expected: dict[str, set[tuple[str, str | None, str | None]]],
    skipped: list[str],
) -> None:
    output = tmp_path / "triples.jsonl"
    result = cli("extract", NOTES / source, "-o", output, "--terms", TERMS)
    assert result.exit_code == 0, result.stderr
    assert extracted(NOTES / source, output) == expected
    for line in skipped:
        assert line in result.stderr
    triples = sum(len(v) for v in expected.values())
    assert f"extracted {triples} triples from {len(expected)} notes" in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "triples.jsonl.part").exists()


def test_assertions_reach_the_output(cli: Cli, tmp_path: Path) -> None:
    output = tmp_path / "t.jsonl"
    assert cli("extract", NOTES / "notes.jsonl", "-o", output, "--terms", TERMS).exit_code == 0
    assertions = {t.note_id: t.assertion for t in read_jsonl(output, Triple)}
    assert assertions == {"n1": "present", "2": "present", "n6": "speculated"}
    csv_out = tmp_path / "c.jsonl"
    assert cli("extract", NOTES / "noteevents.csv", "-o", csv_out, "--terms", TERMS).exit_code == 0
    assert {t.note_id: t.assertion for t in read_jsonl(csv_out, Triple)}["176"] == "negated"


def test_named_csv_columns(cli: Cli, tmp_path: Path) -> None:
    output = tmp_path / "t.jsonl"
    args = ("--id-column", "doc", "--text-column", "BODY", "--terms", TERMS)
    result = cli("extract", NOTES / "custom_columns.csv", "-o", output, *args)
    assert result.exit_code == 0, result.stderr
    triples = list(read_jsonl(output, Triple))
    assert [
        (t.note_id, t.drug.text, t.adverse_event and t.adverse_event.text) for t in triples
    ] == [("d1", "cisplatin", "Nausea")]
    missing = cli("extract", NOTES / "custom_columns.csv", "-o", output, "--terms", TERMS)
    assert missing.exit_code == 1
    assert "header lacks column id or note_id or row_id" in missing.stderr
    assert "hint: name the columns with --id-column and --text-column" in missing.stderr
    assert "Traceback" not in missing.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ((), 2, "error: the rule extractor needs terms"),
        (("--terms", TERMS, "-t", NOTES), 1, "not a terminology index"),
        (("--terms", NOTES / "missing.tsv"), 1, "missing.tsv: cannot open"),
        (("--extractor", "llm"), 2, "error: no LLM to extract with"),
    ],
)
def test_bad_options_fail_in_one_line(
    cli: Cli, tmp_path: Path, args: tuple[str | Path, ...], code: int, message: str
) -> None:
    output = tmp_path / "t.jsonl"
    result = cli("extract", NOTES / "folder", "-o", output, *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not output.exists()
