"""The fine-tuned encoder as an extractor: pieces in, grounded triples and mentions out.

Every span is a slice of the note by construction (piece offsets); one that is empty or
blank is dropped and counted; a drug that abbreviates a long form defined in the note
carries it. Assertion comes from the same ConText rules as the rule
extractor's, over the sentence's words; the evidence of a triple is its sentence.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extract.abbreviations import expansion_of
from extract.base import ExtractionResult
from extract.finetune.card import ModelCard
from extract.finetune.encoder import storage
from extract.finetune.encoder.batching import SpecialIds
from extract.finetune.encoder.inference import Prediction, Runtime, predict, resolve_device
from extract.finetune.encoder.pairs import RELATIONS, Entity
from extract.finetune.encoder.pieces import Piece, note_pieces
from extract.finetune.encoder.spans import enumerate_spans, piece_words
from extract.rules.context import ContextMatcher
from extract.rules.tokens import tokenize
from extract.text import Window
from pvkg import __version__
from pvkg.gold import pairings
from pvkg.records import (
    EXPANSION,
    Assertion,
    AttributeValue,
    ExtractorInfo,
    Mention,
    Note,
    Span,
    Triple,
)

NOTES_PER_CHUNK = 64  # notes whose pieces are batched together
BATCH_SIZE = 32


@dataclass
class _Links:
    """A drug's related events (span, probability, assertion) and doses (span, probability)."""

    drug: Span
    events: list[tuple[Span, float, Assertion]] = field(default_factory=list)
    doses: list[tuple[Span, float]] = field(default_factory=list)


class EncoderExtractor:
    def __init__(
        self,
        runtime: Runtime,
        tokenizer: Any,
        info: ExtractorInfo,
        context: ContextMatcher | None = None,
    ) -> None:
        self.runtime = runtime
        self.tokenizer = tokenizer
        self.context = context or ContextMatcher()
        self._info = info

    @property
    def info(self) -> ExtractorInfo:
        return self._info

    def extract(self, note: Note) -> ExtractionResult:
        return next(self.extract_many([note]))

    def extract_many(self, notes: Iterable[Note]) -> Iterator[ExtractionResult]:
        chunk: list[Note] = []
        for note in notes:
            chunk.append(note)
            if len(chunk) == NOTES_PER_CHUNK:
                yield from self._chunk(chunk)
                chunk = []
        yield from self._chunk(chunk)

    def _chunk(self, notes: Sequence[Note]) -> Iterator[ExtractionResult]:
        max_tokens = self.runtime.config.max_length - 2
        pieces = [note_pieces(self.tokenizer, n.text, max_tokens) for n in notes]
        items = [
            (p, enumerate_spans(piece_words(p, n.text)))
            for n, ps in zip(notes, pieces, strict=True)
            for p in ps
        ]
        predictions = iter(predict(self.runtime, items))
        for note, own in zip(notes, pieces, strict=True):
            yield self._result(note, [(p, next(predictions)) for p in own])

    def _result(self, note: Note, found: list[tuple[Piece, Prediction]]) -> ExtractionResult:
        triples: list[Triple] = []
        mentions: list[Mention] = []
        returned = dropped = 0
        for piece, prediction in found:
            spans = [_grounded(note.text, e) for e in prediction.entities]
            returned += len(spans)
            dropped += spans.count(None)
            mentions.extend(
                Mention(kind=e.kind, span=s)
                for e, s in zip(prediction.entities, spans, strict=True)
                if s is not None
            )
            triples.extend(self._triples(note, piece.sentence, prediction, spans))
        return ExtractionResult(
            note_id=note.id,
            triples=tuple(triples),
            mentions=tuple(mentions),
            returned_spans=returned,
            dropped_spans=dropped,
        )

    def _triples(
        self, note: Note, sentence: Window, prediction: Prediction, spans: list[Span | None]
    ) -> Iterator[Triple]:
        assertions = self._assertions(note.text, sentence, prediction)
        evidence = Span(
            text=note.text[sentence.start : sentence.end], start=sentence.start, end=sentence.end
        )
        linked: dict[int, _Links] = {}
        for candidate, probability in prediction.links:
            drug, other = spans[candidate.drug], spans[candidate.other]
            if drug is None or other is None:
                continue
            links = linked.setdefault(candidate.drug, _Links(drug))
            if RELATIONS[candidate.relation][1] == "adverse_event":
                assertion = assertions.get(candidate.other, "present")
                links.events.append((other, probability, assertion))
            else:
                links.doses.append((other, probability))
        for links in linked.values():
            for event, dose in pairings(links.events, links.doses):
                scores = [link[1] for link in (event, dose) if link is not None]
                yield Triple(
                    note_id=note.id,
                    drug=links.drug,
                    dose=dose[0] if dose else None,
                    adverse_event=event[0] if event else None,
                    assertion=event[2] if event else "present",
                    evidence=evidence,
                    extractor=self._info,
                    confidence=min(scores),
                )

    def _assertions(
        self, text: str, sentence: Window, prediction: Prediction
    ) -> dict[int, Assertion]:
        """The assertion of each adverse-event entity (by index). A learned negated or
        speculated wins; else the ConText rules, whose historical and family the model
        does not learn (it learns present, negated and speculated on PubMed case reports)."""
        entities = prediction.entities
        tokens = tokenize(text, sentence.start, sentence.end)
        ranges = [
            (bisect.bisect_right(tokens.ends, e.start), bisect.bisect_left(tokens.starts, e.end))
            for e in entities
        ]
        events = [i for i, e in enumerate(entities) if e.kind == "adverse_event"]
        found = self.context.assertions(tokens.words, [ranges[i] for i in events], ranges)
        if not prediction.assertions:
            return dict(zip(events, found, strict=True))
        return {
            i: _combined(prediction.assertions[i], rule)
            for i, rule in zip(events, found, strict=True)
        }


def _combined(learned: Assertion | None, rule: Assertion) -> Assertion:
    if learned is not None and learned != "present":
        return learned
    return rule if rule in ("historical", "family") else "present"


def _grounded(text: str, entity: Entity) -> Span | None:
    """The note's span of `entity`; None when it is empty, blank or off the note. A drug
    that is a short form the note defines ("valproic acid (VPA)") carries its long form,
    which normalization links."""
    if not 0 <= entity.start < entity.end <= len(text):
        return None
    found = text[entity.start : entity.end]
    if not found.strip():
        return None
    long_form = expansion_of(text, entity.start, entity.end) if entity.kind == "drug" else None
    attributes: dict[str, AttributeValue] = {EXPANSION: long_form} if long_form else {}
    return Span(text=found, start=entity.start, end=entity.end, attributes=attributes)


def load_encoder_extractor(
    model_path: Path, card: ModelCard, *, device: str | None = None
) -> EncoderExtractor:
    """The extractor for the encoder model saved in `model_path` (whose card is `card`)."""
    loaded = storage.load(model_path)
    target = resolve_device(device)
    runtime = Runtime(
        loaded.model.to(target), SpecialIds.of(loaded.tokenizer), loaded.config, target, BATCH_SIZE
    )
    info = ExtractorInfo(
        name=f"finetuned-encoder:{model_path.resolve().name}",
        version=__version__,
        prompt_version=card.model_id,
    )
    return EncoderExtractor(runtime, loaded.tokenizer, info)
