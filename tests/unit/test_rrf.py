"""Streaming RRF readers: layouts, filters, malformed lines, missing files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from loaders._mrfiles import CONSO, columns_for, read_mrfiles
from loaders.release import find_release
from loaders.rrf import AtomFilter, ErrorBudget, read_conso, read_rel, read_sab, read_sty
from pvkg.errors import InputError, TerminologyError
from tests.conftest import FIXTURES

UMLS = FIXTURES / "umls"


def _copy_umls(tmp_path: Path) -> Path:
    target = tmp_path / "META"
    shutil.copytree(UMLS, target)
    return target


def test_layout_comes_from_mrfiles_and_matches_the_documented_one() -> None:
    declared = read_mrfiles(UMLS / "MRFILES.RRF")
    assert declared["MRCONSO.RRF"] == CONSO
    assert columns_for(UMLS / "MRREL.RRF")[7] == "RELA"


def test_mrfiles_column_order_is_followed(tmp_path: Path) -> None:
    (tmp_path / "MRSTY.RRF").write_text("T047|C0020538|Disease or Syndrome|\n", encoding="utf-8")
    (tmp_path / "MRFILES.RRF").write_text("MRSTY.RRF|types|TUI,CUI,STY|3|1|40|\n", encoding="utf-8")
    (row,) = read_sty(tmp_path / "MRSTY.RRF", ErrorBudget())
    assert (row.cui, row.tui, row.sty) == ("C0020538", "T047", "Disease or Syndrome")


def test_default_filter_keeps_english_unsuppressed_atoms() -> None:
    atoms = list(read_conso(UMLS / "MRCONSO.RRF", ErrorBudget()))
    texts = {a.text for a in atoms}
    assert "Hypotension" in texts
    assert "Hypotonie" not in texts  # GER
    assert "Hypotension NOS" not in texts  # SUPPRESS=Y
    assert {a.lat for a in atoms} == {"ENG"} and not {a.suppress for a in atoms} & {"O", "E", "Y"}


def test_source_and_language_filters() -> None:
    keep = AtomFilter(languages=None, sources=frozenset({"MSH"}), suppressed=frozenset())
    atoms = list(read_conso(UMLS / "MRCONSO.RRF", ErrorBudget(), keep))
    assert {a.sab for a in atoms} == {"MSH"}
    assert "Hypotonie" in {a.text for a in atoms}


def test_relations_and_sources_read() -> None:
    rels = list(read_rel(UMLS / "MRREL.RRF", ErrorBudget(), relas=frozenset({"tradename_of"})))
    assert [(r.cui1, r.cui2, r.rela) for r in rels] == [("C0000970", "C0699142", "tradename_of")]
    assert {s.rsab for s in read_sab(UMLS / "MRSAB.RRF", ErrorBudget())} >= {"MDR", "RXNORM"}


def test_real_rxnorm_rows(shared_data: Path) -> None:
    path = shared_data / "rxnorm_sample" / "RXNCONSO.RRF"
    everything = AtomFilter(languages=None, suppressed=frozenset())
    all_rows = list(read_conso(path, ErrorBudget(), everything))
    kept = list(read_conso(path, ErrorBudget()))
    assert len(all_rows) == 156
    assert ("1191", "IN", "aspirin") in {(a.cui, a.tty, a.text) for a in kept}
    assert "Platinol" not in {a.text for a in kept}  # obsolete: SUPPRESS=O
    assert 0 < len(kept) < len(all_rows)


def _bad_conso(tmp_path: Path) -> Path:
    meta = _copy_umls(tmp_path)
    good = (meta / "MRCONSO.RRF").read_bytes()
    bad = (
        good
        + b"C0000001|ENG|P|L1|PF|S1|Y|A1||||MSH|MH|D1|too few fields|\n"
        + b"C0000002|ENG|P|L2|PF|S2|Y|A2|||D2|MSH|MH|D2|bad \xff byte|0|N|256|\n"
        + b"C0000003|ENG|P|L3|PF|S3|Y|A3|||D3|MSH|MH|D3|truncated"
    )
    (meta / "MRCONSO.RRF").write_bytes(bad)
    return meta


def test_malformed_lines_are_reported_with_file_and_line_and_skipped(tmp_path: Path) -> None:
    meta = _bad_conso(tmp_path)
    seen: list[InputError] = []
    budget = ErrorBudget(max_errors=10, on_error=seen.append)
    atoms = list(read_conso(meta / "MRCONSO.RRF", budget))
    assert len(atoms) == len(list(read_conso(UMLS / "MRCONSO.RRF", ErrorBudget())))
    assert budget.count == 3
    n = len((UMLS / "MRCONSO.RRF").read_bytes().splitlines())
    assert [e.line for e in seen] == [n + 1, n + 2, n + 3]
    assert all(e.file == str(meta / "MRCONSO.RRF") for e in seen)
    assert "expected 18" in seen[0].reason and "not UTF-8" in seen[1].reason


def test_error_budget_fails_past_max_errors(tmp_path: Path) -> None:
    meta = _bad_conso(tmp_path)
    with pytest.raises(TerminologyError, match="3 malformed lines, more than the 2 allowed"):
        list(read_conso(meta / "MRCONSO.RRF", ErrorBudget(max_errors=2)))


def test_missing_mrsty_is_a_clear_error(tmp_path: Path) -> None:
    meta = _copy_umls(tmp_path)
    (meta / "MRSTY.RRF").unlink()
    with pytest.raises(TerminologyError, match=r"MRCONSO\.RRF has no MRSTY\.RRF") as info:
        find_release(tmp_path)
    assert info.value.hint


def test_no_release_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TerminologyError, match=r"no MRCONSO\.RRF or RXNCONSO\.RRF"):
        find_release(tmp_path)


def test_release_found_under_meta(tmp_path: Path) -> None:
    _copy_umls(tmp_path)
    release = find_release(tmp_path)
    assert release.kind == "umls" and release.rel is not None and release.sab is not None
