"""What every extractor is: Note in, grounded triples and mentions out.

Extractors never see a store or the CLI; they return records whose spans point at the
original note's characters (long notes are split by `extract.text` and offsets mapped back).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from pvkg.records import ExtractorInfo, Mention, Note, Triple


@dataclass(frozen=True)
class ExtractionResult:
    """One note's output. `dropped_spans` counts spans a model returned that could not be
    found in the note (hallucinated); `problems` are one-line, text-free descriptions."""

    note_id: str
    triples: tuple[Triple, ...] = ()
    mentions: tuple[Mention, ...] = ()
    returned_spans: int = 0
    dropped_spans: int = 0
    problems: tuple[str, ...] = field(default=())


class Extractor(Protocol):
    """Finds (drug, dose, adverse event) triples in notes."""

    @property
    def info(self) -> ExtractorInfo: ...

    def extract(self, note: Note) -> ExtractionResult: ...

    def extract_many(self, notes: Iterable[Note]) -> Iterator[ExtractionResult]: ...
