"""Terminology index built from the UMLS and RxNorm fixtures: linking, roll-ups, CLI."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from normalize import BuildOptions, TerminologyIndex, build_index, link, normalize_key, open_index
from normalize._common.manifest import MANIFEST_FILE
from normalize._common.schema import INDEX_FILE, SCHEMA_VERSION
from normalize._query.match import closest
from pvkg.errors import ConfigError, TerminologyError
from tests.conftest import FIXTURES, Cli

QUIET = BuildOptions(progress=False)
HYPOTENSION, HYPERTENSION = "C0020649", "C0020538"


@pytest.fixture(scope="module")
def umls(umls_dir: Path) -> Iterator[TerminologyIndex]:
    with open_index(umls_dir) as index:
        yield index


@pytest.fixture(scope="module")
def rxnorm(
    tmp_path_factory: pytest.TempPathFactory, shared_data: Path
) -> Iterator[TerminologyIndex]:
    """The real RxNorm rows of the shared sample with fixture RXNSTY/RXNREL beside them."""
    release = tmp_path_factory.mktemp("rxnorm") / "rrf"
    release.mkdir()
    (release / "RXNCONSO.RRF").symlink_to(shared_data / "rxnorm_sample" / "RXNCONSO.RRF")
    for name in ("RXNSTY.RRF", "RXNREL.RRF"):
        (release / name).symlink_to(FIXTURES / "rxnorm" / name)
    out = release.parent / "index"
    build_index(release.parent, out, QUIET)
    with open_index(out) as index:
        yield index


def test_manifest_records_sources_filters_and_counts(umls: TerminologyIndex) -> None:
    m = umls.manifest
    assert m.release_kind == "umls" and m.errors == 0
    assert {f.name for f in m.files} == {"MRCONSO.RRF", "MRSTY.RRF", "MRREL.RRF", "MRSAB.RRF"}
    assert {v.sab for v in m.vocabularies} == {"MSH", "SNOMEDCT_US", "MDR", "RXNORM"}
    assert m.filters.languages == ["ENG"] and m.filters.suppressed == ["E", "O", "Y"]
    assert m.counts["concepts"] == 16
    assert m.counts["atoms_kept"] == 53  # 55 rows less one GER and one suppressed atom


@pytest.mark.parametrize(
    ("text", "cui"),
    [
        ("Hypotension", HYPOTENSION),
        ("HYPOTENSION, NOS", HYPOTENSION),
        ("low blood pressure", HYPOTENSION),
        ("pressure, low blood", HYPOTENSION),
        ("high blood-pressure", HYPERTENSION),
        ("rashes", "C0015230"),
        ("Skin rash", "C0015230"),
        ("diarrhoea", "C0011991"),
        ("anaemia", "C0002871"),
        ("oedema", "C0013604"),
        ("haemorrhage", "C0019080"),
    ],
)
def test_exact_and_normalized_adverse_events(umls: TerminologyIndex, text: str, cui: str) -> None:
    result = umls.link(text, "adverse_event")
    assert (result.cui, result.score, result.match) == (cui, 1.0, "exact")


def test_adverse_event_reports_meddra_pt_and_snomed(umls: TerminologyIndex) -> None:
    result = link(umls, "hypotension", "adverse_event")
    assert result.meddra_pt == "10021097"
    assert result.codes["SNOMEDCT_US"] == ("45007003",)
    assert [(s.tui, s.name) for s in result.semantic_types] == [("T033", "Finding")]
    assert "ingredient_rxcui" not in result.to_json_dict()
    codes = {(c.sab, c.code, c.tty) for c in umls.codes(HYPOTENSION)}
    assert ("MDR", "10021097", "PT") in codes and ("MDR", "10021097", "LLT") in codes


def test_llt_in_its_own_concept_rolls_up_to_its_pt(umls: TerminologyIndex) -> None:
    result = umls.link("upset stomach", "adverse_event")
    assert result.codes["MDR"] == ("10046283",)  # its own code is an LLT
    assert result.meddra_pt == "10028813"  # Nausea, through MDR classified_as


def test_misspelling_finds_hypotension_never_hypertension(umls: TerminologyIndex) -> None:
    found = umls.candidates("hypotensoin", "adverse_event", 5)
    assert found[0].cui == HYPOTENSION and found[0].match == "approximate"
    assert 0.6 <= (found[0].score or 0) < 1.0
    assert HYPERTENSION not in {r.cui for r in found}
    assert umls.link("hypertensoin", "adverse_event").cui == HYPERTENSION


@pytest.mark.parametrize(
    ("text", "kind", "cui"),
    [
        ("nausia", "adverse_event", "C0027497"),
        ("asprin", "drug", "C0004057"),
        ("cisplatine", "drug", "C0008838"),
        ("low blood presure", "adverse_event", HYPOTENSION),
    ],
)
def test_approximate_variants(umls: TerminologyIndex, text: str, kind: str, cui: str) -> None:
    result = umls.link(text, kind)  # type: ignore[arg-type]
    assert result.cui == cui and result.match == "approximate"


MIXED = [
    "Hypotension",
    "hypotensoin",
    "qqqq zzzz",
    "",
    "HYPOTENSION, NOS",
    "low blood presure",
    "Hypotension",
    "nausia",
    "tylenol",
]


@pytest.mark.parametrize("kind", ["drug", "adverse_event"])
def test_link_many_equals_link_one_by_one(umls_dir: Path, kind: str) -> None:
    with open_index(umls_dir) as one, open_index(umls_dir) as batch:
        expected = [one.link(text, kind) for text in MIXED]  # type: ignore[arg-type]
        assert batch.link_many(MIXED, kind) == expected  # type: ignore[arg-type]
        assert batch.link_many(MIXED, kind) == expected  # type: ignore[arg-type] # cached now
        assert list(batch.link_stream(iter(MIXED), kind)) == expected  # type: ignore[arg-type]


TYPOS = ["hypotensoin", "hypotenshun", "nausia", "low blood presure", "asprin", "cisplatine",
         "tylenoll", "qqqq zzzz", "hypertensoin", "nausea", "rashs"]  # fmt: skip


@pytest.mark.parametrize("kind", ["drug", "adverse_event"])
def test_batched_approximate_matching_equals_one_key_at_a_time(umls_dir: Path, kind: str) -> None:
    keys = [normalize_key(t) for t in TYPOS]
    with open_index(umls_dir) as one, open_index(umls_dir) as batch:
        expected = {key: one._approx.match(key, kind) for key in keys}  # type: ignore[arg-type]
        assert batch._approx.match_many(keys, kind) == expected  # type: ignore[arg-type]
    assert expected[normalize_key("hypotensoin")] or kind == "drug"


def test_closest_keeps_tokens_tied_with_the_last() -> None:
    scored = [("a", 0.5), ("b", 0.9), ("c", 0.7), ("d", 0.7), ("e", 0.2)]
    assert closest(scored, 2) == ["b", "c", "d"]
    assert closest(scored, 3) == ["b", "c", "d"]
    assert closest(scored, 9) == ["b", "c", "d", "a", "e"]


def test_cards_list_codes_sorted_and_distinct(umls: TerminologyIndex) -> None:
    for text, kind in [("hypotension", "adverse_event"), ("aspirin", "drug"), ("tylenol", "drug")]:
        codes = umls.link(text, kind).codes  # type: ignore[arg-type]
        assert codes and list(codes) == sorted(codes)
        assert all(list(listed) == sorted(set(listed)) for listed in codes.values())


def test_index_of_another_schema_asks_for_a_rebuild(
    cli: Cli, umls_dir: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old"
    shutil.copytree(umls_dir, old)
    manifest = json.loads((old / MANIFEST_FILE).read_text(encoding="utf-8"))
    manifest["schema_version"] = SCHEMA_VERSION - 1
    (old / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(TerminologyError, match=f"schema {SCHEMA_VERSION - 1}") as info:
        open_index(old)
    assert info.value.hint is not None and "rebuild" in info.value.hint
    linked = cli("terminology", "link", "-t", str(old), "--kind", "drug", "aspirin")
    assert linked.exit_code == 1 and "rebuild" in linked.stderr
    assert "Traceback" not in linked.stderr


def test_cached_link_does_not_limit_candidates(umls: TerminologyIndex) -> None:
    assert umls.link("hypertensoin", "adverse_event").cui == HYPERTENSION
    found = umls.candidates("hypertensoin", "adverse_event", 5)
    assert found[0].cui == HYPERTENSION and HYPOTENSION not in {r.cui for r in found}
    assert umls.link("hypertensoin", "adverse_event").cui == HYPERTENSION


def test_two_edit_typo_falls_back_to_trigram_search(umls: TerminologyIndex) -> None:
    result = umls.link("hypotenshun", "adverse_event")  # two substitutions
    assert result.cui == HYPOTENSION and result.match == "approximate"


def test_semantic_type_filter_per_kind(umls: TerminologyIndex) -> None:
    assert umls.link("Tylenol", "drug").cui == "C0699142"
    assert umls.link("Tylenol", "adverse_event").cui is None
    assert umls.link("nausea", "drug").cui is None


def test_no_match_gives_null_fields(umls: TerminologyIndex) -> None:
    result = umls.link("zzzz qqqq", "drug")
    assert result.to_json_dict() == {
        "text": "zzzz qqqq",
        "cui": None,
        "name": None,
        "score": None,
        "match": None,
        "semantic_types": [],
        "codes": {},
        "ingredient_rxcui": None,
    }
    assert result.concept is None


def test_brand_rolls_up_to_ingredient_and_not_the_other_way(umls: TerminologyIndex) -> None:
    tylenol = umls.link("tylenol", "drug")
    assert tylenol.ingredient_rxcui == ["161"]
    assert tylenol.codes == {"RXNORM": ("202433",)}
    assert umls.link("paracetamol", "drug").ingredient_rxcui == ["161"]
    assert umls.link("aspirin", "drug").ingredient_rxcui == ["1191"]


def test_mrrel_direction_is_cui2_rela_cui1(umls_dir: Path) -> None:
    """Row `C0000970|..|C0699142|..|tradename_of` means Tylenol tradename_of acetaminophen."""
    db = sqlite3.connect(umls_dir / INDEX_FILE)
    edges = set(db.execute("SELECT src, rela, dst FROM rel"))
    db.close()
    assert (699142, "tradename_of", 970) in edges  # src = CUI2 (brand) -> dst = CUI1
    assert not any(rela == "has_tradename" for _, rela, _ in edges)


def test_concept_record(umls: TerminologyIndex) -> None:
    concept = umls.concept("C0004057")
    assert concept is not None
    assert concept.name == "aspirin" and concept.codes["MSH"] == ["D001241"]
    assert umls.concept("C9999999") is None


def test_cards_agree_with_the_concept_tables(umls: TerminologyIndex) -> None:
    """A card row (built once) and `concept` (read from the tables) give the same concept."""
    tylenol = umls.link("Tylenol", "drug")
    assert [(s.tui, s.name) for s in tylenol.semantic_types] == [
        ("T109", "Organic Chemical"),
        ("T121", "Pharmacologic Substance"),
    ]
    for text, kind in (("tylenol", "drug"), ("aspirin", "drug"), ("hypotension", "adverse_event")):
        result = umls.link(text, kind)  # type: ignore[arg-type]
        assert result.cui is not None and result.concept == umls.concept(result.cui)
    assert dict(tylenol.codes) == {"RXNORM": ("202433",)} and len(tylenol.codes) == 1


def test_rxnorm_release_rolls_up_salts_and_brands(rxnorm: TerminologyIndex) -> None:
    assert rxnorm.manifest.release_kind == "rxnorm"
    salt = rxnorm.link("amiloride HCl", "drug")
    assert salt.cui is None  # standalone RxNorm has RXCUIs, no CUIs
    assert rxnorm.link("amiloride hydrochloride", "drug").ingredient_rxcui == ["644"]
    assert rxnorm.link("Mesnex", "drug").ingredient_rxcui == ["44"]
    assert rxnorm.link("Ofirmev", "drug").codes["RXNORM"] == ("1041527",)
    assert rxnorm.link("CISplatin", "drug").ingredient_rxcui == ["2555"]
    assert rxnorm.link("Platinol", "drug").codes != {"RXNORM": ("202856",)}  # obsolete atom


def test_bad_lines_are_counted_in_the_manifest(tmp_path: Path) -> None:
    meta = tmp_path / "META"
    shutil.copytree(FIXTURES / "umls", meta)
    with (meta / "MRCONSO.RRF").open("ab") as f:
        f.write(b"C0000001|ENG|only|three|\nC0000002|ENG|P|L|PF|S|Y|A|||D|MSH|MH|D|\xff|0|N|256|\n")
    manifest = build_index(tmp_path, tmp_path / "index", QUIET)
    assert manifest.errors == 2 and "MRCONSO.RRF:56" in manifest.error_samples[0]
    with pytest.raises(TerminologyError, match="more than the 1 allowed"):
        build_index(tmp_path, tmp_path / "index2", BuildOptions(max_errors=1, progress=False))
    assert not (tmp_path / "index2").exists() and not (tmp_path / "index2.partial").exists()


def test_output_that_is_not_an_index_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a pvkg terminology index"):
        build_index(FIXTURES / "umls", tmp_path / "out", QUIET)


def test_cli_build_and_link(cli: Cli, tmp_path: Path) -> None:
    built = cli(
        "terminology",
        "build",
        str(FIXTURES / "umls"),
        "-o",
        str(tmp_path / "ix"),
        "--sab",
        "MDR,SNOMEDCT_US",
        "-q",
    )
    assert built.exit_code == 0, built.stderr
    assert "indexed 15 concepts" in built.stderr  # all but Tylenol (RXNORM only)
    linked = cli(
        "terminology",
        "link",
        "-t",
        str(tmp_path / "ix"),
        "--kind",
        "adverse_event",
        "Hypotension",
        "qqqq",
    )
    assert linked.exit_code == 0, linked.stderr
    first, second = (json.loads(line) for line in linked.stdout.splitlines())
    assert first["cui"] == HYPOTENSION and first["meddra_pt"] == "10021097"
    assert set(first["codes"]) == {"MDR", "SNOMEDCT_US"}  # --sab kept only these
    assert second["cui"] is None and second["meddra_pt"] is None


def test_cli_missing_mrsty_is_one_line_error(cli: Cli, tmp_path: Path) -> None:
    meta = tmp_path / "META"
    shutil.copytree(FIXTURES / "umls", meta)
    (meta / "MRSTY.RRF").unlink()
    result = cli("terminology", "build", str(tmp_path), "-o", str(tmp_path / "ix"), "-q")
    assert result.exit_code == 1
    assert "error:" in result.stderr and "no MRSTY.RRF" in result.stderr
    assert "Traceback" not in result.stderr
