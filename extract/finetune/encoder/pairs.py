"""Relation candidates: every drug with every adverse event and every dose of its piece.

The pair classifier says which candidates are related; gold labels come from the triples.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from extract.finetune.encoder.spans import TokenRange
from pvkg.records import MentionKind, Triple

RELATIONS: tuple[tuple[MentionKind, MentionKind], ...] = (
    ("drug", "adverse_event"),
    ("drug", "dose"),
)


@dataclass(frozen=True)
class Entity:
    """A mention within a piece: its type, token range, width in words and character span
    in the note (a gold mention keeps its own offsets, which may lie inside its words)."""

    kind: MentionKind
    tokens: TokenRange
    width: int
    start: int
    end: int


@dataclass(frozen=True)
class Candidate:
    """Entities `drug` and `other` (indexes into a piece's entities) under `relation`
    (an index into RELATIONS)."""

    relation: int
    drug: int
    other: int


def candidates(entities: Sequence[Entity]) -> list[Candidate]:
    found: list[Candidate] = []
    for relation, (head, tail) in enumerate(RELATIONS):
        for d, drug in enumerate(entities):
            if drug.kind != head:
                continue
            found.extend(
                Candidate(relation, d, o) for o, other in enumerate(entities) if other.kind == tail
            )
    return found


Link = tuple[int, tuple[int, int], tuple[int, int]]


def gold_links(triples: Iterable[Triple]) -> set[Link]:
    """(relation, drug span, other span) of every related pair the triples state; a span is
    (start, end) in the note."""
    links: set[Link] = set()
    for triple in triples:
        drug = (triple.drug.start, triple.drug.end)
        for relation, (_, tail) in enumerate(RELATIONS):
            other = triple.adverse_event if tail == "adverse_event" else triple.dose
            if other is not None:
                links.add((relation, drug, (other.start, other.end)))
    return links


def is_linked(links: set[Link], candidate: Candidate, entities: Sequence[Entity]) -> bool:
    drug, other = entities[candidate.drug], entities[candidate.other]
    return (candidate.relation, (drug.start, drug.end), (other.start, other.end)) in links
