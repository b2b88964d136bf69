"""The demo data of `make demo`: the example terminology links every drug and adverse event
the example notes mention, and every example note file parses."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

import pytest

from normalize import BuildOptions, TerminologyIndex, build_index, open_index
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
NOTES = EXAMPLES / "notes"

# Drug mentions as the notes write them: (text, CUI, ingredient RXCUIs).
DRUGS: list[tuple[str, str, list[str]]] = [
    ("simvastatin", "C0074554", ["36567"]),
    ("Zocor", "C0678181", ["36567"]),
    ("atorvastatin", "C0286651", ["83367"]),
    ("Lipitor", "C0593906", ["83367"]),
    ("warfarin", "C0043031", ["11289"]),
    ("Coumadin", "C0699129", ["11289"]),
    ("cisplatin", "C0008838", ["2555"]),
    ("carboplatin", "C0079083", ["40048"]),
    ("ondansetron", "C0061851", ["26225"]),
    ("amoxicillin", "C0002645", ["723"]),
    ("amoxicilin", "C0002645", ["723"]),
    ("lisinopril", "C0065374", ["29046"]),
    ("metformin", "C0025598", ["6809"]),
    ("ibuprofen", "C0020740", ["5640"]),
    ("Advil", "C0593507", ["5640"]),
    ("Motrin", "C0699203", ["5640"]),
    ("acetaminophen", "C0000970", ["161"]),
    ("Tylenol", "C0699142", ["161"]),
    ("metoprolol", "C0025859", ["6918"]),
    ("metoprolol succinate", "C0025859", ["6918"]),
    ("metoprolol tartrate", "C0025859", ["6918"]),
    ("furosemide", "C0016860", ["4603"]),
    ("aspirin", "C0004057", ["1191"]),
    ("prednisone", "C0032952", ["8640"]),
    ("omeprazole", "C0028978", ["7646"]),
    ("morphine", "C0026549", ["7052"]),
    ("morphine sulfate", "C0026553", ["7052"]),
    ("oxycodone", "C0030049", ["7804"]),
    ("vancomycin", "C0042313", ["11124"]),
    ("ciprofloxacin", "C0008809", ["2551"]),
    ("Heparin", "C0019134", ["5224"]),
    ("clopidogrel", "C0070166", ["32968"]),
    ("amiodarone", "C0002598", ["703"]),
    ("digoxin", "C0012265", ["3407"]),
    ("sertraline", "C0074393", ["36437"]),
    ("fluoxetine", "C0016365", ["4493"]),
    ("phenytoin", "C0031507", ["8183"]),
    ("allopurinol", "C0002144", ["519"]),
    ("gabapentin", "C0060926", ["25480"]),
]

# Adverse-event mentions: (text, CUI, MedDRA PT).
EVENTS: list[tuple[str, str, str]] = [
    ("myalgia", "C0231528", "10028411"),
    ("muscle pain", "C0231528", "10028411"),
    ("muscle aches", "C0231528", "10028411"),
    ("rhabdomyolysis", "C0035410", "10039020"),
    ("rhabdomylosis", "C0035410", "10039020"),
    ("bleeding", "C0019080", "10055798"),
    ("GI bleeding", "C0017181", "10017955"),
    ("GI bleed", "C0017181", "10017955"),
    ("gastrointestinal bleeding", "C0017181", "10017955"),
    ("gastrointestinal hemorrhage", "C0017181", "10017955"),
    ("nausea", "C0027497", "10028813"),
    ("vomiting", "C0042963", "10047700"),
    ("acute kidney injury", "C2609414", "10069339"),
    ("acute renal failure", "C0022660", "10069339"),  # MedDRA LLT rolled up to its PT
    ("renal failure", "C0035078", "10038435"),
    ("cough", "C0010200", "10011224"),
    ("angioedema", "C0002994", "10002424"),
    ("lactic acidosis", "C0001125", "10023676"),
    ("diarrhea", "C0011991", "10012735"),
    ("hepatotoxicity", "C0235378", "10019851"),
    ("rash", "C0015230", "10037844"),
    ("hives", "C0042109", "10046735"),
    ("urticaria", "C0042109", "10046735"),
    ("pruritus", "C0033774", "10037087"),
    ("itching", "C0033774", "10037087"),
    ("anaphylaxis", "C0002792", "10002198"),
    ("hypotension", "C0020649", "10021097"),
    ("hypotensoin", "C0020649", "10021097"),
    ("dizziness", "C0012833", "10013573"),
    ("bradycardia", "C0428977", "10006093"),
    ("hyperkalemia", "C0020461", "10020646"),
    ("hyponatremia", "C0020625", "10021036"),
    ("hypoglycemia", "C0020615", "10020993"),
    ("fatigue", "C0015672", "10016256"),
    ("weakness", "C0004093", "10003549"),
    ("drowsy", "C0013144", "10041349"),
    ("headache", "C0018681", "10019211"),
    ("thrombocytopenia", "C0040034", "10043554"),
    ("neutropenia", "C0027947", "10029354"),
    ("constipation", "C0009806", "10010774"),
    ("abdominal pain", "C0000737", "10000081"),
    ("chest pain", "C0008031", "10008479"),
    ("palpitations", "C0030252", "10033557"),
    ("Stevens-Johnson syndrome", "C0038325", "10042033"),
    ("QT prolongation", "C0151878", "10014387"),
    ("peripheral neuropathy", "C0031117", "10034620"),
    ("edema", "C0013604", "10030095"),
    ("anemia", "C0002871", "10002034"),
    ("seizure", "C0036572", "10039906"),
    ("fever", "C0015967", "10037660"),
    ("hypertension", "C0020538", "10020772"),
]
# Events whose concept has no SNOMED CT code in the example terminology (see its README).
NO_SNOMED = {"C2609414", "C0235378"}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TerminologyIndex]:
    out = tmp_path_factory.mktemp("examples") / "index"
    build_index(EXAMPLES / "terminology", out, BuildOptions(progress=False))
    with open_index(out) as opened:
        yield opened


def test_terminology_builds_without_errors(index: TerminologyIndex) -> None:
    m = index.manifest
    assert m.release_kind == "umls" and m.errors == 0
    assert {v.sab for v in m.vocabularies} == {"MSH", "SNOMEDCT_US", "MDR", "RXNORM"}
    assert m.counts["concepts"] >= len({cui for _, cui, _ in DRUGS + EVENTS})


@pytest.mark.parametrize(("text", "cui", "rxcuis"), DRUGS)
def test_drug_mentions_link_to_their_ingredient(
    index: TerminologyIndex, text: str, cui: str, rxcuis: list[str]
) -> None:
    found = index.link(text, "drug")
    assert found.cui == cui, found
    assert found.ingredient_rxcui == rxcuis
    assert found.score is not None and found.score >= 0.6


@pytest.mark.parametrize(("text", "cui", "pt"), EVENTS)
def test_event_mentions_link_to_a_meddra_pt(
    index: TerminologyIndex, text: str, cui: str, pt: str
) -> None:
    found = index.link(text, "adverse_event")
    assert found.cui == cui, found
    assert found.meddra_pt == pt
    assert found.score is not None and found.score >= 0.6
    if cui not in NO_SNOMED:
        assert found.codes.get("SNOMEDCT_US"), found


def test_every_mention_in_the_tables_occurs_in_the_notes() -> None:
    corpus = " ".join(_all_texts()).casefold()
    missing = [t for t, _, _ in DRUGS + EVENTS if t.casefold() not in corpus]
    assert not missing


def test_txt_notes_are_non_empty_utf8() -> None:
    files = sorted(NOTES.glob("*.txt"))
    assert len(files) >= 25
    for file in files:
        text = file.read_bytes().decode("utf-8")
        assert text.strip(), file


def test_jsonl_notes_parse() -> None:
    lines = (EXAMPLES / "notes-extra.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) >= 3
    for record in records:
        assert set(record) == {"id", "text", "source"}
        assert record["id"] and record["text"].strip()


def test_csv_notes_parse_with_multiline_text() -> None:
    with (EXAMPLES / "notes-extra.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 3
    assert all(list(row) == ["ROW_ID", "SUBJECT_ID", "CATEGORY", "TEXT"] for row in rows)
    assert all(row["ROW_ID"] and row["TEXT"].strip() for row in rows)
    assert any("\n" in row["TEXT"] for row in rows)


def test_note_ids_are_unique() -> None:
    ids = [f.stem for f in NOTES.glob("*.txt")]
    lines = (EXAMPLES / "notes-extra.jsonl").read_text(encoding="utf-8").splitlines()
    ids += [json.loads(line)["id"] for line in lines]
    with (EXAMPLES / "notes-extra.csv").open(encoding="utf-8", newline="") as handle:
        ids += [row["ROW_ID"] for row in csv.DictReader(handle)]
    assert len(ids) == len(set(ids))


def _all_texts() -> Iterator[str]:
    for file in NOTES.glob("*.txt"):
        yield file.read_text(encoding="utf-8")
    for line in (EXAMPLES / "notes-extra.jsonl").read_text(encoding="utf-8").splitlines():
        yield json.loads(line)["text"]
    with (EXAMPLES / "notes-extra.csv").open(encoding="utf-8", newline="") as handle:
        yield from (row["TEXT"] for row in csv.DictReader(handle))
