"""openEBGM-style CSV loader on the real CAERS file and on broken copies of its format."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.openebgm import read_openebgm_csv
from pvkg.errors import InputError


def test_caers_groups_rows_into_reports(shared_data: Path) -> None:
    reports = list(read_openebgm_csv(shared_data / "openebgm" / "caers.csv"))
    assert len(reports) == 3_356
    assert len({r.id for r in reports}) == 3_356
    first = reports[0]
    assert (first.id, first.source, first.strata) == ("147289", "openebgm", {"strat1": "Female"})
    assert [d.name for d in first.drugs] == ["PREVAGEN"]
    assert len(first.events) == 11


def test_rows_of_one_id_need_not_be_adjacent(tmp_path: Path) -> None:
    path = tmp_path / "raw.csv"
    path.write_text(
        "id,var1,var2,strat_sex,strat_age\n"
        '1,"VITAMIN C, CHEWABLE",NAUSEA,Male,18-64\n'
        "2,KRATOM,SEIZURE,Female,65+\n"
        "1,VITAMIN D,NAUSEA,Male,18-64\n"
        '1,"VITAMIN C, CHEWABLE",RASH,Male,18-64\n',
        encoding="utf-8",
    )
    first, second = read_openebgm_csv(path)
    assert [d.name for d in first.drugs] == ["VITAMIN C, CHEWABLE", "VITAMIN D"]
    assert [e.name for e in first.events] == ["NAUSEA", "RASH"]
    assert first.strata == {"strat_sex": "Male", "strat_age": "18-64"}
    assert second.id == "2"


def test_bad_rows_are_located_and_skipped_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "raw.csv"
    path.write_bytes(
        b"id,var1,var2,strat1\n"
        b"1,ASPIRIN,NAUSEA,Female\n"
        b"2,ASPIRIN\n"
        b"3,,NAUSEA,Male\n"
        b"1,ASPIRIN,RASH,Male\n"
        b"4,CAF\xc9INE,TREMOR,Male\n"
        b"5,KRATOM,SEIZURE,Male\n"
    )
    errors: list[InputError] = []
    reports = list(read_openebgm_csv(path, on_error=errors.append))
    assert [r.id for r in reports] == ["1", "5"]
    assert [e.name for e in reports[0].events] == ["NAUSEA"]
    assert [(e.line, e.reason.split(" ")[0]) for e in errors] == [
        (3, "expected"),
        (4, "empty"),
        (5, "id"),
        (6, "not"),
    ]
    assert str(errors[0]).startswith(f"{path}:3: expected 4 fields, found 2")
    with pytest.raises(InputError, match=r"raw.csv:3: expected 4 fields"):
        list(read_openebgm_csv(path))


def test_missing_columns_files_and_headers_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "raw.csv"
    path.write_text("id,product,event\n1,A,B\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"raw.csv:1: header lacks column\(s\) var1, var2"):
        list(read_openebgm_csv(path))
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty file"):
        list(read_openebgm_csv(path))
    with pytest.raises(InputError, match="cannot open"):
        list(read_openebgm_csv(tmp_path / "absent.csv"))
