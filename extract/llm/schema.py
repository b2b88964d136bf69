"""What a model must answer: small JSON objects of mention TEXTS, never offsets.

Models are bad at counting characters, so they quote the note and grounding finds the
offsets. Two replies exist: triples (`{"triples": [{"drug", "dose", "adverse_event",
"assertion"}]}`) and, for the first step of the chain prompt, mention lists (`{"drugs",
"doses", "adverse_events"}`). The schemas are strict-mode compatible (every property
required, nullable ones typed with null) so OpenAI-style servers accept them as they are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pvkg.records import ASSERTIONS, Assertion

Schema = dict[str, Any]
R = TypeVar("R", bound="Reply")
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


class ReplyError(ValueError):
    """A reply that is not the JSON asked for; the message never quotes the reply."""


class Reply(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ModelTriple(Reply):
    """One statement as the model quotes it from the note."""

    drug: Annotated[str, Field(min_length=1)]
    dose: str | None = None
    adverse_event: str | None = None
    assertion: Assertion = "present"

    @field_validator("dose", "adverse_event", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("assertion", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class TriplesReply(Reply):
    triples: tuple[ModelTriple, ...]


class MentionsReply(Reply):
    drugs: tuple[str, ...]
    doses: tuple[str, ...] = ()
    adverse_events: tuple[str, ...] = ()


def triples_schema(
    drugs: Sequence[str] | None = None,
    doses: Sequence[str] | None = None,
    events: Sequence[str] | None = None,
) -> Schema:
    """The triples reply; given mention lists (chain step 2), values must come from them."""
    triple = {
        "type": "object",
        "properties": {
            "drug": _text(drugs),
            "dose": _nullable(doses),
            "adverse_event": _nullable(events),
            "assertion": {"type": "string", "enum": list(ASSERTIONS)},
        },
        "required": ["drug", "dose", "adverse_event", "assertion"],
        "additionalProperties": False,
    }
    return _object({"triples": {"type": "array", "items": triple}})


def mentions_schema() -> Schema:
    """The mention lists of the chain prompt's first step."""
    texts = {"type": "array", "items": {"type": "string"}}
    return _object({"drugs": texts, "doses": texts, "adverse_events": texts})


def parse_reply(text: str, model: type[R]) -> R:
    """The reply as `model`, tolerating a Markdown code fence; ReplyError otherwise."""
    fenced = _FENCE.match(text)
    body = fenced.group(1) if fenced else text.strip()
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise ReplyError(f"invalid JSON: {exc.msg} at {where}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ReplyError(f"does not match the schema: {_summarize(exc)}") from None


def _summarize(exc: ValidationError) -> str:
    # Locations and messages only: pydantic's own text quotes the input, i.e. note text.
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'reply'}: {e['msg']}" for e in exc.errors()]
    more = f" (and {len(parts) - 3} more)" if len(parts) > 3 else ""
    return "; ".join(parts[:3]) + more


def _object(properties: Schema) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _text(choices: Sequence[str] | None) -> Schema:
    if choices is None:
        return {"type": "string"}
    return {"type": "string", "enum": list(dict.fromkeys(choices))}


def _nullable(choices: Sequence[str] | None) -> Schema:
    if choices is None:
        return {"type": ["string", "null"]}
    if not choices:
        return {"type": "null"}
    return {"anyOf": [_text(choices), {"type": "null"}]}
