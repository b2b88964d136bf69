"""Gold documents as training examples: pieces with their candidate spans, span labels,
relation candidates and relation labels.

Mentions are the gold mentions of the model's kinds plus every triple span; a mention is
learned on the whole words that cover it (a discontinuous one on the span over its
fragments). A mention that crosses a piece boundary, or is wider than the span limit, is in
no example. Kinds a document does not mark exhaustively (`GoldDocument.annotated`) stay
open: an unmarked span may be one, so no "not a mention" is learned for that kind there.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from extract.finetune.encoder.pairs import Candidate, Entity, candidates, gold_links, is_linked
from extract.finetune.encoder.pieces import Piece, note_pieces
from extract.finetune.encoder.spans import SpanSet, Word, enumerate_spans, piece_words
from pvkg.gold import GoldDocument
from pvkg.records import Assertion, MentionKind

NONE = 0  # span class "not a mention"; kind i of the model's kinds is class i + 1
# What the assertion head learns; historical and family stay with the ConText rules.
LEARNED_ASSERTIONS: tuple[Assertion, ...] = ("present", "negated", "speculated")


@dataclass(frozen=True)
class Example:
    piece: Piece
    spans: SpanSet
    classes: tuple[int, ...]  # per span: NONE or 1 + kind index
    open_classes: tuple[int, ...]  # classes an unmarked span may still be
    entities: tuple[Entity, ...]
    candidates: tuple[Candidate, ...]
    labels: tuple[float, ...]  # 1.0 for a related candidate
    assertions: tuple[tuple[int, int], ...] = ()  # (entity index, LEARNED_ASSERTIONS index)

    @property
    def positive(self) -> bool:
        """Whether the piece holds a mention (a negative one teaches the model to be quiet)."""
        return bool(self.entities)


@dataclass(frozen=True)
class Labelling:
    """What a document teaches: the model's kinds, those it learns only as context, and
    those some training document marks exhaustively. A kind no document marks wherever it
    occurs (doses, in the ADE corpus alone) is taken as marked: left open everywhere, the
    model would learn nothing against it and find it in every span."""

    kinds: tuple[MentionKind, ...]
    unlearned: Collection[MentionKind] = ()  # not learned from this document's marks
    exhaustive: Collection[MentionKind] | None = None  # None: every kind


def document_examples(
    document: GoldDocument, tokenizer: Any, max_tokens: int, labelling: Labelling
) -> list[Example]:
    links = gold_links(document.triples)
    mentions = _mentions(document, labelling.kinds)
    marked = set(labelling.kinds if document.annotated is None else document.annotated)
    if labelling.exhaustive is not None:
        marked |= set(labelling.kinds) - set(labelling.exhaustive)
    learned = marked - set(labelling.unlearned)
    open_classes = tuple(1 + i for i, k in enumerate(labelling.kinds) if k not in learned)
    events = _event_assertions(document)
    found = []
    for piece in note_pieces(tokenizer, document.note.text, max_tokens):
        spans = enumerate_spans(words := piece_words(piece, document.note.text))
        classes = [NONE] * len(spans)
        entities = []
        for kind, start, end in mentions:
            at = _locate(spans, words, start, end)
            if at is None:
                continue
            if kind not in labelling.unlearned and classes[at] == NONE:
                classes[at] = 1 + labelling.kinds.index(kind)
            entities.append(Entity(kind, spans.tokens[at], spans.widths[at], start, end))
        pairs = tuple(candidates(entities))
        labels = tuple(1.0 if is_linked(links, c, entities) else 0.0 for c in pairs)
        stated = _assertions(entities, events)
        found.append(
            Example(
                piece, spans, tuple(classes), open_classes, tuple(entities), pairs, labels, stated
            )
        )
    return found


def _event_assertions(document: GoldDocument) -> dict[tuple[int, int], int]:
    """The learned assertion of each gold event span its triples state (the first wins)."""
    found: dict[tuple[int, int], int] = {}
    for triple in document.triples:
        event = triple.adverse_event
        if event is not None and triple.assertion in LEARNED_ASSERTIONS:
            found.setdefault((event.start, event.end), LEARNED_ASSERTIONS.index(triple.assertion))
    return found


def _assertions(
    entities: Sequence[Entity], events: dict[tuple[int, int], int]
) -> tuple[tuple[int, int], ...]:
    return tuple(
        (i, events[(e.start, e.end)])
        for i, e in enumerate(entities)
        if e.kind == "adverse_event" and (e.start, e.end) in events
    )


def _locate(spans: SpanSet, words: Sequence[Word], start: int, end: int) -> int | None:
    """The index of the candidate span of the whole words that cover [start, end)."""
    if not words or start < words[0].start or end > words[-1].end:
        return None  # it crosses the piece's edge
    inside = [w for w in words if w.start < end and w.end > start]
    if not inside:
        return None
    chars = (inside[0].start, inside[-1].end)
    try:
        return spans.chars.index(chars)
    except ValueError:
        return None  # too wide, or it begins or ends on punctuation


def _mentions(
    document: GoldDocument, kinds: tuple[MentionKind, ...]
) -> list[tuple[MentionKind, int, int]]:
    spans = [(m.kind, m.span) for m in document.mentions if m.kind in kinds]
    for triple in document.triples:
        named = triple.spans()
        spans.extend((kind, named[kind]) for kind in kinds if kind in named)
    return list(dict.fromkeys((kind, span.start, span.end) for kind, span in spans))
