"""The rule extractor on hand-written sentences: each relation rule, assertion, doses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from extract.rules import RuleExtractor, TermKind
from extract.rules.context import ContextMatcher, load_context_rules
from extract.rules.coreference import ANAPHOR
from extract.rules.relations import load_relation_rules
from extract.rules.tokens import fold
from pvkg.errors import ConfigError
from pvkg.records import ONSET, Note, Triple
from tests.conftest import texts

TERMS: list[tuple[str, TermKind]] = [
    *((drug, "drug") for drug in ("insulin", "riluzole", "cisplatin", "aspirin", "ibuprofen")),
    *((drug, "drug") for drug in ("warfarin", "lisinopril", "heparin", "methotrexate", "TCA")),
    *((event, "adverse_event") for event in ("lipoatrophy", "hepatitis", "rash", "fever")),
    *((event, "adverse_event") for event in ("angioedema", "seizures", "nausea", "hypertension")),
    ("acute renal failure", "adverse_event"),
    ("renal failure", "adverse_event"),
    ("bleeding", "adverse_event"),
]


@pytest.fixture(scope="module")
def rules() -> RuleExtractor:
    return RuleExtractor(TERMS)


def run(extractor: RuleExtractor, text: str) -> list[Triple]:
    return list(extractor.extract(Note(id="n", text=text)).triples)


def pairs(triples: list[Triple]) -> set[tuple[str, str | None, str | None]]:
    return {texts(t) for t in triples}


@pytest.mark.parametrize(
    ("text", "drug", "event", "confidence"),
    [
        ("Insulin-induced lipoatrophy of the thigh.", "Insulin", "lipoatrophy", 0.9),
        ("Hepatitis due to riluzole was reported.", "riluzole", "Hepatitis", 0.85),
        ("She had a rash following aspirin.", "aspirin", "rash", 0.85),
        ("Fever secondary to cisplatin.", "cisplatin", "Fever", 0.85),
        ("Angioedema was attributed to lisinopril.", "lisinopril", "Angioedema", 0.85),
        ("He developed seizures while on ibuprofen.", "ibuprofen", "seizures", 0.85),
        ("She developed nausea after starting cisplatin.", "cisplatin", "nausea", 0.85),
        ("Heparin given for a week caused bleeding.", "Heparin", "bleeding", 0.8),
        ("Methotrexate therapy resulted in hepatitis.", "Methotrexate", "hepatitis", 0.8),
        ("Cisplatin use led to acute renal failure.", "Cisplatin", "acute renal failure", 0.8),
        ("Cisplatin nephrotoxicity was severe.", "Cisplatin", "nephrotoxicity", 0.7),
        ("Nausea in a patient receiving cisplatin.", "cisplatin", "Nausea", 0.7),
        ("Rash with ibuprofen.", "ibuprofen", "Rash", 0.55),
        ("Warfarin was continued; bleeding was noted.", "Warfarin", "bleeding", None),
    ],
)
def test_relation_rules(
    rules: RuleExtractor, text: str, drug: str, event: str, confidence: float | None
) -> None:
    triples = run(rules, text)
    if confidence is None:  # a blocker (";") separates them: no triple
        assert triples == []
        return
    assert pairs(triples) == {(drug, None, event)}
    assert triples[0].confidence == confidence


def test_fallback_links_the_nearest_drug_with_low_confidence(rules: RuleExtractor) -> None:
    triples = run(rules, "Aspirin was stopped in May and ibuprofen given; later fever.")
    assert triples == []  # ";" ends the clause
    triples = run(rules, "Aspirin was given in May, ibuprofen in June, and fever appeared.")
    assert pairs(triples) == {("ibuprofen", None, "fever")}
    assert triples[0].confidence == load_relation_rules().fallback.confidence
    assert triples[0].confidence < 0.5


def test_indications_are_not_adverse_events(rules: RuleExtractor) -> None:
    assert run(rules, "Lisinopril for hypertension was started.") == []
    assert run(rules, "Her fever was controlled with ibuprofen.") == []


def test_coordinated_drugs_share_the_event(rules: RuleExtractor) -> None:
    triples = run(rules, "Aspirin and ibuprofen induced a rash.")
    assert pairs(triples) == {("Aspirin", None, "rash"), ("ibuprofen", None, "rash")}


@pytest.mark.parametrize(
    ("text", "assertion"),
    [
        ("No rash was seen on aspirin.", "negated"),
        ("The patient denies nausea on cisplatin.", "negated"),
        ("Hepatitis due to riluzole was ruled out.", "negated"),
        ("Possible hepatitis due to riluzole.", "speculated"),
        ("Rash may be due to ibuprofen.", "speculated"),
        ("History of hepatitis after riluzole.", "historical"),
        ("Family history of seizures on ibuprofen.", "family"),
        ("Seizures due to ibuprofen, no fever.", "present"),
        ("No fever but a rash after aspirin.", "present"),
        ("There was no increase in rash after aspirin.", "present"),
        ("She previously had a rash on aspirin.", "historical"),
    ],
)
def test_assertion(rules: RuleExtractor, text: str, assertion: str) -> None:
    triples = run(rules, text)
    assert triples, text
    event = triples[0].adverse_event
    assert event is not None
    assert triples[0].assertion == assertion, (event.text, triples[0].assertion)


@pytest.mark.parametrize(
    "text",
    [
        "Cisplatin can cause nausea.",  # what a drug does, not a hedge on the event
        "Nausea due to cisplatin resolved.",  # it happened
        "A previously unreported rash due to aspirin.",  # the literature, not the patient
        "Two prior reports of hepatitis on riluzole.",
        "Seizures in an infant born to a mother taking ibuprofen.",  # exposure in pregnancy
        "There is no consensus on the treatment of aspirin-induced rash.",
        "Patients who had received cisplatin without complications experienced nausea.",
    ],
)
def test_case_report_wording_leaves_the_event_present(rules: RuleExtractor, text: str) -> None:
    triples = run(rules, text)
    assert triples, text
    assert [t.assertion for t in triples] == ["present"] * len(triples)


def test_the_deciding_trigger_is_reported() -> None:
    matcher = ContextMatcher()
    words = fold("no rash but fever may follow")
    decisions = matcher.decisions(words, [(1, 2), (3, 4)], [(1, 2), (3, 4)])
    assert [(a, r.trigger if r else None) for a, r in decisions] == [
        ("negated", "no"),
        ("speculated", "may"),
    ]
    assert matcher.assertions(words, [(1, 2)], []) == ["negated"]


def test_negation_scope_ends_at_a_terminator(rules: RuleExtractor) -> None:
    triples = run(rules, "No fever, but rash and nausea due to aspirin.")
    assertion = {t.adverse_event.text: t.assertion for t in triples if t.adverse_event}
    assert assertion.get("rash", "present") == "present"
    assert "fever" not in assertion or assertion["fever"] == "negated"


@pytest.mark.parametrize(
    ("text", "drug", "dose", "attributes"),
    [
        ("Cisplatin 100 mg/m2 caused fever.", "Cisplatin", "100 mg/m2", {"unit": "mg/m2"}),
        ("He took 200 mg TCA and developed fever.", "TCA", "200 mg", {"value": 200.0}),
        (
            "Heparin 5,000 units sc bid was given.",
            "Heparin",
            "5,000 units sc bid",
            {"value": 5000.0, "unit": "[iU]", "route": "subcutaneous", "frequency": "bid"},
        ),
        ("Methotrexate 0.5 mg/kg/day was given.", "Methotrexate", "0.5 mg/kg/day", {}),
        ("High-dose methotrexate was given.", "methotrexate", "High-dose", {}),
        ("Seizures followed an insulin overdose.", "insulin", "overdose", {}),
        ("Hepatitis began after seven doses of riluzole.", "riluzole", "seven doses", {}),
    ],
)
def test_doses_attach_to_their_drug(
    rules: RuleExtractor, text: str, drug: str, dose: str, attributes: dict[str, object]
) -> None:
    triples = run(rules, text)
    assert {(t.drug.text, t.dose.text if t.dose else None) for t in triples} == {(drug, dose)}
    span = triples[0].dose
    assert span is not None
    assert attributes.items() <= span.attributes.items()


def test_each_drug_keeps_its_own_dose(rules: RuleExtractor) -> None:
    triples = run(rules, "Aspirin 81 mg daily and warfarin 5 mg were given.")
    assert pairs(triples) == {("Aspirin", "81 mg daily", None), ("warfarin", "5 mg", None)}


def test_suffixes_find_unlisted_drugs_and_widen_events() -> None:
    extractor = RuleExtractor([("rash", "adverse_event")])
    triples = run(extractor, "Severe cutaneous vasculitis induced by vancomycin.")
    assert pairs(triples) == {("vancomycin", None, "Severe cutaneous vasculitis")}
    assert (
        run(
            RuleExtractor([("rash", "adverse_event")], morphology=False),
            "Vasculitis on vancomycin.",
        )
        == []
    )


def test_spans_evidence_and_offsets_fit_a_long_note(rules: RuleExtractor) -> None:
    sentence = "Hepatitis due to riluzole 50 mg bid was reported. Nothing else happened here. "
    note = Note(id="long", text="Intro.\n" + sentence * 700)  # ~55 KB
    result = rules.extract(note)
    assert len(result.triples) == 700
    for triple in result.triples:
        triple.check_against(note)
        assert triple.evidence is not None
        assert triple.evidence.text == sentence.split(". ")[0] + "."
    assert result.dropped_spans == 0
    assert result.returned_spans == len(result.mentions) == 2100


def test_an_overlong_sentence_is_cut_and_reported(rules: RuleExtractor) -> None:
    text = "rash due to aspirin " * 300  # 6,000 characters, no sentence end
    result = RuleExtractor(TERMS, max_sentence_chars=1000).extract(Note(id="x", text=text))
    assert result.problems == ("sentence 0:5999 was cut",)
    assert all(t.evidence is not None and len(t.evidence.text) <= 1000 for t in result.triples)
    assert len(result.triples) >= 290


def test_extract_many_streams(rules: RuleExtractor) -> None:
    def notes() -> Iterator[Note]:
        yield Note(id="a", text="Rash due to aspirin.")
        raise AssertionError("read past the first note")

    first = next(rules.extract_many(notes()))
    assert first.note_id == "a"
    assert rules.info.name == "rules"


def test_an_empty_term_list_or_bad_rules_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no terms"):
        RuleExtractor([])
    bad = tmp_path / "context.json"
    bad.write_text(json.dumps({"version": 1, "precedence": [], "rules": [{"trigger": "no"}]}))
    with pytest.raises(ConfigError, match=r"invalid rules at rules\.0\.category"):
        load_context_rules(bad)


def test_a_defined_abbreviation_of_a_known_drug_is_that_drug(rules: RuleExtractor) -> None:
    text = "Methotrexate (MTX) was given for psoriasis, and later MTX induced hepatitis."
    result = rules.extract(Note(id="n", text=text))
    later = text.rindex("MTX")
    [triple] = result.triples
    assert (triple.drug.start, triple.drug.text, triple.drug.expansion) == (
        later,
        "MTX",
        "Methotrexate",
    )
    drugs = [(m.span.start, m.span.expansion) for m in result.mentions if m.kind == "drug"]
    assert drugs == [(0, None), (text.index("MTX"), "Methotrexate"), (later, "Methotrexate")]
    # Off, or with a long form that is no known drug, the short form is no mention.
    off = run(RuleExtractor(TERMS, expand_abbreviations=False), text)
    assert pairs(off) == {("Methotrexate", None, "hepatitis")}
    unknown = "Glucagon-like peptide (GLP) was given, and later GLP induced hepatitis."
    assert run(rules, unknown) == []


def test_an_event_carries_its_time_to_onset_when_the_sentence_gives_one(
    rules: RuleExtractor,
) -> None:
    (triple,) = run(rules, "She developed a rash 4 weeks after starting aspirin.")
    assert triple.adverse_event is not None
    assert triple.adverse_event.attributes[ONSET] == "P4W"
    (untimed,) = run(rules, "She developed a rash after starting aspirin.")
    assert untimed.adverse_event is not None and ONSET not in untimed.adverse_event.attributes


def test_a_drug_anaphor_attaches_the_event_to_the_drug_named_before(
    rules: RuleExtractor,
) -> None:
    text = ("She was given aspirin for pain. A rash was caused by the drug. "
            "Heparin and warfarin were stopped. Bleeding was caused by the agent.")  # fmt: skip
    triples = run(rules, text)
    resolved = [t for t in triples if ANAPHOR in t.drug.attributes]
    assert [(t.drug.text, t.drug.start, t.adverse_event.text if t.adverse_event else None)
            for t in resolved] == [("aspirin", 14, "rash")]  # fmt: skip
    assert resolved[0].drug.attributes[ANAPHOR] == "the drug"
    # "the agent" after two drugs is not guessed.
    assert all(t.adverse_event is None or t.adverse_event.text != "Bleeding" for t in triples)


def test_a_number_before_dose_is_a_count_only_when_small(rules: RuleExtractor) -> None:
    triples = run(rules, "The FK 506 dose of heparin was kept; bleeding followed.")
    assert all(t.dose is None for t in triples)
