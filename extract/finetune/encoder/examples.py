"""Gold documents as training examples: pieces with their tags, candidates and labels.

Mentions are the gold mentions of triple kinds plus every triple span; a discontinuous
mention is tagged over the span that covers its fragments. A mention that crosses a piece
boundary is in no example.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from extract.finetune.encoder.pairs import Candidate, Entity, candidates, gold_links, is_linked
from extract.finetune.encoder.pieces import Piece, note_pieces
from extract.finetune.encoder.tagging import TYPES, encode, token_range
from pvkg.gold import GoldDocument
from pvkg.records import MentionKind


@dataclass(frozen=True)
class Example:
    piece: Piece
    tags: tuple[tuple[int, ...], ...]  # one sequence per type in TYPES
    entities: tuple[Entity, ...]
    candidates: tuple[Candidate, ...]
    labels: tuple[float, ...]  # 1.0 for a related candidate

    @property
    def positive(self) -> bool:
        """Whether the piece holds a mention (a negative one teaches the model to be quiet)."""
        return bool(self.entities)


def document_examples(document: GoldDocument, tokenizer: Any, max_tokens: int) -> list[Example]:
    links = gold_links(document.triples)
    mentions = _mentions(document)
    found = []
    for piece in note_pieces(tokenizer, document.note.text, max_tokens):
        entities = tuple(
            Entity(kind, tokens, start, end)
            for kind, start, end in mentions
            if (tokens := token_range(piece, start, end)) is not None
        )
        tags = tuple(
            tuple(encode(len(piece), [e.tokens for e in entities if e.kind == kind]))
            for kind in TYPES
        )
        pairs = tuple(candidates(entities))
        labels = tuple(1.0 if is_linked(links, c, entities) else 0.0 for c in pairs)
        found.append(Example(piece, tags, entities, pairs, labels))
    return found


def _mentions(document: GoldDocument) -> list[tuple[MentionKind, int, int]]:
    spans = [(m.kind, m.span) for m in document.mentions if m.kind in TYPES]
    for triple in document.triples:
        named = triple.spans()
        spans.extend((kind, named[kind]) for kind in TYPES if kind in named)
    return list(dict.fromkeys((kind, span.start, span.end) for kind, span in spans))
