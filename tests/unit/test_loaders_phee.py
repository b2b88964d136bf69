from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from loaders import phee
from pvkg.errors import InputError
from pvkg.gold import GoldDocument, span_fragments


@pytest.fixture(scope="module")
def phee_file(shared_data: Path) -> Path:
    return shared_data / "phee" / "phee.jsonl"


@pytest.fixture(scope="module")
def documents(phee_file: Path) -> list[GoldDocument]:
    errors: list[InputError] = []
    docs = list(phee.iter_documents(phee_file, on_error=errors.append))
    assert errors == []  # every argument offset fits its context
    return docs


def raw_drug_effect_pairs(path: Path) -> set[tuple[str, int, int]]:
    """Straight from the JSON: (id, drug start, first effect start) of Adverse_events."""
    pairs = set()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            for event in record["annotations"][0]["events"]:
                drugs = event.get("Treatment", {}).get("Drug", {}).get("start", [])
                effects = event.get("Effect", {}).get("start", [])
                if event["event_type"] == "Adverse_event":
                    pairs |= {(record["id"], d[0], min(e)) for d in drugs for e in effects}
    return pairs


def test_counts(documents: list[GoldDocument], phee_file: Path) -> None:
    assert len(documents) == 3382
    triples = [t for d in documents for t in d.triples]
    relations = {
        (t.note_id, t.drug.start, t.adverse_event.start)
        for t in triples
        if t.adverse_event is not None
    }
    assert relations == raw_drug_effect_pairs(phee_file)
    assert len(relations) == 3758
    assert len(triples) == 3771  # some drug-event pairs come with several doses
    assert sum(1 for t in triples if t.dose is not None) == 250
    assert Counter(t.assertion for t in triples) == {
        "present": 3194,
        "speculated": 523,
        "negated": 54,
    }
    kinds = Counter(m.kind for d in documents for m in d.mentions)
    assert kinds == {
        "drug": 4205,
        "adverse_event": 3169,
        "route": 404,
        "dose": 307,
        "duration": 103,
        "frequency": 70,
    }


def test_dose_goes_to_the_nearest_drug(documents: list[GoldDocument]) -> None:
    sentence = "who developed acute liver and renal failure on less than 2.5 grams a day of"
    (document,) = [d for d in documents if sentence in d.note.text]
    dosed = {(t.drug.text, t.dose.text) for t in document.triples if t.dose is not None}
    assert dosed == {("acetaminophen", "less than 2.5 grams")}
    assert document.note.metadata["pmid"] == document.note.id.split("_")[0]


def test_multi_part_effect_keeps_its_fragments(documents: list[GoldDocument]) -> None:
    (document,) = [d for d in documents if "persistent despite halofantrine" in d.note.text]
    (effect,) = [
        t.adverse_event
        for t in document.triples
        if t.drug.text == "mefloquine" and t.adverse_event is not None
    ]
    assert span_fragments(effect) == ((31, 48), (165, 204))
    assert effect.text.startswith("acute lung injury")
    assert effect.text.endswith("persistent despite halofantrine therapy")


def test_misplaced_argument_is_reported_and_the_rest_kept(tmp_path: Path) -> None:
    event = {
        "event_type": "Adverse_event",
        "Treatment": {
            "text": [["aspirin"]],
            "start": [[11]],
            "Drug": {"text": [["aspirin"]], "start": [[11]]},
            "Dosage": {"text": [["81 mg"]], "start": [[3]]},
        },
        "Effect": {"text": [["Rash"]], "start": [[0]]},
        "Negated": {"text": [["no"]], "start": [[0]], "value": True},
    }
    good = {
        "id": "1_1",
        "context": "Rash after aspirin 81 mg.",
        "annotations": [{"events": [event]}],
    }
    path = tmp_path / "phee.jsonl"
    path.write_text(json.dumps(good) + "\n{broken\n", encoding="utf-8")
    errors: list[InputError] = []
    (document,) = phee.iter_documents(path, on_error=errors.append)
    assert [(e.line, e.reason.split(" (")[0]) for e in errors] == [
        (1, "Treatment.Dosage ['81 mg'] at [3] does not match the context"),
        (2, "invalid JSON"),
    ]
    (triple,) = document.triples
    assert (triple.drug.text, triple.dose, triple.assertion) == ("aspirin", None, "negated")
