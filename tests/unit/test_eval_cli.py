"""`pvkg eval` on real ADE-corpus rows of three abstracts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.conftest import Cli

PMIDS = ("10102531", "10190739", "10327035")
FILES = ("DRUG-AE.rel", "DRUG-DOSE.rel", "ADE-NEG.txt")


@pytest.fixture(scope="module")
def corpus(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rows of three PubMed abstracts, cut from the shared corpus files."""
    folder = tmp_path_factory.mktemp("ade")
    for name in FILES:
        lines = (shared_data / "ade_corpus_v2" / name).read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if line.split("|")[0].split(" ")[0] in PMIDS]
        (folder / name).write_text("\n".join(kept) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def exported(cli: Cli, corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("export")
    notes, triples = out / "notes.jsonl", out / "gold.jsonl"
    result = cli("eval", "--gold", corpus, "--export-notes", notes, "--export-triples", triples)
    assert result.exit_code == 0, result.stderr
    assert "wrote 19 notes and 7 gold triples" in result.stderr
    return notes, triples


def scores(result: Result, mode: str) -> dict[str, tuple[int, ...]]:
    assert result.exit_code == 0, result.stderr
    numbers = json.loads(result.stdout)
    section = numbers[mode]
    found: dict[str, tuple[int, ...]] = {
        k: (v["tp"], v["fp"], v["fn"]) for k, v in section["types"].items()
    }
    for name in ("entities", "relations"):
        found[name] = (section[name]["tp"], section[name]["fp"], section[name]["fn"])
    return found


def test_gold_as_predictions_scores_one(
    cli: Cli, corpus: Path, exported: tuple[Path, Path]
) -> None:
    _, gold = exported
    result = cli("eval", "--gold", corpus, "--pred", gold, "--json")
    numbers = json.loads(result.stdout)
    assert numbers["documents"] == 19
    for mode in ("strict", "lenient"):
        for name, score in numbers[mode]["types"].items():
            assert (score["precision"], score["recall"], score["f1"]) == (1.0, 1.0, 1.0), name
        assert numbers[mode]["assertion"]["accuracy"] == 1.0
    assert scores(result, "strict")["entities"] == (14, 0, 0)
    assert scores(result, "strict")["relations"] == (8, 0, 0)
    assert result.stderr == ""


def perturb(notes: Path, gold: Path, out: Path) -> None:
    """Drop one triple, widen one event, add a spurious one, flip an assertion, lose a dose."""
    text = {n["id"]: n["text"] for n in map(json.loads, notes.read_text().splitlines())}
    triples = [json.loads(line) for line in gold.read_text().splitlines()]
    kept = []
    for t in triples:
        if t["drug"]["text"] == "idarubicin":
            continue
        if t["note_id"] == "10190739:2":
            start = text["10190739:2"].index("acute hepatitis")
            t["adverse_event"] = {"text": "acute hepatitis", "start": start, "end": start + 15}
        if t["drug"]["text"] == "MTX":
            t["assertion"] = "negated"
        if t["drug"]["text"] == "methotrexate":
            t["dose"] = None
        kept.append(t)
    (note_id,) = [i for i, s in text.items() if s.startswith("Liver enzymes returned")]
    sentence = text[note_id]
    spurious = {
        "note_id": note_id,
        "drug": {"text": "riluzole", "start": sentence.index("riluzole"), "end": 0},
        "adverse_event": {"text": "Liver enzymes", "start": 0, "end": 13},
        "extractor": {"name": "rules", "version": "1"},
    }
    spurious["drug"]["end"] = spurious["drug"]["start"] + 8
    out.write_text("".join(json.dumps(t) + "\n" for t in [*kept, spurious]), encoding="utf-8")


def test_perturbed_predictions_give_hand_checked_scores(
    cli: Cli, corpus: Path, exported: tuple[Path, Path], tmp_path: Path
) -> None:
    notes, gold = exported
    predictions = tmp_path / "pred.jsonl"
    perturb(notes, gold, predictions)
    report = tmp_path / "report.md"
    strict = cli("eval", "--gold", corpus, "--pred", predictions, "--json", "--report", report)
    # Gold: 7 drugs, 1 dose, 6 events; 7 drug-event and 1 drug-dose relations.
    assert scores(strict, "strict") == {
        "drug": (6, 1, 1),  # idarubicin missed, riluzole in a negative sentence spurious
        "dose": (0, 0, 1),
        "adverse_event": (5, 2, 1),  # "acute hepatitis" and "Liver enzymes" spurious
        "drug-adverse_event": (5, 2, 2),
        "drug-dose": (0, 0, 1),
        "entities": (11, 3, 3),
        "relations": (5, 2, 3),
    }
    assert scores(strict, "lenient") == {
        "drug": (6, 1, 1),
        "dose": (0, 0, 1),
        "adverse_event": (6, 1, 0),  # "acute hepatitis" overlaps "hepatitis"
        "drug-adverse_event": (6, 1, 1),
        "drug-dose": (0, 0, 1),
        "entities": (12, 2, 2),
        "relations": (6, 1, 2),
    }
    numbers = json.loads(strict.stdout)
    assert numbers["strict"]["types"]["drug"]["precision"] == pytest.approx(6 / 7)
    assert numbers["strict"]["types"]["adverse_event"]["recall"] == pytest.approx(5 / 6)
    assert numbers["strict"]["types"]["drug-dose"]["f1"] == 0.0
    # MTX's neurotoxicity is negated in the predictions only.
    assert numbers["strict"]["assertion"]["accuracy"] == pytest.approx(4 / 5)
    assert numbers["lenient"]["assertion"]["accuracy"] == pytest.approx(5 / 6)
    markdown = report.read_text(encoding="utf-8")
    assert "| drug-adverse_event | 5 | 2 | 2 | 0.714 | 0.714 | 0.714 |" in markdown
    assert "- missed drug: `idarubicin`" in markdown
    assert "- spurious adverse_event: `acute hepatitis` [50-65] (boundary)" in markdown
    assert "- assertion adverse_event: `neurotoxicity`" in markdown
    assert "(gold present, predicted negated)" in markdown

    table = cli("eval", "--gold", corpus, "--pred", predictions)
    assert table.exit_code == 0, table.stderr
    assert "drug-adverse_event" in table.stdout
    assert "0.714/0.714/0.714" in table.stdout


def test_bad_prediction_lines_are_reported_not_fatal(
    cli: Cli, corpus: Path, exported: tuple[Path, Path], tmp_path: Path
) -> None:
    _, gold = exported
    predictions = tmp_path / "pred.jsonl"
    predictions.write_text(gold.read_text() + "{not json\n", encoding="utf-8")
    result = cli("eval", "--gold", corpus, "--pred", predictions, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["strict"]["relations"]["f1"] == 1.0
    assert f"{predictions}:8: invalid JSON" in result.stderr


def test_unknown_note_ids_fail_with_a_hint(cli: Cli, corpus: Path, tmp_path: Path) -> None:
    predictions = tmp_path / "pred.jsonl"
    predictions.write_text(
        json.dumps(
            {
                "note_id": "10102531_1",
                "drug": {"text": "BH-AC", "start": 24, "end": 29},
                "extractor": {"name": "rules", "version": "1"},
            }
        )
        + "\n",
        encoding="utf-8",
    )
    result = cli("eval", "--gold", corpus, "--pred", predictions)
    assert (result.exit_code, result.stdout) == (1, "")
    assert "none of the 1 predicted triples fits a gold note" in result.stderr
    assert "hint: predicted note ids must be the gold loader's" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ((), 2, "error: nothing to do"),
        (("--pred", "x.jsonl", "--notes", "n.jsonl"), 2, "--notes goes with --format jsonl only"),
        (("--format", "jsonl", "--pred", "x.jsonl"), 2, "needs the notes its triples point into"),
    ],
)
def test_option_errors_are_one_line(
    cli: Cli, corpus: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    result = cli("eval", "--gold", corpus, *args)
    assert (result.exit_code, result.stdout) == (code, "")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # the error and its hint


def test_missing_gold_is_an_input_error(cli: Cli, tmp_path: Path) -> None:
    result = cli("eval", "--gold", tmp_path / "absent", "--pred", tmp_path / "x.jsonl")
    assert result.exit_code == 1
    assert "absent: no such file or folder" in result.stderr


def test_gold_in_pvkg_jsonl_format(cli: Cli, exported: tuple[Path, Path]) -> None:
    notes, gold = exported
    args = ("--format", "jsonl", "--notes", notes, "--pred", gold, "--json")
    result = cli("eval", "--gold", gold, *args)
    assert result.exit_code == 0
    numbers: dict[str, Any] = json.loads(result.stdout)
    assert numbers["format"] == "jsonl"
    assert numbers["documents"] == 19
    assert numbers["strict"]["relations"]["tp"] == 8
    assert numbers["lenient"]["entities"]["f1"] == 1.0


NOTE = {"id": "a", "text": "Rash after aspirin."}
GOLD_TRIPLE = {
    "note_id": "a",
    "drug": {"text": "aspirin", "start": 11, "end": 18},
    "adverse_event": {"text": "Rash", "start": 0, "end": 4},
}
RULES = {"name": "rules", "version": "1"}


def write(path: Path, *records: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def jsonl_gold(folder: Path, *triples: dict[str, Any]) -> tuple[str | Path, ...]:
    """`pvkg eval` options for pvkg-format gold of one note with `triples`."""
    notes = write(folder / "notes.jsonl", NOTE)
    gold = write(folder / "gold.jsonl", *triples)
    return ("--gold", gold, "--format", "jsonl", "--notes", notes)


def one_line_error(err: str, message: str) -> None:
    assert message in err
    assert len(err.strip().splitlines()) == 2  # the error and its hint


def test_empty_gold_file_is_an_error(cli: Cli, tmp_path: Path) -> None:
    gold = tmp_path / "phee.jsonl"
    gold.write_text("", encoding="utf-8")
    pred = write(tmp_path / "pred.jsonl", GOLD_TRIPLE | {"extractor": RULES})
    result = cli("eval", "--gold", gold, "--format", "phee", "--pred", pred)
    assert (result.exit_code, result.stdout) == (1, "")
    one_line_error(result.stderr, f"error: {gold}: no gold documents could be read\n")
    assert "hint: check that the path holds phee gold" in result.stderr


def test_gold_with_no_readable_document_is_an_error(cli: Cli, tmp_path: Path) -> None:
    gold = tmp_path / "brat"
    gold.mkdir()
    (gold / "a.ann").write_text("T1\tDrug 11 18\taspirin\n", encoding="utf-8")  # no a.txt
    pred = write(tmp_path / "pred.jsonl", GOLD_TRIPLE | {"extractor": RULES})
    result = cli("eval", "--gold", gold, "--pred", pred)
    assert (result.exit_code, result.stdout) == (1, "")
    err = result.stderr
    one_line_error(err, f"error: {gold}: no gold documents could be read (1 input problems")
    assert "a.txt: cannot open" in err
    assert "hint: the format was guessed as brat; name it with --format" in err


def test_empty_notes_of_jsonl_gold_are_named(cli: Cli, tmp_path: Path) -> None:
    options = jsonl_gold(tmp_path, GOLD_TRIPLE)
    notes = write(tmp_path / "notes.jsonl")
    result = cli("eval", *options, "--pred", options[1])
    assert result.exit_code == 1
    one_line_error(result.stderr, f"error: {notes}: no gold documents could be read")


def test_empty_prediction_file_is_an_error(cli: Cli, tmp_path: Path) -> None:
    pred = tmp_path / "pred.jsonl"
    pred.write_text("\n", encoding="utf-8")
    result = cli("eval", *jsonl_gold(tmp_path, GOLD_TRIPLE), "--pred", pred, "--json")
    assert (result.exit_code, result.stdout) == (1, "")
    one_line_error(
        result.stderr, f"error: {pred}: no predicted triples could be read: the file is empty"
    )


@pytest.mark.parametrize(
    ("gold_extractor", "pred_extractor"), [(None, RULES), (RULES, None), (None, None)]
)
def test_gold_and_predictions_need_no_extractor(
    cli: Cli,
    tmp_path: Path,
    gold_extractor: dict[str, str] | None,
    pred_extractor: dict[str, str] | None,
) -> None:
    def triple(extractor: dict[str, str] | None) -> dict[str, Any]:
        return GOLD_TRIPLE if extractor is None else GOLD_TRIPLE | {"extractor": extractor}

    pred = write(tmp_path / "pred.jsonl", triple(pred_extractor))
    options = jsonl_gold(tmp_path, triple(gold_extractor))
    result = cli("eval", *options, "--pred", pred, "--json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout)["strict"]["relations"]["tp"] == 1


def test_unknown_prediction_fields_are_still_rejected(cli: Cli, tmp_path: Path) -> None:
    pred = write(tmp_path / "pred.jsonl", GOLD_TRIPLE | {"score": 0.9})
    result = cli("eval", *jsonl_gold(tmp_path, GOLD_TRIPLE), "--pred", pred)
    assert result.exit_code == 1
    assert "score: Extra inputs are not permitted" in result.stderr


def test_types_with_nothing_to_find_or_found_print_n_a(cli: Cli, tmp_path: Path) -> None:
    # The right drug with the wrong event; nobody gives a dose.
    wrong = GOLD_TRIPLE | {"adverse_event": {"text": "after", "start": 5, "end": 10}}
    pred = write(tmp_path / "pred.jsonl", wrong)
    options = (*jsonl_gold(tmp_path, GOLD_TRIPLE), "--pred", pred)
    report = tmp_path / "report.md"
    result = cli("eval", *options, "--json", "--report", report)
    assert result.exit_code == 0
    strict = json.loads(result.stdout)["strict"]
    for name in ("dose", "drug-dose"):
        assert strict["types"][name] == {
            "tp": 0,
            "fp": 0,
            "fn": 0,
            "precision": None,
            "recall": None,
            "f1": None,
        }
    # Micro scores add up counts, so the empty dose type changes nothing: 1 of 2 either way.
    entities = strict["entities"]
    assert (entities["tp"], entities["fp"], entities["fn"], entities["f1"]) == (1, 1, 1, 0.5)
    markdown = report.read_text(encoding="utf-8")
    assert "| dose | 0 | 0 | 0 | n/a | n/a | n/a |" in markdown
    assert "| entities (micro) | 1 | 1 | 1 | 0.500 | 0.500 | 0.500 |" in markdown

    table = cli("eval", *options)
    assert table.exit_code == 0
    (dose_row,) = [line for line in table.stdout.splitlines() if " dose " in line]
    assert [cell.strip() for cell in dose_row.split("│")][1:-1] == ["dose", "0", "0", "n/a", "n/a"]
