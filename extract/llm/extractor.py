"""The LLM extractor: windows of a note to the model, quotes back to grounded triples.

Every span is located in the note (extract.llm.grounding); what cannot be found is
dropped and counted, never guessed. A reply still invalid after its one correction costs
that window its triples and leaves a problem on the note's result; the run goes on.
Transport failures that retries cannot cure raise ExtractionError: a re-run resumes from
the response cache.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field

from extract.base import ExtractionResult
from extract.llm.backend import Backend
from extract.llm.cache import ResponseCache
from extract.llm.calls import Caller, LLMStats, Tally
from extract.llm.grounding import ground, occurrences
from extract.llm.schema import ModelTriple, ReplyError
from extract.llm.strategies import Strategy
from extract.llm.streaming import ordered
from extract.text import Window, dedupe, sentence_at, sentences, shift, windows
from pvkg import __version__
from pvkg.records import ExtractorInfo, Mention, MentionKind, Note, Span, Triple

logger = logging.getLogger(__name__)
_TRIPLE_KINDS: tuple[MentionKind, ...] = ("drug", "dose", "adverse_event")


@dataclass(frozen=True)
class Windowing:
    """How long notes are cut: at most `size` characters, sharing up to `overlap`."""

    size: int = 4000
    overlap: int = 400


@dataclass
class _Found:
    """One window's grounded output, in note offsets."""

    triples: list[Triple] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    returned: int = 0
    dropped: int = 0
    problem: str | None = None


class LLMExtractor:
    """An `extract.base.Extractor` backed by a chat model. One run at a time."""

    def __init__(
        self,
        backend: Backend,
        strategy: Strategy,
        *,
        concurrency: int = 4,
        cache: ResponseCache | None = None,
        sampling: dict[str, float] | None = None,
        windowing: Windowing = Windowing(),
    ) -> None:
        self._strategy = strategy
        self._concurrency = concurrency
        self._windowing = windowing
        self._cache = cache
        self._tally = Tally()
        self._caller = Caller(
            backend,
            prompt_version=strategy.prompt.label,
            sampling=sampling or {},
            cache=cache,
            tally=self._tally,
        )
        label = strategy.prompt.label
        self._info = ExtractorInfo(
            name=f"llm:{backend.model_id}", version=__version__, prompt_version=label
        )

    @property
    def info(self) -> ExtractorInfo:
        return self._info

    @property
    def stats(self) -> LLMStats:
        return self._tally.snapshot(retries=int(getattr(self._caller.backend, "retries_made", 0)))

    def extract(self, note: Note) -> ExtractionResult:
        run = self.extract_many([note])
        try:
            return next(run)
        finally:
            run.close()

    def extract_many(self, notes: Iterable[Note]) -> Generator[ExtractionResult, None, None]:
        """Results in input order; notes run concurrently, requests bounded by concurrency."""
        loop = asyncio.new_event_loop()
        self._caller.bound(self._concurrency)
        try:
            # Twice the request bound keeps the server busy while a slow note holds the head.
            yield from ordered(loop, notes, self._note, lookahead=2 * self._concurrency)
        finally:
            loop.run_until_complete(self._caller.backend.aclose())
            loop.close()
            self._log_stats()

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()

    async def _note(self, note: Note) -> ExtractionResult:
        parts = list(windows(note.text, self._windowing.size, self._windowing.overlap))
        found = await asyncio.gather(*(self._window(note, w) for w in parts))
        self._tally.add(notes=1)
        problems = tuple(
            f"window {i + 1}/{len(parts)}: {f.problem}" for i, f in enumerate(found) if f.problem
        )
        mentions = {(m.kind, m.span.start, m.span.end): m for f in found for m in f.mentions}
        return ExtractionResult(
            note_id=note.id,
            triples=tuple(_with_evidence(note, dedupe(t for f in found for t in f.triples))),
            mentions=tuple(mentions[k] for k in sorted(mentions, key=lambda k: (k[1], k[2]))),
            returned_spans=sum(f.returned for f in found),
            dropped_spans=sum(f.dropped for f in found),
            problems=problems,
        )

    async def _window(self, note: Note, window: Window) -> _Found:
        text = note.text[window.start : window.end]
        found = _Found()
        try:
            reply = await self._strategy.reply(self._caller, note.id, text)
        except ReplyError as exc:
            found.problem = f"invalid model output after one correction ({exc})"
            return found
        for kind, quote in reply.mentions:
            self._add_listed(found, text, window.start, kind, quote)
        for model_triple in reply.triples:
            self._add_triple(found, note.id, text, window.start, model_triple)
        self._tally.add(returned_spans=found.returned, dropped_spans=found.dropped)
        return found

    def _add_listed(
        self, found: _Found, text: str, offset: int, kind: MentionKind, quote: str
    ) -> None:
        at = occurrences(text, quote)
        found.returned += 1
        found.dropped += not at
        for start, end in at:
            span = Span(text=text[start:end], start=start + offset, end=end + offset)
            found.mentions.append(Mention(kind=kind, span=span))

    def _add_triple(
        self, found: _Found, note_id: str, text: str, offset: int, quoted: ModelTriple
    ) -> None:
        grounded = ground(text, quoted.drug, quoted.dose, quoted.adverse_event)
        found.returned += grounded.returned
        found.dropped += grounded.dropped
        drug, dose, event = (
            shift(span, offset) if span is not None else None
            for span in (grounded.drug, grounded.dose, grounded.adverse_event)
        )
        for kind, span in zip(_TRIPLE_KINDS, (drug, dose, event), strict=True):
            if span is not None:
                found.mentions.append(Mention(kind=kind, span=span))
        if drug is not None:  # a triple needs its drug; a dropped dose or event leaves it out
            found.triples.append(
                Triple(
                    note_id=note_id,
                    drug=drug,
                    dose=dose,
                    adverse_event=event,
                    assertion=quoted.assertion,
                    extractor=self._info,
                )
            )

    def _log_stats(self) -> None:
        s = self.stats
        logger.info(
            "LLM extraction: %d notes, %d requests (%d from cache, %d retries, %d corrections), "
            "%d prompt + %d completion tokens, %d of %d returned spans not in the note (%.1f%%)",
            s.notes, s.requests, s.cached, s.retries, s.repairs, s.prompt_tokens,
            s.completion_tokens, s.dropped_spans, s.returned_spans, 100 * s.hallucinated_span_rate,
        )  # fmt: skip


def _with_evidence(note: Note, triples: list[Triple]) -> Iterator[Triple]:
    """Each triple with the sentence holding its drug as evidence."""
    spans = sentences(note.text)
    for triple in triples:
        sentence = sentence_at(spans, triple.drug.start)
        if sentence is None:
            yield triple
            continue
        evidence = Span(
            text=note.text[sentence.start : sentence.end], start=sentence.start, end=sentence.end
        )
        yield triple.model_copy(update={"evidence": evidence})
