from __future__ import annotations

from pathlib import Path

from kg.load import load
from kg.store import open_store
from normalize import open_index
from pvkg.app.normalizing import Normalizer, normalize_file
from pvkg.jsonl import read_jsonl, write_jsonl
from pvkg.records import EXPANSION, ExtractorInfo, NormalizedTriple, Note, Span, Triple

TEXT = "Tylenol 500 mg PO q6h was followed by hypotensoin; unknownium gave Rashes."
NOTE = Note(id="n1", text=TEXT)


def span(text: str) -> Span:
    start = TEXT.index(text)
    return Span(text=text, start=start, end=start + len(text))


RULES = ExtractorInfo(name="rules", version="1")
TRIPLES = [
    Triple(note_id="n1", drug=span("Tylenol"), dose=span("500 mg PO q6h"),
           adverse_event=span("hypotensoin"), extractor=RULES),
    Triple(note_id="n1", drug=span("unknownium"), adverse_event=span("Rashes"), extractor=RULES),
]  # fmt: skip


def test_brand_rolls_up_and_misspelt_event_gets_meddra_pt(umls_dir: Path) -> None:
    with open_index(umls_dir) as index:
        first, second = Normalizer(index).normalize_all(TRIPLES)
    drug, event = first.concepts.drug, first.concepts.adverse_event
    assert drug is not None
    assert event is not None
    assert drug.codes["RXNORM_IN"] == ["161"]  # Tylenol -> acetaminophen
    assert (event.cui, event.codes["MDR_PT"]) == ("C0020649", ["10021097"])  # hypotension
    assert first.parsed_dose is not None
    parsed = first.parsed_dose
    assert (parsed.value, parsed.unit, parsed.route, parsed.frequency_per_day) == (
        500.0, "mg", "oral", 4.0,
    )  # fmt: skip
    assert second.concepts.drug is None  # unlinked, kept
    assert second.concepts.adverse_event is not None
    assert second.concepts.adverse_event.cui == "C0015230"
    first.check_against(NOTE)  # spans untouched


def test_file_round_trip_and_graph_keys(umls_dir: Path, tmp_path: Path) -> None:
    source, output = tmp_path / "triples.jsonl", tmp_path / "normalized.jsonl"
    write_jsonl(source, TRIPLES)
    with source.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    problems: list[str] = []
    summary = normalize_file(source, umls_dir, output, on_error=lambda e: problems.append(str(e)))
    assert (summary.triples, summary.drugs_linked, summary.drugs_unlinked) == (2, 1, 1)
    assert (summary.events_linked, summary.events_unlinked) == (2, 0)
    assert problems == [f"{source}:3: invalid JSON (Expecting property name enclosed in "
                        "double quotes at column 2)"]  # fmt: skip
    normalized = list(read_jsonl(output, NormalizedTriple))
    store = open_store(tmp_path / "graph")
    load(store, normalized)
    drugs = store.run("MATCH (d:Drug) RETURN d.key AS key ORDER BY key")
    events = store.run("MATCH (e:AdverseEvent) RETURN e.key AS key, e.meddra_pt AS pt ORDER BY key")
    store.close()
    assert drugs == [{"key": "name:unknownium"}, {"key": "rxcui:161"}]
    assert events == [
        {"key": "cui:C0015230", "pt": "10037844"},
        {"key": "cui:C0020649", "pt": "10021097"},
    ]


def test_an_abbreviation_links_through_its_expansion(umls_dir: Path, tmp_path: Path) -> None:
    text = "Paracetamol (PCM) was given; later PCM caused rashes."
    start = text.rindex("PCM")
    drug = Span(text="PCM", start=start, end=start + 3)
    expanded = drug.model_copy(update={"attributes": {EXPANSION: "Paracetamol"}})
    path = tmp_path / "triples.jsonl"
    write_jsonl(path, [Triple(note_id="n", drug=expanded, extractor=RULES)])
    [triple] = read_jsonl(path, Triple)
    assert triple.drug == expanded
    assert triple.drug.expansion == "Paracetamol"
    with open_index(umls_dir) as index:
        normalizer = Normalizer(index)
        assert normalizer.link_span(drug, "drug") is None  # "PCM" alone is unknown
        concept = normalizer.normalize(triple).concepts.drug
    assert concept is not None
    assert (concept.cui, concept.codes["RXNORM_IN"]) == ("C0000970", ["161"])
