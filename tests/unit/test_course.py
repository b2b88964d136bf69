"""The course of an event: severity, dechallenge and rechallenge, from rules as data."""

from __future__ import annotations

import pytest

from extract.course import CourseMatcher
from extract.rules import RuleExtractor
from pvkg.records import DECHALLENGE, ONSET, RECHALLENGE, SEVERITY, Note


@pytest.fixture(scope="module")
def course() -> CourseMatcher:
    return CourseMatcher()


@pytest.mark.parametrize(
    ("sentence", "dechallenge", "rechallenge"),
    [
        ("The rash resolved after discontinuation of the drug.", "positive", None),
        ("Amoxicillin was stopped and the hepatitis improved within 2 weeks.", "positive", None),
        ("The eruption persisted despite withdrawal of carbamazepine.", "negative", None),
        ("On rechallenge, the fever recurred within hours.", None, "positive"),
        ("Rechallenge was performed without recurrence.", None, "negative"),
        ("He was clearly improved on aspirin.", None, None),
        ("He was treated with aspirin.", None, None),
    ],
)
def test_dechallenge_and_rechallenge(
    course: CourseMatcher, sentence: str, dechallenge: str | None, rechallenge: str | None
) -> None:
    assert (course.dechallenge(sentence), course.rechallenge(sentence)) == (
        dechallenge, rechallenge)  # fmt: skip


@pytest.mark.parametrize(
    ("sentence", "outcome"),
    [
        ("Despite treatment the patient died of liver failure.", "fatal"),
        ("The neuropathy was irreversible.", "not recovered"),
        ("She recovered fully within a month.", "recovered"),
        ("He was slowly improving at discharge.", "recovering"),
        ("The rash appeared on day 3.", None),
    ],
)
def test_the_case_outcome(course: CourseMatcher, sentence: str, outcome: str | None) -> None:
    assert course.outcome(sentence) == outcome


def test_severity_is_the_word_just_before_the_event(course: CourseMatcher) -> None:
    text = "She developed a severe, fulminant hepatitis and a mild rash; fatal agranulocytosis."
    at = text.index
    assert course.severity(text, at("hepatitis")) == "severe"
    assert course.severity(text, at("rash")) == "mild"
    assert course.severity(text, at("agranulocytosis")) == "fatal"
    assert course.severity("A rash on the arms.", 2) is None


def test_the_rule_extractor_puts_the_course_on_the_event() -> None:
    rules = RuleExtractor([("aspirin", "drug"), ("ibuprofen", "drug"), ("rash", "adverse_event")])
    text = ("She developed a severe rash 3 days after starting aspirin. Aspirin was stopped and "
            "the rash resolved. On rechallenge with aspirin the rash recurred. "
            "Ibuprofen caused a rash in her sister.")  # fmt: skip
    triples = rules.extract(Note(id="n", text=text)).triples
    first = triples[0].adverse_event
    assert first is not None and triples[0].drug.text == "aspirin"
    keys = (SEVERITY, ONSET, DECHALLENGE, RECHALLENGE)
    assert [first.attributes.get(k) for k in keys] == ["severe", "P3D", "positive", "positive"]
    # A statement about aspirin says nothing about ibuprofen, and none comes after it.
    other = next(t for t in triples if t.drug.text == "Ibuprofen").adverse_event
    assert other is not None and DECHALLENGE not in other.attributes


def test_other_causes_excluded_raise_the_naranjo_score() -> None:
    from kg.causality import assess
    from pvkg.records import ALTERNATIVES

    rules = RuleExtractor([("isoniazid", "drug"), ("hepatitis", "adverse_event")])
    text = ("Hepatitis developed 6 weeks after isoniazid was started. Other causes were "
            "excluded. Isoniazid was stopped and the hepatitis resolved.")  # fmt: skip
    (triple, *_) = rules.extract(Note(id="n", text=text)).triples
    assert triple.adverse_event is not None
    assert triple.adverse_event.attributes[ALTERNATIVES] == "excluded"
    found = assess(triple)
    assert found is not None and (found.naranjo, found.naranjo_category, found.who_umc) == (
        5, "probable", "probable")  # fmt: skip
