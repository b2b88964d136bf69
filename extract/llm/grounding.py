"""Find the texts a model quoted in the text it was given, or drop them as hallucinated.

A quote is looked up exactly first, then ignoring case and runs of whitespace. When it
occurs more than once, the occurrence closest to the triple's other spans wins, so "rash"
pairs with the "aspirin" of its own sentence rather than the note's first "rash".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pvkg.records import Span

Offsets = tuple[int, int]


@dataclass(frozen=True)
class Grounded:
    """A model triple's spans in the text (None where the model gave none or it was dropped)."""

    drug: Span | None
    dose: Span | None
    adverse_event: Span | None
    returned: int
    dropped: int


def occurrences(text: str, quote: str) -> list[Offsets]:
    """Every place `quote` occurs in `text`: exact matches, else tolerant ones."""
    needle = quote.strip()
    if not needle:
        return []
    exact = [(m.start(), m.start() + len(needle)) for m in re.finditer(re.escape(needle), text)]
    if exact:
        return exact
    tolerant = r"\s+".join(re.escape(word) for word in needle.split())
    return [(m.start(), m.end()) for m in re.finditer(tolerant, text, re.IGNORECASE)]


def ground(text: str, drug: str, dose: str | None, event: str | None) -> Grounded:
    """Locate a triple's quotes together: for each drug occurrence, the nearest dose and
    event occurrences; the tightest such group wins (the earliest among equals)."""
    quotes = [drug, dose, event]
    found = [occurrences(text, q) if q is not None else [] for q in quotes]
    returned = sum(q is not None for q in quotes)
    dropped = sum(q is not None and not f for q, f in zip(quotes, found, strict=True))
    anchors = next((f for f in found if f), [])
    groups = [tuple(_nearest(anchor, f) for f in found) for anchor in anchors]
    best = min(groups, key=_spread, default=(None, None, None))
    drug_at, dose_at, event_at = (_span(text, at) for at in best)
    return Grounded(drug_at, dose_at, event_at, returned, dropped)


def _nearest(anchor: Offsets, candidates: list[Offsets]) -> Offsets | None:
    return min(candidates, key=lambda at: _gap(anchor, at), default=None)


def _gap(a: Offsets, b: Offsets) -> int:
    return max(a[0] - b[1], b[0] - a[1], 0)


def _spread(group: tuple[Offsets | None, ...]) -> tuple[int, int]:
    placed = [at for at in group if at is not None]
    return (max(end for _, end in placed) - min(start for start, _ in placed), placed[0][0])


def _span(text: str, at: Offsets | None) -> Span | None:
    if at is None:
        return None
    start, end = at
    return Span(text=text[start:end], start=start, end=end)
