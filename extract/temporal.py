"""Temporal expressions in note text, normalized to ISO-8601: durations and times elapsed
("for 6 months", "4 days after", "within 48 h", "8 to 17 days"), days of a course ("on day
5", "the third day") and dates ("March 3, 2005", "3 days ago" against the note's date).

Durations follow TimeML's TIMEX3 values: `P15D`, `PT30M`, an unknown amount as `X`
("several months" is `PXM`); a range keeps both ends (`low` P8D, `high` P17D). Dates are read
by dateparser relative to the note's date when one is known. The patterns are data below,
written for case reports and clinical notes; ages ("a 45-year-old") are not durations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

TimeKind = Literal["duration", "elapsed", "day", "date"]

NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
}  # fmt: skip
VAGUE = ("several", "a few", "few", "a couple of", "couple of", "some", "many")
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
# Unit words to (ISO designator, a time-of-day unit: written after "T").
UNITS = {
    "second": ("S", True), "seconds": ("S", True), "sec": ("S", True), "secs": ("S", True),
    "minute": ("M", True), "minutes": ("M", True), "min": ("M", True), "mins": ("M", True),
    "hour": ("H", True), "hours": ("H", True), "h": ("H", True), "hr": ("H", True),
    "hrs": ("H", True), "day": ("D", False), "days": ("D", False), "d": ("D", False),
    "week": ("W", False), "weeks": ("W", False), "wk": ("W", False), "wks": ("W", False),
    "month": ("M", False), "months": ("M", False), "mo": ("M", False), "year": ("Y", False),
    "years": ("Y", False), "yr": ("Y", False), "yrs": ("Y", False),
}  # fmt: skip
MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)

_NUM = r"(?:\d+(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
_VAGUE = "|".join(v.replace(" ", r"\s+") for v in VAGUE)
_UNIT = "|".join(sorted(UNITS, key=len, reverse=True))
_AMOUNT = (
    rf"(?P<low>{_NUM})(?:\s*(?:-|–|to|or|and)\s*(?P<high>{_NUM}))?"
    rf"|(?P<vague>{_VAGUE})"
)
_BEFORE = r"(?P<before>within|after|for|over|during|about|approximately|nearly|up\s+to)\s+"
_AFTER = r"\s+(?P<after>after|later|earlier|ago|before)"
_DURATION = re.compile(
    rf"\b(?:{_BEFORE})?(?P<core>(?:{_AMOUNT})(?:(?<=\d)\s*|[\s-]+)(?P<unit>{_UNIT})\b(?!-old|\s+old))"
    rf"(?:{_AFTER}\b)?",
    re.IGNORECASE,
)
_BARE_UNIT = re.compile(r"\b(?P<before>within|after)\s+(?P<unit>minutes|hours|days|weeks)\b",
                        re.IGNORECASE)  # fmt: skip
_ORDINAL = "|".join(ORDINALS)
_DAY = re.compile(
    rf"\b(?:on\s+)?(?P<core>day\s+(?P<n>\d+))\b|\b(?:the\s+)?(?P<core2>(?P<ord>{_ORDINAL}|"
    r"\d+(?:st|nd|rd|th))\s+(?P<unit>day|week|month))\b",
    re.IGNORECASE,
)
_QUALITATIVE = re.compile(
    r"\b(?P<duration>long[- ]term|short[- ]term|prolonged)\b"
    r"|\b(?P<elapsed>shortly|immediately)\s+after\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}\s+(?:{MONTHS})\.?,?\s+\d{{4}}|(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?"
    rf"\s+\d{{4}}|(?:{MONTHS})\.?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}"
    r"|yesterday|today)\b",
    re.IGNORECASE,
)


# Every duration, day or qualitative pattern holds one of these words: one search rules a
# sentence out before the long patterns run.
# A word of time after a digit or at a word start; the lookbehind (rather than "(?:\d|\b)")
# makes this test, run on every sentence with an event, 1.5x faster.
_TIMELY = re.compile(
    rf"(?<![^\W\d])(?:{_UNIT}|day|week|month|term|prolonged|shortly|immediately)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TimeExpression:
    """Characters `start:end` of the text; `value` an ISO-8601 duration (P15D, PXM) or
    date (2005-03-03); a range has `low` and `high` and no single value."""

    start: int
    end: int
    text: str
    kind: TimeKind
    value: str | None = None
    low: str | None = None
    high: str | None = None


def find_times(
    text: str,
    note_date: date | None = None,
    *,
    start: int = 0,
    end: int | None = None,
    dates: bool = True,
) -> list[TimeExpression]:
    """Every temporal expression of `text[start:end]` (offsets into `text`), leftmost-
    longest, without overlaps; `dates=False` skips dates (and dateparser)."""
    piece = text[start:end]
    found = (
        [*_durations(piece), *_days(piece), *_qualitative(piece)] if _TIMELY.search(piece) else []
    )
    if dates:
        found.extend(_dates(piece, note_date))
    if start:
        found = [replace(t, start=t.start + start, end=t.end + start) for t in found]
    found.sort(key=lambda t: (t.start, -(t.end - t.start)))
    kept: list[TimeExpression] = []
    for expression in found:
        if not kept or expression.start >= kept[-1].end:
            kept.append(expression)
    return kept


def duration_value(amount: str | None, unit: str) -> str:
    """The ISO-8601 duration of `amount` (digits, a number word, or None: unknown) `unit`."""
    designator, clock = UNITS[unit.lower()]
    number = "X" if amount is None else _number(amount)
    return f"PT{number}{designator}" if clock else f"P{number}{designator}"


def _number(word: str) -> str:
    word = word.lower()
    value = float(word) if word[0].isdigit() else float(NUMBER_WORDS[word])
    return str(int(value)) if value.is_integer() else str(value)


def _durations(text: str) -> Iterator[TimeExpression]:
    for m in _DURATION.finditer(text):
        expression = _duration(m)
        if expression is not None:
            yield expression
    for m in _BARE_UNIT.finditer(text):
        value = duration_value(None, m.group("unit"))
        yield TimeExpression(m.start("unit"), m.end("unit"), m.group("unit"), "elapsed", value)


def _duration(m: re.Match[str]) -> TimeExpression | None:
    low, high, unit = m.group("low"), m.group("high"), m.group("unit")
    before, after = (m.group("before") or "").lower(), m.group("after")
    lone_article = low is not None and low.lower() in ("a", "an") and high is None
    if lone_article and not before and after is None:
        return None  # "a day" alone is rarely a time ("a day hospital")
    kind: TimeKind = "elapsed" if after is not None or before in ("within", "after") else "duration"
    where = (m.start("core"), m.end("core"), m.group("core"), kind)
    if high is not None:
        return TimeExpression(*where, None, duration_value(low, unit), duration_value(high, unit))
    return TimeExpression(*where, duration_value(None if m.group("vague") else low, unit))


def _days(text: str) -> Iterator[TimeExpression]:
    for m in _DAY.finditer(text):
        if m.group("n"):
            value = f"P{int(m.group('n'))}D"
            yield TimeExpression(m.start("core"), m.end("core"), m.group("core"), "day", value)
            continue
        word = m.group("ord").lower()
        n = ORDINALS.get(word) or int(re.sub(r"\D", "", word))
        yield TimeExpression(m.start("core2"), m.end("core2"), m.group("core2"), "day",
                             duration_value(str(n), m.group("unit")))  # fmt: skip


def _qualitative(text: str) -> Iterator[TimeExpression]:
    for m in _QUALITATIVE.finditer(text):
        kind: TimeKind = "duration" if m.group("duration") else "elapsed"
        yield TimeExpression(m.start(kind), m.end(kind), m.group(kind), kind)


def _dates(text: str, note_date: date | None) -> Iterator[TimeExpression]:
    for m in _DATE.finditer(text):
        yield TimeExpression(
            m.start(), m.end(), m.group(), "date", _date_value(m.group(), note_date)
        )


def _date_value(written: str, note_date: date | None) -> str | None:
    """The ISO date (or year-month) of `written`; relative words need the note's date."""
    from datetime import datetime

    import dateparser  # here: slow to import, and only dates need it

    if written.lower() in ("yesterday", "today") and note_date is None:
        return None
    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["year"]}
    if note_date is not None:
        settings["RELATIVE_BASE"] = datetime(note_date.year, note_date.month, note_date.day)
        settings.pop("REQUIRE_PARTS")
    parsed: datetime | None = dateparser.parse(written, languages=["en"], settings=settings)
    if parsed is None:
        return None
    if re.fullmatch(rf"(?:{MONTHS})\.?\s+\d{{4}}", written, re.IGNORECASE):
        return parsed.strftime("%Y-%m")
    return parsed.date().isoformat()


def time_to_onset(
    times: list[TimeExpression], drug: tuple[int, int], event: tuple[int, int]
) -> TimeExpression | None:
    """The time elapsed between a drug and its adverse event, from the expressions of their
    sentence: the elapsed time or course day nearest the event, preferring one between the
    two mentions ("rash 4 weeks after starting lamotrigine"); None when there is none."""
    candidates = [t for t in times if t.kind in ("elapsed", "day")]
    if not candidates:
        return None
    low, high = min(drug[0], event[0]), max(drug[1], event[1])

    def distance(t: TimeExpression) -> tuple[bool, int]:
        between = low <= t.start and t.end <= high
        gap = max(t.start - event[1], event[0] - t.end, 0)
        return (not between, gap)

    return min(candidates, key=distance)
