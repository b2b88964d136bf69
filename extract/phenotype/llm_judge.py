"""Phase 1 with a model: each (patient, criterion) is asked once, with the patient's
retrieved sentences numbered; the reply (chain-of-thought `reasoning`, `met`, `evidence`
sentence numbers) is cached, and evidence is grounded by number in what was sent.

The model goes through the LLM extractor's plumbing: an OpenAI-compatible server (loopback
only unless allowed) or a local model, with the response cache, concurrency bound, retries
and one correction for an invalid reply.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from extract.llm.backend import ChatRequest
from extract.llm.cache import ResponseCache
from extract.llm.calls import Caller, Tally
from extract.llm.factory import build_backend
from extract.llm.options import LLMOptions
from extract.llm.schema import Reply, ReplyError, Schema
from extract.phenotype.criteria import (
    AllOf,
    AnyOf,
    Criterion,
    Logic,
    NoneOf,
    Phenotype,
    parts_of,
)
from extract.phenotype.decide import PatientResult
from pvkg.config import cache_dir

PROMPT_VERSION = "phenotype-judge/v1"
SCHEMA: Schema = {
    "type": "object",
    "properties": {
        "reasoning": {"type": "string"},
        "met": {"type": "boolean"},
        "evidence": {"type": "array", "items": {"type": "integer"}},
    },
    "required": ["reasoning", "met", "evidence"],
    "additionalProperties": False,
}


VERIFY_SCHEMA: Schema = {
    "type": "object",
    "properties": {"reasoning": {"type": "string"}, "met": {"type": "boolean"}},
    "required": ["reasoning", "met"],
    "additionalProperties": False,
}


class VerifyReply(Reply):
    reasoning: str = ""
    met: bool


class JudgeReply(Reply):
    reasoning: str = ""
    met: bool
    evidence: tuple[int, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """The model's answer: `cited` are indices into the sentences sent; `ungrounded`
    counts cited numbers that named no sentence; `failed` a reply invalid even after one
    correction (the criterion then counts as not met)."""

    met: bool
    cited: tuple[int, ...] = ()
    ungrounded: int = 0
    failed: bool = False


class LLMJudge:
    def __init__(self, options: LLMOptions, device: str | None = None) -> None:
        self._options = options
        self._backend = build_backend(options, device)
        self._cache = (
            ResponseCache(options.cache_dir or cache_dir() / "llm-cache")
            if options.use_cache
            else None
        )
        self._tally = Tally()
        self._caller = Caller(self._backend, prompt_version=PROMPT_VERSION,
                              sampling={"temperature": options.temperature,
                                        "max_tokens": options.max_tokens},
                              cache=self._cache, tally=self._tally)  # fmt: skip
        self._system = _prompt("judge-v1.txt")

    @property
    def model_id(self) -> str:
        return self._backend.model_id

    def judge_all(self, asks: Sequence[tuple[Criterion, Sequence[str]]]) -> list[Verdict]:
        """One verdict per (criterion, sentences), in order."""
        return asyncio.run(self._all(asks))

    def verify_all(
        self, phenotype: Phenotype, results: Sequence[PatientResult]
    ) -> list[bool | None]:
        """Phase 2's second opinion: the model's answer to whether each patient meets the
        phenotype, given the criteria as decided; None where its reply stayed invalid."""
        return asyncio.run(self._verify_all(phenotype, results))

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()

    async def _verify_all(
        self, phenotype: Phenotype, results: Sequence[PatientResult]
    ) -> list[bool | None]:
        self._caller.bound(self._options.concurrency)
        system = _prompt("verify-v1.txt")
        try:
            return list(await asyncio.gather(*(self._verify(system, phenotype, r)
                                                for r in results)))  # fmt: skip
        finally:
            await self._backend.aclose()

    async def _verify(
        self, system: str, phenotype: Phenotype, result: PatientResult
    ) -> bool | None:
        lines = [f"Phenotype: {phenotype.name}", f"Definition: {describe(phenotype.logic)}"]
        for criterion in phenotype.criteria:
            status = result.criteria[criterion.id]
            lines.append(f"- {criterion.id} ({criterion.description}): "
                         f"{'met' if status.met else 'not met'}")  # fmt: skip
            lines.extend(f'    "{e.quote}"' for e in status.evidence[:3])
        messages = ({"role": "system", "content": system},
                    {"role": "user", "content": "\n".join(lines)})  # fmt: skip
        try:
            reply = await self._caller.ask(ChatRequest(messages, VERIFY_SCHEMA, "phenotype_check"),
                                           VerifyReply)  # fmt: skip
        except ReplyError:
            return None
        return reply.met

    async def _all(self, asks: Sequence[tuple[Criterion, Sequence[str]]]) -> list[Verdict]:
        self._caller.bound(self._options.concurrency)
        try:
            return list(await asyncio.gather(*(self._one(c, s) for c, s in asks)))
        finally:
            await self._backend.aclose()

    async def _one(self, criterion: Criterion, sentences: Sequence[str]) -> Verdict:
        request = ChatRequest(self._messages(criterion, sentences), SCHEMA, "criterion_check")
        try:
            reply = await self._caller.ask(request, JudgeReply)
        except ReplyError:
            return Verdict(met=False, failed=True)
        cited = tuple(dict.fromkeys(n - 1 for n in reply.evidence if 1 <= n <= len(sentences)))
        ungrounded = len(reply.evidence) - len([n for n in reply.evidence
                                                if 1 <= n <= len(sentences)])  # fmt: skip
        # A "met" with no sentence to show for it is not evidence-backed: not met.
        return Verdict(met=reply.met and bool(cited), cited=cited, ungrounded=ungrounded)

    def _messages(
        self, criterion: Criterion, sentences: Sequence[str]
    ) -> tuple[dict[str, str], ...]:
        asks = [f"Criterion: {criterion.description}"]
        if criterion.min_count > 1:
            asks.append(f"At least {criterion.min_count} separate episodes are required.")
        if criterion.value is not None:
            rule = criterion.value
            asks.append(f"A value from {rule.min if rule.min is not None else 'any'} to "
                        f"{rule.max if rule.max is not None else 'any'}"
                        f"{' ' + rule.unit if rule.unit else ''} is required.")  # fmt: skip
        numbered = "\n".join(f"[{i}] {text}" for i, text in enumerate(sentences, start=1))
        user = "\n".join(asks) + f"\n\nSentences from the patient's notes:\n{numbered}"
        return ({"role": "system", "content": self._system}, {"role": "user", "content": user})


def _prompt(name: str) -> str:
    return resources.files("extract.phenotype").joinpath("prompts", name).read_text("utf-8")


def describe(logic: Logic) -> str:
    """The logic in words: "all of (a, any of (b, not c))"."""
    if isinstance(logic, str):
        return logic
    if isinstance(logic, NoneOf):
        return f"not {describe(logic.not_)}"
    parts = ", ".join(describe(part) for part in parts_of(logic))
    if isinstance(logic, AllOf):
        return f"all of ({parts})"
    if isinstance(logic, AnyOf):
        return f"any of ({parts})"
    return f"at least {logic.at_least} of ({parts})"
