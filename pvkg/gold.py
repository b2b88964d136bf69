"""Gold annotations: a note with its gold triples and every gold entity mention.

Loaders of annotated corpora yield `GoldDocument`s; evaluation compares predicted triples
with them. Gold triples carry the extractor name "gold" and the source format as version.

A discontinuous mention (BRAT "0 5;9 14", PHEE multi-part arguments) is one `Span` that
covers all its fragments, with the fragments in BRAT notation in `attributes["fragments"]`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Self, TypeVar

from pydantic import model_validator

from pvkg.records import ExtractorInfo, Mention, MentionKind, Note, Record, Span, Triple

# The mention kinds that triples carry (and so that evaluation scores).
TRIPLE_KINDS: tuple[MentionKind, ...] = ("drug", "dose", "adverse_event")
GOLD = "gold"
FRAGMENTS = "fragments"

Fragments = tuple[tuple[int, int], ...]
E = TypeVar("E")
D = TypeVar("D")


def gold_extractor(source: str) -> ExtractorInfo:
    """Provenance of gold triples read from `source` (a format name)."""
    return ExtractorInfo(name=GOLD, version=source)


class GoldDocument(Record):
    """A note with its gold triples and mentions; every span is checked against the note.

    `annotated` names the mention kinds the corpus marked wherever they occur in this note
    (None: every kind). A kind left out may be present unmarked, so a trainer must not
    learn "not a mention" from its absence: the ADE corpus marks drugs only in sentences
    with a relation, and doses only beside some drugs.
    """

    note: Note
    triples: tuple[Triple, ...] = ()
    mentions: tuple[Mention, ...] = ()
    annotated: tuple[MentionKind, ...] | None = None

    @model_validator(mode="after")
    def _spans_fit_note(self) -> Self:
        for triple in self.triples:
            triple.check_against(self.note)
        for mention in self.mentions:
            try:
                mention.span.check_against(self.note.text)
            except ValueError as exc:
                raise ValueError(f"{mention.kind} mention: {exc}") from None
        return self


def make_document(
    note: Note,
    triples: Iterable[Triple],
    mentions: Iterable[Mention] = (),
    *,
    annotated: tuple[MentionKind, ...] | None = None,
) -> GoldDocument:
    """A gold document whose mentions include every triple span, each (kind, span) once.

    Triples with the same drug, dose and event spans are kept once (the first).
    """
    unique_triples: dict[object, Triple] = {}
    for triple in triples:
        unique_triples.setdefault(triple_key(triple), triple)
    from_triples = [
        Mention(kind=kind, span=span)
        for triple in unique_triples.values()
        for kind, span in triple.spans().items()
        if kind in TRIPLE_KINDS
    ]
    unique: dict[object, Mention] = {}
    for mention in [*from_triples, *mentions]:
        unique.setdefault((mention.kind, span_fragments(mention.span)), mention)
    return GoldDocument(
        note=note,
        triples=tuple(unique_triples.values()),
        mentions=tuple(unique.values()),
        annotated=annotated,
    )


def triple_key(triple: Triple) -> tuple[Fragments, Fragments | None, Fragments | None]:
    """What makes two triples of a note the same statement: their three spans."""
    dose, event = triple.dose, triple.adverse_event
    return (
        span_fragments(triple.drug),
        span_fragments(dose) if dose is not None else None,
        span_fragments(event) if event is not None else None,
    )


def pairings(events: Sequence[E], doses: Sequence[D]) -> Iterator[tuple[E | None, D | None]]:
    """The (event, dose) pairs of one drug's triples: every event with every dose, an
    event alone when there is no dose, a dose alone when there is no event."""
    event_options: list[E | None] = [*events] or [None]
    dose_options: list[D | None] = [*doses] or [None]
    for event in event_options:
        for dose in dose_options:
            if event is not None or dose is not None:
                yield event, dose


def span_fragments(span: Span) -> Fragments:
    """The (start, end) fragments of a span: one, unless it records several."""
    raw = span.attributes.get(FRAGMENTS)
    if not isinstance(raw, str) or not raw:
        return ((span.start, span.end),)
    return parse_fragments(raw)


def parse_fragments(raw: str) -> Fragments:
    """Parse BRAT notation "0 5;9 14"; raise ValueError when it is malformed."""
    fragments = []
    for part in raw.split(";"):
        bounds = part.split()
        if len(bounds) != 2 or not all(b.isdigit() for b in bounds):
            raise ValueError(f"bad fragment {part!r} (expected 'start end')")
        start, end = int(bounds[0]), int(bounds[1])
        if end <= start:
            raise ValueError(f"fragment {part!r} is empty or reversed")
        fragments.append((start, end))
    return tuple(sorted(fragments))


def fragment_span(text: str, fragments: Sequence[tuple[int, int]]) -> Span:
    """The span of `text` covering `fragments`, recording them when there are several."""
    ordered = tuple(sorted(fragments))
    if not ordered:
        raise ValueError("a mention needs at least one fragment")
    start, end = ordered[0][0], max(e for _, e in ordered)
    if start < 0 or end > len(text) or any(e <= s for s, e in ordered):
        raise ValueError(f"fragments {ordered} do not fit a text of length {len(text)}")
    if len(ordered) == 1:
        return Span(text=text[start:end], start=start, end=end)
    notation = ";".join(f"{s} {e}" for s, e in ordered)
    return Span(text=text[start:end], start=start, end=end, attributes={FRAGMENTS: notation})


def sentence_span(text: str) -> Span | None:
    """The whole note as evidence, for corpora whose notes are single sentences."""
    return Span(text=text, start=0, end=len(text)) if text else None
