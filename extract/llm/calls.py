"""Model calls as the extractor makes them: cached, bounded, counted, parsed and repaired.

A reply that does not parse gets exactly one more turn that quotes the parse error back;
a second failure raises ReplyError for the extractor to record as the window's problem.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TypeVar

from extract.llm.backend import Backend, ChatRequest
from extract.llm.cache import Completion, ResponseCache, cache_key
from extract.llm.schema import Reply, ReplyError, parse_reply

R = TypeVar("R", bound=Reply)


@dataclass(frozen=True)
class LLMStats:
    """What a run cost and how much of what the model quoted was not in the notes."""

    notes: int = 0
    requests: int = 0
    cached: int = 0
    repairs: int = 0
    failed_replies: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    returned_spans: int = 0
    dropped_spans: int = 0

    @property
    def hallucinated_span_rate(self) -> float:
        """Share of returned spans that could not be found in the note."""
        return self.dropped_spans / self.returned_spans if self.returned_spans else 0.0


class Tally:
    """The run's running counts (mutated on the event loop thread only)."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(LLMStats.__dataclass_fields__, 0)

    def add(self, **amounts: int) -> None:
        for name, amount in amounts.items():
            self.counts[name] += amount

    def snapshot(self, retries: int) -> LLMStats:
        return LLMStats(**{**self.counts, "retries": retries})


class Caller:
    """Sends requests through the cache and a concurrency bound; parses the replies."""

    def __init__(
        self,
        backend: Backend,
        *,
        prompt_version: str,
        sampling: dict[str, float],
        cache: ResponseCache | None,
        tally: Tally,
    ) -> None:
        self.backend = backend
        self._prompt_version = prompt_version
        self._sampling = sampling
        self._cache = cache
        self._tally = tally
        self._bound = asyncio.Semaphore(1)

    def bound(self, concurrency: int) -> None:
        """Start a run with at most `concurrency` requests in flight."""
        self._bound = asyncio.Semaphore(concurrency)

    async def ask(self, request: ChatRequest, reply: type[R]) -> R:
        """The parsed reply; ReplyError if it is still invalid after one correction."""
        completion = await self.complete(request)
        try:
            return parse_reply(completion.text, reply)
        except ReplyError as exc:
            self._tally.add(repairs=1)
            corrected = await self.complete(request.with_correction(completion.text, str(exc)))
        try:
            return parse_reply(corrected.text, reply)
        except ReplyError:
            self._tally.add(failed_replies=1)
            raise

    async def complete(self, request: ChatRequest) -> Completion:
        key = cache_key(
            model=self.backend.model_id,
            prompt=self._prompt_version,
            messages=request.messages,
            schema=request.schema,
            sampling=self._sampling,
        )
        if self._cache is not None and (hit := self._cache.get(key)) is not None:
            self._tally.add(cached=1)
            return hit
        async with self._bound:
            completion = await self.backend.complete(request)
        self._tally.add(
            requests=1,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
        )
        if self._cache is not None:
            self._cache.put(key, completion)
        return completion
