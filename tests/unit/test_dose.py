from __future__ import annotations

import pytest
from pydantic import ValidationError

from normalize import parse_dose
from pvkg.records import ParsedDose

# text -> every field parse_dose sets besides `text` (unset fields are None).
EXAMPLES: dict[str, dict[str, object]] = {
    "500 mg": {"value": 500.0, "unit": "mg"},
    "1,000 mg/m2": {"value": 1000.0, "unit": "mg/m2"},
    "0.5 mg/kg/day": {"value": 0.5, "unit": "mg/kg/d"},
    "two tablets twice daily": {
        "value": 2.0,
        "unit": "{tbl}",
        "frequency": "bid",
        "frequency_per_day": 2.0,
    },
    "10 units sc qhs": {
        "value": 10.0,
        "unit": "[iU]",
        "route": "subcutaneous",
        "frequency": "qhs",
        "frequency_per_day": 1.0,
    },
    "1 drop in each eye": {"value": 1.0, "unit": "[drp]", "route": "ophthalmic"},
    "4 x 1.5 g/m2": {"count": 4.0, "value": 1.5, "unit": "g/m2"},
    "5mg": {"value": 5.0, "unit": "mg"},
    "20 mg po bid": {
        "value": 20.0,
        "unit": "mg",
        "route": "oral",
        "frequency": "bid",
        "frequency_per_day": 2.0,
    },
    "40 mg IV q8h": {
        "value": 40.0,
        "unit": "mg",
        "route": "intravenous",
        "frequency": "q8h",
        "frequency_per_day": 3.0,
    },
    "100 mcg/day": {"value": 100.0, "unit": "ug/d"},
    "1 g every 6 hours": {"value": 1.0, "unit": "g", "frequency": "q6h", "frequency_per_day": 4.0},
    "2.5 mg/kg": {"value": 2.5, "unit": "mg/kg"},
    "60 mg/m(2)": {"value": 60.0, "unit": "mg/m2"},
    "75 mg daily for 5 days": {
        "value": 75.0,
        "unit": "mg",
        "frequency": "qd",
        "frequency_per_day": 1.0,
        "duration": "5 days",
        "duration_days": 5.0,
    },
    "a single dose of 400 mg": {"value": 400.0, "unit": "mg", "frequency": "once", "count": 1.0},
    "high-dose": {},
    "increased dose": {},
    "Three times a day": {"frequency": "tid", "frequency_per_day": 3.0},
    "seventeen tabs": {"value": 17.0, "unit": "{tbl}"},
    "1,250,000 units": {"value": 1250000.0, "unit": "[iU]"},
    "one to two tablets": {"unit": "{tbl}", "value_low": 1.0, "value_high": 2.0},
    "1-2 tablets by mouth every 4-6 hours as needed": {
        "unit": "{tbl}",
        "value_low": 1.0,
        "value_high": 2.0,
        "route": "oral",
        "frequency": "q4-6h prn",
    },
    "2 puffs inhaled q4h prn": {
        "value": 2.0,
        "unit": "{puff}",
        "route": "inhalation",
        "frequency": "q4h prn",
    },
    "10 mg x 2 weeks": {"value": 10.0, "unit": "mg", "duration": "2 weeks", "duration_days": 14.0},
    "10 mg daily for 3 months": {
        "value": 10.0,
        "unit": "mg",
        "frequency": "qd",
        "frequency_per_day": 1.0,
        "duration": "3 months",
    },
    "50 µg/kg/min": {"value": 50.0, "unit": "ug/kg/min"},
    "2 mg per kg per day": {"value": 2.0, "unit": "mg/kg/d"},
    "75 mg/m² every 3 weeks": {
        "value": 75.0,
        "unit": "mg/m2",
        "frequency": "q3w",
        "frequency_per_day": 1 / 21,
    },
    "  500  MG  P.O. ": {"value": 500.0, "unit": "mg", "route": "oral"},
}

# Nothing here is safe to read, so nothing is guessed.
UNREADABLE = [
    "",
    "asdf qwerty",
    "500",  # a number without a unit
    "mg",
    "5/325 mg",  # a combination product
    "1,5 mg",  # a decimal comma
    "250 mg/5 ml",  # a concentration, not a dose
    "500 mg then 250 mg",  # two different amounts
    "two hundred mg",  # compound number words
    "2-1 tablets",  # a falling range
    "0 x 5 mg",
    "bid then tid",
    "q0h",
    "for 0 days",
]


@pytest.mark.parametrize(("text", "expected"), EXAMPLES.items())
def test_parses_examples(text: str, expected: dict[str, object]) -> None:
    parsed = parse_dose(text)
    assert parsed.model_dump(exclude_none=True) == {"text": text, **expected}


@pytest.mark.parametrize("text", UNREADABLE)
def test_unreadable_text_is_kept_and_nothing_is_guessed(text: str) -> None:
    assert parse_dose(text) == ParsedDose(text=text)


def test_conflicting_routes_leave_route_unset() -> None:
    parsed = parse_dose("10 mg po or iv")
    assert (parsed.value, parsed.unit, parsed.route) == (10.0, "mg", None)


@pytest.mark.parametrize(
    ("sig", "code", "per_day"),
    [
        ("qd", "qd", 1),
        ("daily", "qd", 1),
        ("once a day", "qd", 1),
        ("b.i.d.", "bid", 2),
        ("2x daily", "bid", 2),
        ("tid", "tid", 3),
        ("qid", "qid", 4),
        ("four times daily", "qid", 4),
        ("5 times a day", "5x/d", 5),
        ("q6h", "q6h", 4),
        ("q 12 hrs", "q12h", 2),
        ("q8h", "q8h", 3),
        ("qhs", "qhs", 1),
        ("at bedtime", "qhs", 1),
        ("every other day", "qod", 0.5),
        ("every 2 days", "q2d", 0.5),
        ("weekly", "qw", 1 / 7),
        ("twice weekly", "biw", 2 / 7),
        ("4 times a week", "4x/wk", 4 / 7),
        ("monthly", "qmo", 12 / 365.25),
    ],
)
def test_frequencies_have_a_daily_rate(sig: str, code: str, per_day: float) -> None:
    parsed = parse_dose(f"10 mg {sig}")
    assert parsed.frequency == code
    assert parsed.frequency_per_day == pytest.approx(per_day)


@pytest.mark.parametrize("sig", ["prn", "as needed", "once", "stat", "q4-6h"])
def test_frequencies_without_a_rate(sig: str) -> None:
    parsed = parse_dose(f"10 mg {sig}")
    assert parsed.frequency is not None
    assert parsed.frequency_per_day is None


@pytest.mark.parametrize(
    ("route", "canonical"),
    [
        ("po", "oral"),
        ("by mouth", "oral"),
        ("iv", "intravenous"),
        ("i.v.", "intravenous"),
        ("sc", "subcutaneous"),
        ("sq", "subcutaneous"),
        ("subcut", "subcutaneous"),
        ("im", "intramuscular"),
        ("topically", "topical"),
        ("ou", "ophthalmic"),
        ("inhaled", "inhalation"),
        ("intrathecal", "intrathecal"),
        ("pr", "rectal"),
        ("sl", "sublingual"),
    ],
)
def test_routes_are_canonical(route: str, canonical: str) -> None:
    assert parse_dose(f"5 mg {route} daily").route == canonical


@pytest.mark.parametrize(
    ("unit", "ucum"),
    [
        ("mcg", "ug"),
        ("μg", "ug"),
        ("micrograms", "ug"),
        ("grams", "g"),
        ("cc", "mL"),
        ("international units", "[iU]"),
        ("IU", "[iU]"),
        ("gtts", "[drp]"),
        ("caps", "{cap}"),
        ("mEq", "meq"),
        ("mg/24h", "mg/d"),
    ],
)
def test_units_are_ucum(unit: str, ucum: str) -> None:
    assert parse_dose(f"3 {unit}").unit == ucum


@pytest.mark.parametrize(
    "fields",
    [
        {"value_low": 1.0},
        {"value_high": 2.0},
        {"value_low": 2.0, "value_high": 1.0},
        {"value": 1.0, "value_low": 1.0, "value_high": 2.0},
        {"count": 0.0},
        {"frequency_per_day": -1.0},
        {"duration_days": 0.0},
    ],
)
def test_parsed_dose_rejects_inconsistent_fields(fields: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        ParsedDose.model_validate(fields)


def test_parsed_dose_round_trips_through_json() -> None:
    parsed = parse_dose("1-2 tablets po q6h prn for 3 days")
    assert ParsedDose.model_validate_json(parsed.model_dump_json()) == parsed
    assert (parsed.value_low, parsed.value_high, parsed.duration_days) == (1.0, 2.0, 3.0)
