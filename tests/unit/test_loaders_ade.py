from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from loaders import ade_corpus
from pvkg.errors import InputError
from pvkg.gold import GoldDocument


@pytest.fixture(scope="module")
def ade_dir(shared_data: Path) -> Path:
    return shared_data / "ade_corpus_v2"


@pytest.fixture(scope="module")
def documents(ade_dir: Path) -> list[GoldDocument]:
    errors: list[InputError] = []
    docs = list(ade_corpus.iter_documents(ade_dir, on_error=errors.append))
    assert errors == []
    return docs


def test_raw_row_counts(ade_dir: Path) -> None:
    assert sum(1 for _ in ade_corpus.iter_rows(ade_dir / ade_corpus.ADE_FILE)) == 4792
    assert sum(1 for _ in ade_corpus.iter_rows(ade_dir / ade_corpus.DOSE_FILE)) == 186


def test_every_row_becomes_a_verified_relation(documents: list[GoldDocument]) -> None:
    events = {
        (d.note.id, t.drug.start, t.adverse_event.start)
        for d in documents
        for t in d.triples
        if t.adverse_event is not None
    }
    doses = {
        (d.note.id, t.drug.start, t.dose.start)
        for d in documents
        for t in d.triples
        if t.dose is not None
    }
    assert len(events) == 4792
    assert len(doses) == 186
    # 11,694 ADE-NEG rows, 6 of them repeats of a sentence of the same PMID.
    assert sum(1 for d in documents if not d.triples) == 11688
    assert len(documents) == 3009 + 11688


def test_sentence_offsets_map_back_to_the_document_offsets(
    ade_dir: Path, documents: list[GoldDocument]
) -> None:
    """Independent check: sentence offset + the note's shift == the file's document offset."""
    expected = {
        (r.pmid, r.sentence, r.drug, r.drug_begin, r.other, r.other_begin)
        for r in ade_corpus.iter_rows(ade_dir / ade_corpus.ADE_FILE)
    }
    found = set()
    for document in documents:
        shift = document.note.metadata.get("doc_offset")
        for t in document.triples:
            if t.adverse_event is None:
                continue
            assert isinstance(shift, int)
            assert document.note.text[t.adverse_event.start : t.adverse_event.end] == (
                t.adverse_event.text
            )
            found.add(
                (
                    document.note.metadata["pmid"],
                    document.note.text,
                    t.drug.text,
                    t.drug.start + shift,
                    t.adverse_event.text,
                    t.adverse_event.start + shift,
                )
            )
    assert found == expected


def test_title_sentences_have_the_pmid_shift(documents: list[GoldDocument]) -> None:
    shifts = Counter(
        d.note.metadata.get("doc_offset") == len(str(d.note.metadata["pmid"])) + 2
        for d in documents
        if d.triples
    )
    assert shifts[True] == 893


def test_note_ids_and_dose_attachment(documents: list[GoldDocument]) -> None:
    by_id = {d.note.id: d for d in documents}
    assert len(by_id) == len(documents)
    first = by_id["10102531:1"]
    assert first.note.text.startswith("This case suggests that BH-AC")
    (mtx,) = by_id["10327035:1"].triples
    assert mtx.drug.text == "methotrexate"
    assert mtx.dose is not None and mtx.dose.text == "1500 mg/m2"
    assert mtx.adverse_event is not None and mtx.adverse_event.text == "encephalopathy"
    assert mtx.extractor.name == "gold"
    assert mtx.evidence is not None and mtx.evidence.text == by_id["10327035:1"].note.text
    negative = by_id["10327035:3"]
    assert negative.note.text == "Symptoms resolved spontaneously and completely after 48 h."
    assert negative.triples == () and negative.mentions == ()


def write_corpus(folder: Path, ade: str, dose: str = "", neg: str = "") -> Path:
    folder.mkdir()
    (folder / ade_corpus.ADE_FILE).write_text(ade, encoding="utf-8")
    (folder / ade_corpus.DOSE_FILE).write_text(dose, encoding="utf-8")
    (folder / ade_corpus.NEG_FILE).write_text(neg, encoding="utf-8")
    return folder


def test_rows_that_do_not_fit_are_reported_with_file_and_line(tmp_path: Path) -> None:
    sentence = "Rash after aspirin and nausea after aspirin."
    folder = write_corpus(
        tmp_path / "ade",
        f"1|{sentence}|Rash|100|104|aspirin|111|118\n"
        f"1|{sentence}|nausea|123|129|aspirin|136|143\n"
        f"1|{sentence}|nausea|200|206|aspirin|136|143\n"
        "1|too few fields\n"
        f"1|{sentence}|Rash|100|105|aspirin|111|118\n",
        neg="1 NEG Nothing happened.\n1 XYZ broken\n",
    )
    errors: list[InputError] = []
    documents = list(ade_corpus.iter_documents(folder, on_error=errors.append))
    assert sorted((Path(e.file or "").name, e.line) for e in errors) == [
        ("ADE-NEG.txt", 2),
        ("DRUG-AE.rel", 3),
        ("DRUG-AE.rel", 4),
        ("DRUG-AE.rel", 5),
    ]
    assert "do not fit the sentence at the shift its other rows share (100)" in str(errors[-1])
    rash, nausea = documents[0].triples
    assert (rash.adverse_event and rash.adverse_event.start, nausea.drug.start) == (0, 36)
    assert documents[1].note.id == "1:2"
    with pytest.raises(InputError, match="expected 8"):
        list(ade_corpus.iter_documents(folder))


def test_dose_of_a_drug_without_adverse_event_makes_a_drug_dose_triple(tmp_path: Path) -> None:
    sentence = "Rash after aspirin; warfarin 5 mg was continued."
    folder = write_corpus(
        tmp_path / "ade",
        f"7|{sentence}|Rash|50|54|aspirin|61|68\n",
        dose=f"7|{sentence}|5 mg|79|83|warfarin|70|78\n",
    )
    (document,) = ade_corpus.iter_documents(folder)
    assert [
        (t.drug.text, t.dose and t.dose.text, t.adverse_event and t.adverse_event.text)
        for t in document.triples
    ] == [("aspirin", None, "Rash"), ("warfarin", "5 mg", None)]
