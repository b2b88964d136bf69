"""QuickUMLS backend: an index built from the UMLS fixture by QuickUMLS's own installer
functions, linked through the same interface as the pvkg index (offline CLI run:
tests/integration/test_quickumls_cli.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from normalize import LinkResult, QuickUmlsLinker, build_quickumls, open_quickumls
from pvkg.errors import InputError, TerminologyError
from tests.conftest import FIXTURES

pytest.importorskip("quickumls")

HYPOTENSION = "C0020649"


@pytest.fixture(scope="module")
def quickumls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("quickumls") / "index"
    build_quickumls(FIXTURES / "umls", out)
    return out


@pytest.fixture(scope="module")
def linker(quickumls_dir: Path) -> Iterator[QuickUmlsLinker]:
    with open_quickumls(quickumls_dir) as opened:
        yield opened


def test_whole_mention_match_is_exact(linker: QuickUmlsLinker) -> None:
    result = linker.link("Low blood pressure", "adverse_event")
    assert isinstance(result, LinkResult)
    assert (result.cui, result.score, result.match) == (HYPOTENSION, 1.0, "exact")
    assert [s.tui for s in result.semantic_types] == ["T033"]
    assert result.to_json_dict()["meddra_pt"] is None  # QuickUMLS has no codes or roll-ups


def test_partial_match_scores_by_coverage(linker: QuickUmlsLinker) -> None:
    result = linker.link("HYPOTENSION, NOS", "adverse_event")
    assert result.cui == HYPOTENSION and result.match == "approximate"
    assert result.score == round(len("HYPOTENSION") / len("HYPOTENSION, NOS"), 4)


def test_kinds_filter_by_semantic_type(linker: QuickUmlsLinker) -> None:
    assert linker.link("Tylenol", "drug").cui == "C0699142"
    assert linker.link("Tylenol", "adverse_event").cui is None
    assert linker.link("nausea", "drug").cui is None
    assert linker.link_many(["nausea", "zzzz", ""], "adverse_event") == [
        linker.link("nausea", "adverse_event"),
        LinkResult(text="zzzz", kind="adverse_event"),
        LinkResult(text="", kind="adverse_event"),
    ]


def test_not_an_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TerminologyError, match="not a QuickUMLS index"):
        open_quickumls(tmp_path)


def test_concept_without_semantic_type_is_an_input_error(tmp_path: Path) -> None:
    release = tmp_path / "META"
    shutil.copytree(FIXTURES / "umls", release)
    sty = release / "MRSTY.RRF"
    sty.write_text("".join(ln for ln in sty.read_text().splitlines(True) if HYPOTENSION not in ln))
    with pytest.raises(InputError, match=f"{HYPOTENSION} has no semantic type"):
        build_quickumls(tmp_path, tmp_path / "qu")
    assert not (tmp_path / "qu").exists() and not (tmp_path / "qu.partial").exists()
