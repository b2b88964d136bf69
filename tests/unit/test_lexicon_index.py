from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from extract.rules import RuleExtractor
from normalize import index_terms
from normalize._common.schema import INDEX_FILE
from pvkg.errors import TerminologyError
from pvkg.records import Note


def test_index_lists_its_drug_and_event_atoms(umls_dir: Path) -> None:
    terms = set(index_terms(umls_dir))
    assert ("tylenol", "drug") in terms
    assert ("hypotension", "adverse_event") in terms
    assert {kind for _, kind in terms} == {"drug", "adverse_event"}


def test_rule_extractor_matches_through_the_index(umls_dir: Path) -> None:
    note = Note(id="n", text="She developed hypotension after Tylenol 1 g.")
    result = RuleExtractor(index_terms(umls_dir)).extract(note)
    pairs = {(t.drug.text, t.adverse_event.text if t.adverse_event else None)
             for t in result.triples}  # fmt: skip
    assert ("Tylenol", "hypotension") in pairs


def test_missing_or_old_index_is_a_clear_error(umls_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(TerminologyError, match="not a terminology index"):
        list(index_terms(tmp_path))
    old = tmp_path / "old"
    old.mkdir()
    sqlite3.connect(old / INDEX_FILE).close()
    with pytest.raises(TerminologyError, match="no term list") as info:
        list(index_terms(old))
    assert info.value.hint is not None
    assert "rebuild" in info.value.hint
