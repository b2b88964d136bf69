"""Counters of what a run did, added up field by field (several `pvkg run` inputs make one
total); `ExtractionTally` is what every extracting loop counts per note."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Self

from extract.base import ExtractionResult


@dataclass
class Tally:
    """A record of counts: `a + b` adds every int and nested tally; other fields (paths,
    say) are taken from `a`."""

    def __add__(self, other: Self) -> Self:
        sums: dict[str, Any] = {}
        for one in fields(self):
            mine, theirs = getattr(self, one.name), getattr(other, one.name)
            if isinstance(mine, int | Tally):
                sums[one.name] = mine + theirs
        return replace(self, **sums)


@dataclass
class ExtractionTally(Tally):
    """Notes extracted, triples found, spans the extractor returned and dropped (not found
    in the note), problems it noted."""

    notes: int = 0
    triples: int = 0
    returned_spans: int = 0
    dropped_spans: int = 0
    problems: int = 0

    def add(self, result: ExtractionResult) -> None:
        self.notes += 1
        self.triples += len(result.triples)
        self.returned_spans += result.returned_spans
        self.dropped_spans += result.dropped_spans
        self.problems += len(result.problems)
