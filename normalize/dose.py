"""Dose parsing: a free-text dose mention to amount, UCUM unit, route, frequency and duration.

Units are UCUM codes: mg, g, ug (mcg), ng, mL, meq, mmol, [iU] (units, IU) and [drp] (drops).
UCUM has no tablet, capsule, puff, spray or patch, so these are UCUM annotations: {tbl}, {cap},
{puff}, {spray}, {patch}. Denominators compose: mg/m2, mg/kg, mg/kg/d, ug/kg/min. A per-day
unit ("100 mcg/day" -> ug/d) is a daily total, not a frequency, so frequency stays unset.

Frequencies are sig codes with a rate per day: qd, bid, tid, qid, qam, qpm, qhs, qod, qw, biw,
tiw, qmo (a mean calendar month), q6h, q2d, q3w, 5x/d. Ranges ("q4-6h"), as-needed ("prn",
"q4h prn") and single doses ("once", count 1) have no rate. Durations in days, weeks or hours
get `duration_days`; months and years keep only the text.

A range of amounts ("1-2 tablets") sets value_low/value_high and leaves value unset. Nothing is
guessed: two different amounts, routes, frequencies or durations, a bare number, a
concentration ("250 mg/5 mL"), a combination ("5/325 mg"), a decimal comma ("1,5 mg") or a
compound number word ("two hundred") leave that part unset. `text` always keeps the input.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from typing import NamedTuple, TypeVar

from pvkg.records import ParsedDose

T = TypeVar("T", bound=Hashable)

UNIT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "mg": ("mg", "mgs", "milligram", "milligrams"),
    "g": ("g", "gm", "gms", "gram", "grams"),
    "ug": ("mcg", "ug", "microgram", "micrograms"),
    "ng": ("ng", "nanogram", "nanograms"),
    "mL": ("ml", "cc", "milliliter", "milliliters", "millilitre", "millilitres"),
    "meq": ("meq",),
    "mmol": ("mmol",),
    "[iU]": ("u", "unit", "units", "iu", "international unit", "international units"),
    "[drp]": ("drop", "drops", "gtt", "gtts"),
    "{tbl}": ("tablet", "tablets", "tab", "tabs"),
    "{cap}": ("capsule", "capsules", "cap", "caps"),
    "{puff}": ("puff", "puffs"),
    "{spray}": ("spray", "sprays"),
    "{patch}": ("patch", "patches"),
}

PER_UNIT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "m2": ("m2", "m^2", "m(2)"),
    "kg": ("kg",),
    "d": ("d", "day", "24h", "24 h", "24 hours"),
    "h": ("h", "hr", "hour"),
    "min": ("min", "minute"),
    "wk": ("wk", "week"),
}

ROUTE_SPELLINGS: dict[str, tuple[str, ...]] = {
    "oral": ("po", "p.o.", "per os", "oral", "orally", "by mouth"),
    "intravenous": ("iv", "i.v.", "ivp", "ivpb", "intravenous", "intravenously"),
    "subcutaneous": (
        *("sc", "s.c.", "sq", "subq", "sub-q", "subcut"),
        *("subcutaneous", "subcutaneously"),
    ),
    "intramuscular": ("im", "i.m.", "intramuscular", "intramuscularly"),
    "topical": ("topical", "topically"),
    "ophthalmic": ("ophthalmic", "eye", "eyes", "ou", "o.u."),
    "inhalation": ("inh", "inhaled", "inhalation", "nebulized"),
    "intrathecal": ("intrathecal", "intrathecally"),
    "rectal": ("pr", "p.r.", "per rectum", "rectal", "rectally"),
    "sublingual": ("sl", "s.l.", "sublingual", "sublingually"),
    "transdermal": ("transdermal", "transdermally"),
    "nasal": ("nasal", "intranasal", "intranasally", "nostril", "nostrils"),
    "vaginal": ("vaginal", "vaginally"),
    "intradermal": ("intradermal", "intradermally"),
    "epidural": ("epidural", "epidurally"),
}

# Fixed sig phrases: code -> (doses per day or None, spellings).
FREQUENCY_SPELLINGS: dict[str, tuple[float | None, tuple[str, ...]]] = {
    "qd": (1, ("qd", "q.d.", "daily", "once daily", "once a day", "once per day", "every day")),
    "qam": (1, ("qam", "q.a.m.", "every morning", "in the morning")),
    "qpm": (1, ("qpm", "q.p.m.", "every evening", "in the evening")),
    "qhs": (1, ("qhs", "q.h.s.", "hs", "h.s.", "at bedtime", "nightly", "every night")),
    "bid": (2, ("bid", "b.i.d.", "twice daily", "twice a day", "twice per day")),
    "tid": (3, ("tid", "t.i.d.", "thrice daily")),
    "qid": (4, ("qid", "q.i.d.")),
    "qod": (0.5, ("qod", "q.o.d.", "every other day", "alternate days", "on alternate days")),
    "qw": (1 / 7, ("qw", "qwk", "weekly", "once weekly", "once a week", "every week")),
    "biw": (2 / 7, ("biw", "twice weekly", "twice a week")),
    "tiw": (3 / 7, ("tiw",)),
    "qmo": (12 / 365.25, ("monthly", "once monthly", "once a month", "every month")),
    "prn": (None, ("prn", "p.r.n.", "as needed", "as required", "when required")),
    "once": (None, ("once", "single dose", "one-time dose", "stat")),
}

# "N times a day" and "N times a week" by N; other N give "Nx/d" and "Nx/wk".
TIMES_CODES: dict[str, dict[int, str]] = {
    "d": {1: "qd", 2: "bid", 3: "tid", 4: "qid"},
    "wk": {1: "qw", 2: "biw", 3: "tiw"},
}
TIMES_PERIODS: dict[str, tuple[str, ...]] = {
    "d": ("day", "daily"),
    "wk": ("week", "weekly"),
}

INTERVAL_SPELLINGS: dict[str, tuple[str, ...]] = {
    "h": ("h", "hr", "hrs", "hour", "hours"),
    "d": ("d", "day", "days"),
    "w": ("w", "wk", "wks", "week", "weeks"),
}
INTERVAL_DAYS: dict[str, float] = {"h": 1 / 24, "d": 1, "w": 7}

DURATION_SPELLINGS: dict[str, tuple[str, ...]] = {
    "hour": ("h", "hr", "hrs", "hour", "hours"),
    "day": ("d", "day", "days"),
    "week": ("wk", "wks", "week", "weeks"),
    "month": ("mo", "mos", "month", "months"),
    "year": ("yr", "yrs", "year", "years"),
}
DURATION_DAYS: dict[str, float] = {"hour": 1 / 24, "day": 1, "week": 7}

# Single number words only: a compound ("two hundred", "twenty-five") stays words, unparsed.
NUMBER_WORDS: dict[str, int] = {
    word: number
    for number, word in enumerate(
        (
            *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
            *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"),
            *("seventeen", "eighteen", "nineteen", "twenty"),
        )
    )
}
COMPOUND_WORDS = (
    *("thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"),
    *("hundred", "thousand", "million"),
)

# Micro signs, superscript two, multiplication sign, en and em dashes.
TYPOGRAPHY = str.maketrans(
    {"\u00b5": "u", "\u03bc": "u", "\u00b2": "2", "\u00d7": "x", "\u2013": "-", "\u2014": "-"}
)


def _invert(spellings: Mapping[str, Iterable[str]]) -> dict[str, str]:
    return {spelling: code for code, words in spellings.items() for spelling in words}


def _alternation(spellings: Iterable[str]) -> str:
    """A regex for any spelling as a whole word, longest first so "once daily" beats "once"."""
    ordered = sorted(spellings, key=len, reverse=True)
    return rf"(?<![a-z])(?:{'|'.join(map(re.escape, ordered))})(?![a-z])"


UNITS = _invert(UNIT_SPELLINGS)
PER_UNITS = _invert(PER_UNIT_SPELLINGS)
ROUTES = _invert(ROUTE_SPELLINGS)
FREQUENCIES = _invert({code: words for code, (_, words) in FREQUENCY_SPELLINGS.items()})
TIMES_PERIOD = _invert(TIMES_PERIODS)
INTERVAL_UNITS = _invert(INTERVAL_SPELLINGS)
DURATION_UNITS = _invert(DURATION_SPELLINGS)

NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
PER_RE = re.compile(_alternation(PER_UNITS))
WORD_RUN_RE = re.compile(
    rf"\b(?:{'|'.join((*NUMBER_WORDS, *COMPOUND_WORDS))})"
    rf"(?:(?:[\s-]+|\s+and\s+)(?:{'|'.join((*NUMBER_WORDS, *COMPOUND_WORDS))}))*\b"
)
# An amount must stand alone: not after a digit, letter, "/" ("5/325 mg") or "," ("1,5 mg"),
# and not before an unknown "/..." ("250 mg/5 mL").
AMOUNT_RE = re.compile(
    rf"(?<![\w.,/-])(?:(?P<count>{NUMBER})\s*x\s*)?"
    rf"(?P<low>{NUMBER})(?:\s*(?:-|to)\s*(?P<high>{NUMBER}))?"
    rf"\s*(?P<unit>{_alternation(UNITS)})"
    rf"(?P<per>(?:(?:\s*/\s*|\s+per\s+){PER_RE.pattern})*)"
    r"(?!\s*/|[a-z0-9])"
)
ROUTE_RE = re.compile(_alternation(ROUTES))
FREQUENCY_RE = re.compile(
    rf"(?<![a-z])(?:q|every)\s*(?P<every>\d+)(?:\s*(?:-|to)\s*(?P<every_to>\d+))?"
    rf"\s*(?P<interval>{_alternation(INTERVAL_UNITS)})"
    rf"|(?<![\w.])(?P<times>\d+)\s*(?:times|x)\s*(?:a\s+|per\s+|/\s*)?"
    rf"(?P<period>{_alternation(TIMES_PERIOD)})"
    rf"|(?P<phrase>{_alternation(FREQUENCIES)})"
)
DURATION_RE = re.compile(
    rf"(?<![a-z])(?:for|x|over)\s*(?P<n>{NUMBER})\s*(?P<unit>{_alternation(DURATION_UNITS)})"
)


class Amount(NamedTuple):
    multiplier: float | None
    value: float | None
    low: float | None
    high: float | None
    unit: str


class Frequency(NamedTuple):
    code: str
    per_day: float | None


class Duration(NamedTuple):
    text: str
    days: float | None


def parse_dose(text: str) -> ParsedDose:
    """Parse a dose mention ("20 mg po bid"); parts it cannot read are left None."""
    normal = _normalize(text)
    amount = _only(filter(None, map(_amount, AMOUNT_RE.finditer(normal))))
    frequency = _frequency(filter(None, map(_frequency_of, FREQUENCY_RE.finditer(normal))))
    duration = _only(filter(None, map(_duration, DURATION_RE.finditer(normal))))
    count = amount.multiplier if amount else None
    if count is None and frequency is not None and frequency.code == "once":
        count = 1.0
    return ParsedDose(
        text=text,
        value=amount.value if amount else None,
        value_low=amount.low if amount else None,
        value_high=amount.high if amount else None,
        unit=amount.unit if amount else None,
        count=count,
        route=_only(ROUTES[m[0]] for m in ROUTE_RE.finditer(normal)),
        frequency=frequency.code if frequency else None,
        frequency_per_day=frequency.per_day if frequency else None,
        duration=duration.text if duration else None,
        duration_days=duration.days if duration else None,
    )


def _normalize(text: str) -> str:
    """Lower case, plain typography, single spaces and single number words as digits."""
    plain = " ".join(text.lower().translate(TYPOGRAPHY).split())
    return WORD_RUN_RE.sub(lambda m: str(NUMBER_WORDS.get(m[0], m[0])), plain)


def _only(found: Iterable[T]) -> T | None:
    """The one thing found, or None when there is none or they disagree."""
    distinct = set(found)
    return distinct.pop() if len(distinct) == 1 else None


def _number(digits: str) -> float:
    return float(digits.replace(",", ""))


def _amount(match: re.Match[str]) -> Amount | None:
    multiplier = _number(match["count"]) if match["count"] else None
    low = _number(match["low"])
    high = _number(match["high"]) if match["high"] else None
    if multiplier == 0 or (high is not None and high <= low):
        return None
    per = "".join(f"/{PER_UNITS[word]}" for word in PER_RE.findall(match["per"]))
    unit = UNITS[match["unit"]] + per
    if high is None:
        return Amount(multiplier, low, None, None, unit)
    return Amount(multiplier, None, low, high, unit)


def _frequency_of(match: re.Match[str]) -> Frequency | None:
    if match["phrase"]:
        code = FREQUENCIES[match["phrase"]]
        return Frequency(code, FREQUENCY_SPELLINGS[code][0])
    if match["times"]:
        times, period = int(match["times"]), TIMES_PERIOD[match["period"]]
        if times == 0:
            return None
        code = TIMES_CODES[period].get(times, f"{times}x/{period}")
        return Frequency(code, times / (1 if period == "d" else 7))
    every, unit = int(match["every"]), INTERVAL_UNITS[match["interval"]]
    if every == 0:
        return None
    if match["every_to"]:
        return Frequency(f"q{every}-{int(match['every_to'])}{unit}", None)
    return Frequency(f"q{every}{unit}", 1 / (every * INTERVAL_DAYS[unit]))


def _frequency(found: Iterable[Frequency]) -> Frequency | None:
    """One schedule, with "prn" appended when it is also as-needed (then there is no rate)."""
    frequencies = set(found)
    as_needed = Frequency("prn", None) in frequencies
    schedule = _only(frequencies - {Frequency("prn", None)})
    if schedule is None:
        return Frequency("prn", None) if as_needed and len(frequencies) == 1 else None
    return Frequency(f"{schedule.code} prn", None) if as_needed else schedule


def _duration(match: re.Match[str]) -> Duration | None:
    n, unit = _number(match["n"]), DURATION_UNITS[match["unit"]]
    if n == 0:
        return None
    days = DURATION_DAYS.get(unit)
    return Duration(f"{n:g} {unit}{'' if n == 1 else 's'}", n * days if days else None)
