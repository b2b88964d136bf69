"""The prompt strategies: what is asked of the model for one window of a note.

Single-step (zero-shot, few-shot) asks for triples at once. The chain asks for mention
lists first, then for triples over the listed mentions that really are in the text: the
second schema only admits those texts, so the relations step cannot invent a mention.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from extract.llm.backend import ChatRequest
from extract.llm.calls import Caller
from extract.llm.examples import ExampleIndex, render_examples
from extract.llm.grounding import occurrences
from extract.llm.prompting import Prompt
from extract.llm.schema import (
    MentionsReply,
    ModelTriple,
    TriplesReply,
    mentions_schema,
    triples_schema,
)
from pvkg.records import MentionKind


@dataclass(frozen=True)
class WindowReply:
    """The model's quotes for one window: triples and (chain) listed mentions."""

    triples: tuple[ModelTriple, ...] = ()
    mentions: tuple[tuple[MentionKind, str], ...] = ()


class Strategy(Protocol):
    @property
    def prompt(self) -> Prompt: ...

    async def reply(self, caller: Caller, note_id: str, text: str) -> WindowReply: ...


@dataclass(frozen=True)
class SingleStep:
    """Zero-shot, or few-shot with the examples most similar to the window."""

    prompt: Prompt
    examples: ExampleIndex | None = None
    k: int = 3

    async def reply(self, caller: Caller, note_id: str, text: str) -> WindowReply:
        values = {"text": text}
        if self.examples is not None:
            chosen = self.examples.similar(text, self.k, exclude_id=note_id)
            values["examples"] = render_examples(chosen)
        request = ChatRequest(self.prompt.render("triples", **values), triples_schema(), "triples")
        answer = await caller.ask(request, TriplesReply)
        return WindowReply(triples=answer.triples)


@dataclass(frozen=True)
class Chain:
    """Mentions first, then relations and assertions over the mentions found in the text."""

    prompt: Prompt

    async def reply(self, caller: Caller, note_id: str, text: str) -> WindowReply:
        asked = self.prompt.render("mentions", text=text)
        first = ChatRequest(asked, mentions_schema(), "mentions")
        listed = await caller.ask(first, MentionsReply)
        mentions: list[tuple[MentionKind, str]] = [
            *(("drug", q) for q in listed.drugs),
            *(("dose", q) for q in listed.doses),
            *(("adverse_event", q) for q in listed.adverse_events),
        ]
        drugs, doses, events = (_present(text, quotes) for quotes in listed_texts(listed))
        if not drugs:
            return WindowReply(mentions=tuple(mentions))
        found = {"drugs": drugs, "doses": doses, "adverse_events": events}
        listing = json.dumps(found, ensure_ascii=False)
        second = ChatRequest(
            self.prompt.render("triples", text=text, mentions=listing),
            triples_schema(drugs, doses, events),
            "triples",
        )
        answer = await caller.ask(second, TriplesReply)
        return WindowReply(triples=answer.triples, mentions=tuple(mentions))


def listed_texts(listed: MentionsReply) -> tuple[tuple[str, ...], ...]:
    return (listed.drugs, listed.doses, listed.adverse_events)


def _present(text: str, quotes: tuple[str, ...]) -> list[str]:
    return [q for q in dict.fromkeys(q.strip() for q in quotes) if q and occurrences(text, q)]
