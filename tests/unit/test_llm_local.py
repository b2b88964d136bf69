"""The local backend: a tiny randomly initialised GPT-2 through the real `generate()`.

Its byte-level BPE tokenizer is trained here on the prompts and a few notes, so its
alphabet is only the characters of that text. Random weights write garbage; xgrammar's
mask is all that makes the garbage schema-valid JSON, which is what these tests prove.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

from extract.llm.backend import ChatRequest
from extract.llm.calls import Caller, Tally
from extract.llm.extractor import LLMExtractor
from extract.llm.local import LocalBackend, bounded
from extract.llm.prompting import BUILTIN, load_prompt
from extract.llm.schema import (
    MentionsReply,
    Schema,
    TriplesReply,
    mentions_schema,
    triples_schema,
)
from extract.llm.strategies import Chain, SingleStep
from pvkg.records import Note
from tests.unit.tiny_tokenizer import byte_bpe

NOTES = [
    Note(id="a", text="Patient took aspirin 100 mg and developed a rash."),
    Note(id="b", text="No nausea on ibuprofen; family history of bleeding."),
]
ANSWER = '{"triples": [{"drug": "aspirin", "dose": null, "adverse_event": "rash", "assertion": "negated"}]}'  # noqa: E501


@pytest.fixture(scope="module")
def tiny() -> tuple[GPT2LMHeadModel, PreTrainedTokenizerFast]:
    corpus = [p.read_text() for p in sorted(BUILTIN.glob("*/*.txt"))]
    corpus += [ANSWER, '{"drugs": [], "doses": [], "adverse_events": []} speculated historical']
    corpus += [n.text for n in NOTES]
    wrapped = byte_bpe(corpus, 300)
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=wrapped.backend_tokenizer.get_vocab_size(),
        n_positions=1024,
        n_embd=16,
        n_layer=1,
        n_head=2,
        bos_token_id=0,
        eos_token_id=0,
    )
    return GPT2LMHeadModel(config), wrapped


def backend(tiny: tuple[GPT2LMHeadModel, PreTrainedTokenizerFast], **changes: int) -> LocalBackend:
    model, tokenizer = tiny
    limits = {"max_tokens": 300, "max_items": 2, "max_chars": 12, **changes}
    return LocalBackend(model, tokenizer, model_id="tiny-gpt2", **limits)


def at_least(n: int, schema: Schema, array: str = "triples") -> Schema:
    """`schema` with `n` items required, so the random model must write values, not `[]`."""
    schema["properties"][array]["minItems"] = n
    return schema


def complete(local: LocalBackend, request: ChatRequest) -> str:
    return asyncio.run(local.complete(request)).text


def test_tokenizer_alphabet_is_only_the_training_text(
    tiny: tuple[GPT2LMHeadModel, PreTrainedTokenizerFast],
) -> None:
    _, tokenizer = tiny
    assert tokenizer.vocab_size <= 300
    assert set(tokenizer.convert_ids_to_tokens(tokenizer("Ω€")["input_ids"])) == {"<unk>"}


def test_constrained_output_follows_the_schema_where_free_output_is_not_json(
    tiny: tuple[GPT2LMHeadModel, PreTrainedTokenizerFast],
) -> None:
    model, tokenizer = tiny
    local = backend(tiny)
    messages = load_prompt("zero-shot", steps=("triples",)).render("triples", text=NOTES[0].text)
    request = ChatRequest(messages, at_least(1, triples_schema()), "triples")
    reply = asyncio.run(local.complete(request))

    parsed = TriplesReply.model_validate_json(reply.text)
    assert 1 <= len(parsed.triples) <= 2 and all(len(t.drug) <= 12 for t in parsed.triples)
    assert reply.prompt_tokens > 100 and 0 < reply.completion_tokens <= 300
    assert complete(local, request) == reply.text  # greedy: the same every time

    inputs = tokenizer("\n\n".join(m["content"] for m in messages) + "\n\n", return_tensors="pt")
    free = model.generate(**inputs, max_new_tokens=60, do_sample=False, pad_token_id=0)
    with pytest.raises(json.JSONDecodeError):
        json.loads(str(tokenizer.decode(free[0, inputs["input_ids"].shape[1] :])))


def test_enum_schemas_constrain_values_to_the_listed_mentions(
    tiny: tuple[GPT2LMHeadModel, PreTrainedTokenizerFast],
) -> None:
    local = backend(tiny)
    schema = at_least(2, triples_schema(["aspirin"], [], ["rash", "nausea"]))
    parsed = TriplesReply.model_validate_json(complete(local, ChatRequest((), schema, "t")))
    assert len(parsed.triples) == 2
    for triple in parsed.triples:
        assert (triple.drug, triple.dose) == ("aspirin", None)
        assert triple.adverse_event in ("rash", "nausea", None)
    schema = at_least(2, mentions_schema(), "drugs")
    lists = MentionsReply.model_validate_json(complete(local, ChatRequest((), schema, "m")))
    assert len(lists.drugs) == 2 and all(len(drug) <= 12 for drug in lists.drugs)


def test_the_extractor_runs_on_the_local_model_with_every_span_grounded_or_counted(
    tiny: tuple[GPT2LMHeadModel, PreTrainedTokenizerFast], tmp_path: Path
) -> None:
    for strategy in (
        SingleStep(load_prompt("zero-shot", steps=("triples",))),
        Chain(load_prompt("chain", steps=("mentions", "triples"))),
    ):
        extractor = LLMExtractor(backend(tiny), strategy)
        results = list(extractor.extract_many(NOTES))
        for note, result in zip(NOTES, results, strict=True):
            assert result.note_id == note.id and result.problems == ()
            for triple in result.triples:
                triple.check_against(note)
        assert extractor.stats.requests >= 2 and extractor.stats.failed_replies == 0
        assert extractor.stats.returned_spans == sum(r.returned_spans for r in results)


def test_a_reply_cut_by_max_tokens_is_invalid_and_gets_a_correction(
    tiny: tuple[GPT2LMHeadModel, PreTrainedTokenizerFast],
) -> None:
    tally = Tally()
    caller = Caller(
        backend(tiny, max_tokens=3), prompt_version="t", sampling={}, cache=None, tally=tally
    )
    request = ChatRequest((), triples_schema(), "triples")
    with pytest.raises(ValueError, match="invalid JSON"):
        asyncio.run(caller.ask(request, TriplesReply))
    assert tally.snapshot(retries=0).repairs == 1


def test_bounds_are_added_to_free_arrays_and_strings_only() -> None:
    schema = triples_schema(["aspirin"], None, [])
    item = bounded(schema, 4, 9)["properties"]["triples"]
    assert item["maxItems"] == 4
    properties = item["items"]["properties"]
    assert "maxLength" not in properties["drug"]  # an enum needs no bound
    assert properties["dose"] == {"type": ["string", "null"], "maxLength": 9}
    assert properties["adverse_event"] == {"type": "null"}
