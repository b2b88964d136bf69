"""FAERS loaders: FDA's quarterly ASCII layout (fixture) and DiAna's cleaned sample tables."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from kg.reference_counts import count_pairs
from loaders.faers import AsciiQuarter, ascii_quarter, read_diana_tables, read_faers_ascii
from pvkg.errors import ConfigError, InputError
from pvkg.records import CaseReport
from tests.faers_quarters import FIXTURE, broken_quarter


def test_fda_quarter_joins_demo_drug_and_reac() -> None:
    reports = {r.id: r for r in read_faers_ascii(FIXTURE)}
    assert list(reports) == ["100000011", "100000022", "100000033", "100000044", "100000055"]
    first = reports["100000011"]
    assert (first.source, first.sex, first.age) == ("faers", "F", 63.0)
    assert [(d.name, d.role) for d in first.drugs] == [
        ("TYLENOL EXTRA STRENGTH", "PS"),
        ("LISINOPRIL", "C"),
    ]
    assert [e.name for e in first.events] == ["Hepatotoxicity", "Nausea"]
    # Latin-1 bytes in FDA's file decode; a repeated drug row counts once.
    assert reports["100000022"].drugs[0].name == "ASPIRINE (ACIDE ACÉTYLSALICYLIQUE)"
    assert [d.name for d in reports["100000033"].drugs] == ["AMOXICILLIN", "TYLENOL"]
    assert (reports["100000033"].sex, reports["100000033"].age) == (None, 1.5)
    assert (reports["100000044"].sex, reports["100000044"].age) == ("UNK", None)


def test_roles_and_active_ingredients() -> None:
    reports = {
        r.id: r
        for r in read_faers_ascii(FIXTURE / "ASCII", roles={"ps", "SS"}, active_ingredient=True)
    }
    assert len(reports) == 5  # reports keep their place in the background without suspects
    assert reports["100000044"].drugs == ()
    assert [d.name for d in reports["100000011"].drugs] == ["ACETAMINOPHEN"]
    assert [d.name for d in reports["100000022"].drugs] == ["ASPIRIN", "IBUPROFEN"]
    assert [d.name for d in reports["100000055"].drugs] == ["COUMADIN"]  # no prod_ai given
    counts = {(p.drug, p.event): p for p in count_pairs(reports.values())}
    nausea = counts["ACETAMINOPHEN", "Nausea"]
    assert (nausea.a, nausea.n_drug, nausea.n_event, nausea.n_reports) == (1, 1, 3, 5)
    with pytest.raises(ConfigError, match="unknown drug role"):
        read_faers_ascii(FIXTURE, roles={"PS", "suspect"})


def test_bad_lines_are_located_and_skipped_when_asked(tmp_path: Path) -> None:
    folder = broken_quarter(tmp_path)
    errors: list[InputError] = []
    reports = list(read_faers_ascii(folder, on_error=errors.append))
    assert [r.id for r in reports][-1] == "100000055"
    assert len(reports) == 5
    assert [(Path(e.file or "").name, e.line, e.reason) for e in errors] == [
        ("DRUG24Q1.txt", 11, "unknown role_cod 'XX'"),
        ("DRUG24Q1.txt", 12, "expected 20 fields, found 5"),
        ("REAC24Q1.txt", 10, "empty pt"),
        ("DEMO24Q1.txt", 7, "unknown age unit 'CENTURY'"),
        ("DEMO24Q1.txt", 8, "primaryid 100000011 repeats"),
        ("DEMO24Q1.txt", 9, "primaryid '10000007X' is not a number"),
        ("REAC24Q1.txt", 9, "primaryid 100000099 has no demographics row"),
    ]
    with pytest.raises(InputError, match=r"DRUG24Q1.txt:11: unknown role_cod"):
        list(read_faers_ascii(folder))


def test_legacy_trailing_dollar_and_missing_tables(tmp_path: Path) -> None:
    folder = tmp_path / "q"
    shutil.copytree(FIXTURE / "ASCII", folder)
    reac = folder / "REAC24Q1.txt"
    reac.write_bytes(reac.read_bytes().replace(b"\r\n", b"$\r\n"))
    reports = list(read_faers_ascii(folder))
    assert [e.name for e in reports[0].events] == ["Hepatotoxicity", "Nausea"]
    reac.unlink()
    with pytest.raises(InputError, match=r"expected one REACyyQq\.txt file, found 0"):
        read_faers_ascii(folder)


def test_diana_sample_tables(shared_data: Path) -> None:
    reports = list(read_diana_tables(shared_data / "faers_sample"))
    assert len(reports) == 1_000
    first = next(r for r in reports if r.id == "4329569")
    assert first.sex == "F"
    assert [(d.name, d.role) for d in first.drugs] == [
        ("ethinylestradiol", "PS"),
        ("norelgestromin", "PS"),
    ]
    assert [e.name for e in first.events] == ["oligomenorrhoea"]
    aged = next(r for r in reports if r.age is not None)
    assert aged.age == pytest.approx(60.0)  # age_in_days 21900
    suspects = list(read_diana_tables(shared_data / "faers_sample", roles={"PS", "SS"}))
    assert all(d.role in {"PS", "SS"} for r in suspects for d in r.drugs)
    assert sum(len(r.drugs) for r in suspects) < sum(len(r.drugs) for r in reports)


def _pieces(quarter: AsciiQuarter, errors: list[InputError]) -> list[tuple[int, CaseReport]]:
    """`quarter` read as an engine that splits files reads it: lines in shuffled chunks,
    items grouped by primaryid in any order, then joined."""
    rng = random.Random(7)
    grouped: dict[str, list[tuple[int, int, tuple[str, ...] | None]]] = {}
    for table, path in enumerate(quarter.files):
        lines = list(enumerate(path.read_bytes().splitlines(), start=1))[1:]
        rng.shuffle(lines)
        for report_id, line_no, item in quarter.items(table, lines, errors.append):
            grouped.setdefault(report_id, []).append((table, line_no, item))
    keys = list(grouped)
    rng.shuffle(keys)
    cases = [quarter.case(key, grouped[key], errors.append) for key in keys]
    return sorted(case for case in cases if case is not None)


def test_a_quarter_read_in_pieces_gives_the_same_reports_and_problems(tmp_path: Path) -> None:
    folder = broken_quarter(tmp_path)
    streamed_errors: list[InputError] = []
    streamed = list(read_faers_ascii(folder, on_error=streamed_errors.append))
    errors: list[InputError] = []
    pieces = _pieces(ascii_quarter(folder), errors)
    assert [case for _, case in pieces] == streamed
    assert [line for line, _ in pieces] == [2, 3, 4, 5, 6]  # each report's demographics line
    assert sorted(map(str, errors)) == sorted(map(str, streamed_errors))
    suspects = ascii_quarter(FIXTURE, roles={"PS"}, active_ingredient=True)
    expected = list(read_faers_ascii(FIXTURE, roles={"PS"}, active_ingredient=True))
    assert [case for _, case in _pieces(suspects, [])] == expected
    with pytest.raises(InputError, match="header lacks column"):
        (folder / "REAC24Q1.txt").write_bytes(b"primaryid$caseid$drug_rec_act\r\n")
        ascii_quarter(folder)
