"""Dose mentions: an amount with its unit ("500 mg", "1,000 mg/m2", "0.5 mg/kg/day"), with
a route and frequency that follow it ("10 units sc qhs"), a qualitative dose ("high-dose"), an
overdose or a count of doses ("seven doses").

The amount, route and frequency patterns are `normalize.dose`'s, made case-insensitive, so a
span found here is one `parse_dose` reads; its parsed parts go into the span's attributes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from normalize import AMOUNT_RE, FREQUENCY_RE, ROUTE_RE, TYPOGRAPHY, parse_dose
from pvkg.records import AttributeValue, Span

_AMOUNT = re.compile(AMOUNT_RE.pattern, re.IGNORECASE)
# Route or frequency right after an amount (or after each other), commas allowed between.
_TAIL = re.compile(rf"[\s,]*(?:{ROUTE_RE.pattern}|{FREQUENCY_RE.pattern})(?![\w/])", re.IGNORECASE)
_QUALITATIVE = re.compile(
    r"(?<![\w-])(?:(?:very|extremely)\s+)?"
    r"(?:high|higher|low|lower|moderate|standard|therapeutic|supratherapeutic|single|massive"
    r"|large|small|excessive|toxic|full|maximal|maximum|repeated|multiple|usual)"
    r"(?:-|\s+)(?:doses?|dosages?|dosing)(?![\w-])",
    re.IGNORECASE,
)
# Both corpora mark "overdose" itself as the dose ("lidocaine overdose"), and PHEE marks a
# count of doses ("after seven doses", "21 doses of natalizumab").
_COUNTED = re.compile(
    r"(?<![\w-])(?:overdos(?:e|es|ing)"
    r"|(?:\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|twelve|several|first|second|third"
    r"|fourth|fifth|initial|final|last)\s+doses?)(?![\w-])",
    re.IGNORECASE,
)
# Every amount holds a digit and every qualitative dose "dos": one quick search each rules
# most sentences out before the patterns, which test at every character.
_DIGIT = re.compile(r"\d")
_DOS = re.compile("dos", re.IGNORECASE)
# Characters `normalize.dose` reads in a plain form (micro sign, superscript two, ...); each
# maps to one character, so offsets survive the translation.
_TYPOGRAPHIC = re.compile(f"[{''.join(map(chr, TYPOGRAPHY))}]")
PARSED_PARTS = ("value", "value_low", "value_high", "unit", "route", "frequency")


def plain(text: str) -> str:
    """`text` with typographic variants replaced one character for one."""
    return text.translate(TYPOGRAPHY) if _TYPOGRAPHIC.search(text) else text


def find_doses(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each dose mention in `text[start:end]` (`text` made `plain`)."""
    amounts = _AMOUNT.finditer(text, start, end) if _DIGIT.search(text, start, end) else ()
    for match in amounts:
        stop = match.end()
        while (tail := _TAIL.match(text, stop, end)) is not None and tail.end() > stop:
            stop = tail.end()
        yield match.start(), stop
    if _DOS.search(text, start, end):
        for pattern in (_QUALITATIVE, _COUNTED):
            for match in pattern.finditer(text, start, end):
                yield match.span()


def dose_span(text: str, start: int, end: int) -> Span:
    """A dose span of the original note text, with `parse_dose`'s parts as attributes."""
    mention = text[start:end]
    parsed = parse_dose(mention)
    attributes: dict[str, AttributeValue] = {
        part: value for part in PARSED_PARTS if (value := getattr(parsed, part)) is not None
    }
    return Span(text=mention, start=start, end=end, attributes=attributes)
