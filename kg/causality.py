"""Causality of one extracted triple from what its note says: a Naranjo-style score
(Naranjo et al. 1981) and a WHO-UMC category, from the event's time to onset, dechallenge
and rechallenge (span attributes set by the extractor: `extract.course`,
`extract.temporal`), computed as a triple is loaded and stored on its Triple node.

Only the Naranjo questions a note's text can answer are scored: did the event follow the
drug (+2 when a time to onset is stated), did it improve when the drug was stopped (+1),
did it reappear when the drug was given again (+2; -1 when it did not), were other causes
excluded (+2, when the note says so); the others (earlier reports, placebo, drug levels,
dose response, objective evidence) count as "do not know" (0), so the score is a lower
bound.
A negated, speculated or family finding is not assessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pvkg.records import ALTERNATIVES, DECHALLENGE, ONSET, RECHALLENGE, Triple

NaranjoCategory = Literal["definite", "probable", "possible", "doubtful"]
WhoUmcCategory = Literal["certain", "probable", "possible", "unlikely", "unassessable"]
ASSESSED = ("present", "historical")


@dataclass(frozen=True)
class Causality:
    naranjo: int
    naranjo_category: NaranjoCategory
    who_umc: WhoUmcCategory


def naranjo_category(score: int) -> NaranjoCategory:
    if score >= 9:
        return "definite"
    if score >= 5:
        return "probable"
    return "possible" if score >= 1 else "doubtful"


def assess(triple: Triple) -> Causality | None:
    """The triple's causality, or None when it has no event or the event is not affirmed."""
    event = triple.adverse_event
    if event is None or triple.assertion not in ASSESSED:
        return None
    timed = event.attributes.get(ONSET) is not None
    dechallenge = event.attributes.get(DECHALLENGE)
    rechallenge = event.attributes.get(RECHALLENGE)
    score = 2 * timed + (dechallenge == "positive")
    score += {"positive": 2, "negative": -1}.get(str(rechallenge), 0)
    score += 2 * (event.attributes.get(ALTERNATIVES) == "excluded")
    return Causality(score, naranjo_category(score), _who_umc(timed, dechallenge, rechallenge))


def _who_umc(timed: bool, dechallenge: object, rechallenge: object) -> WhoUmcCategory:
    """WHO-UMC from the same facts: certain needs a plausible time, a positive dechallenge
    and a positive rechallenge; probable a time and a positive dechallenge; possible a time;
    unlikely is a failed dechallenge and rechallenge; else too little to assess."""
    if dechallenge == "negative" and rechallenge == "negative":
        return "unlikely"
    if timed and dechallenge == "positive":
        return "certain" if rechallenge == "positive" else "probable"
    if timed or dechallenge == "positive" or rechallenge == "positive":
        return "possible"
    return "unassessable"
