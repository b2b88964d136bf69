"""Gold documents as training examples: the extractor's own prompt, then the reply to learn.

Each example is exactly what the LLM extractor sends for a window of a note (same prompt
files, same chat template through `chat_prompt`, same windows), followed by the JSON reply
built from the window's gold triples and the end-of-sequence token that stops generation.
The reply is written the way the schema grammar makes the model write it (json.dumps'
default ", " and ": " separators, keys in schema order, raw non-ASCII), so training and
constrained decoding agree token for token. Only reply tokens are learned: the prompt's
labels are IGNORE.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from transformers import PreTrainedTokenizerBase

from extract.llm.extractor import Windowing
from extract.llm.local import chat_prompt
from extract.llm.prompting import Prompt
from extract.text import Window, windows
from pvkg.gold import GoldDocument
from pvkg.records import Span, Triple

IGNORE = -100  # the label cross-entropy skips


@dataclass(frozen=True)
class Example:
    input_ids: tuple[int, ...]
    labels: tuple[int, ...]


@dataclass(frozen=True)
class Examples:
    """The examples that fit `max_length`, and how many windows did not."""

    kept: tuple[Example, ...]
    too_long: int


def reply(triples: Sequence[Triple]) -> str:
    """The triples reply for `triples`, each statement once, in order of the note."""
    ordered = sorted(triples, key=_position)
    items = {
        (t.drug.text, _text(t.dose), _text(t.adverse_event), t.assertion): None for t in ordered
    }
    triples_json = [
        {"drug": drug, "dose": dose, "adverse_event": event, "assertion": assertion}
        for drug, dose, event, assertion in items
    ]
    return json.dumps({"triples": triples_json}, ensure_ascii=False)


def window_replies(document: GoldDocument, windowing: Windowing) -> Iterator[tuple[str, str]]:
    """(window text, reply) for each window the extractor would send of the note; a triple
    belongs to every window that holds all its spans."""
    text = document.note.text
    for window in windows(text, windowing.size, windowing.overlap):
        inside = [t for t in document.triples if _within(t, window)]
        yield text[window.start : window.end], reply(inside)


def build_examples(
    documents: Iterable[GoldDocument],
    prompt: Prompt,
    tokenizer: PreTrainedTokenizerBase,
    *,
    eos: int,
    max_length: int,
    windowing: Windowing,
) -> Examples:
    kept: list[Example] = []
    too_long = 0
    for document in documents:
        for text, answer in window_replies(document, windowing):
            asked = chat_prompt(tokenizer, prompt.render("triples", text=text))
            example = encode(tokenizer, asked, answer, eos)
            if len(example.input_ids) > max_length:
                too_long += 1  # a cut reply would teach the model to stop mid-JSON
            else:
                kept.append(example)
    return Examples(tuple(kept), too_long)


def encode(tokenizer: PreTrainedTokenizerBase, prompt: str, answer: str, eos: int) -> Example:
    """Prompt and reply tokenized apart, as generation sees them: the prompt is encoded
    whole and the reply's tokens come after it, then `eos`, the token generation stops on."""
    asked = _ids(tokenizer, prompt)
    answered = [*_ids(tokenizer, answer), eos]
    return Example(tuple(asked + answered), tuple([IGNORE] * len(asked) + answered))


def _ids(tokenizer: PreTrainedTokenizerBase, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def _text(span: Span | None) -> str | None:
    return span.text if span is not None else None


def _position(triple: Triple) -> tuple[int, int]:
    event = triple.adverse_event
    return triple.drug.start, event.start if event is not None else -1


def _within(triple: Triple, window: Window) -> bool:
    spans = [triple.drug, triple.dose, triple.adverse_event]
    return all(window.start <= s.start and s.end <= window.end for s in spans if s is not None)
