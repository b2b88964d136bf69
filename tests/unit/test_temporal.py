"""Temporal expressions to ISO-8601: durations, times elapsed, days of a course, dates."""

from __future__ import annotations

from datetime import date

import pytest

from extract.temporal import find_times


def found(text: str, note_date: date | None = None) -> list[tuple[str, str, str | None]]:
    return [(t.text, t.kind, t.value) for t in find_times(text, note_date)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A rash appeared four days after the first dose.", [("four days", "elapsed", "P4D")]),
        ("Hepatitis within 48 h of starting.", [("48 h", "elapsed", "PT48H")]),
        ("Treated for 6 months with amiodarone.", [("6 months", "duration", "P6M")]),
        ("Agranulocytosis several weeks after ticlopidine.", [("several weeks", "elapsed", "PXW")]),
        ("MDS was diagnosed 8.4 months after TMZ.", [("8.4 months", "elapsed", "P8.4M")]),
        ("Fever on day 5 of therapy.", [("day 5", "day", "P5D")]),
        ("On the third day she had a rash.", [("third day", "day", "P3D")]),
        ("Purpura after long-term lamotrigine.", [("long-term", "duration", None)]),
        ("It started shortly after the infusion.", [("shortly", "elapsed", None)]),
    ],
)
def test_durations_and_times_elapsed(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert found(text) == expected


def test_a_range_keeps_both_ends_and_offsets_point_into_the_text() -> None:
    text = "Thrombosis occurred 2-45 days after the injury."
    (only,) = find_times(text)
    assert (only.low, only.high, only.value, only.kind) == ("P2D", "P45D", None, "elapsed")
    assert text[only.start : only.end] == only.text == "2-45 days"


def test_ages_and_a_lone_article_are_not_times() -> None:
    assert found("A 45-year-old man and a 7 year old boy.") == []
    assert found("She was seen in a day hospital.") == []
    assert found("After the eighth and final dose.") == []  # not "eight h"


def test_dates_are_read_against_the_notes_date() -> None:
    assert found("Admitted on March 3, 2005.") == [("March 3, 2005", "date", "2005-03-03")]
    assert found("Seen in May 2004.") == [("May 2004", "date", "2004-05")]
    assert found("The rash began yesterday.", date(2024, 1, 10)) == [
        ("yesterday", "date", "2024-01-09")
    ]
    # Without the note's date a relative date has no value.
    assert found("The rash began yesterday.") == [("yesterday", "date", None)]
