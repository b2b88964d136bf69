"""What the extractor needs of a model: a chat request in, a completion out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from extract.llm.cache import Completion
from extract.llm.prompting import Message
from extract.llm.schema import Schema


@dataclass(frozen=True)
class ChatRequest:
    """Messages to send and the JSON schema the reply must follow (named for servers)."""

    messages: tuple[Message, ...]
    schema: Schema
    schema_name: str

    def with_correction(self, reply: str, problem: str) -> ChatRequest:
        """The same conversation, plus the bad reply and what was wrong with it."""
        correction = (
            f"Your reply was not valid: {problem}. "
            "Answer again with only a JSON object in the format asked for."
        )
        turns = ({"role": "assistant", "content": reply}, {"role": "user", "content": correction})
        return ChatRequest((*self.messages, *turns), self.schema, self.schema_name)


class Backend(Protocol):
    """A chat model. `model_id` names it in provenance and cache keys."""

    @property
    def model_id(self) -> str: ...

    async def complete(self, request: ChatRequest) -> Completion: ...

    async def aclose(self) -> None:
        """Release what `complete` opened on the current event loop."""
