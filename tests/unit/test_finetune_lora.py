"""LoRA fine-tuning on a tiny randomly initialised Llama-style model, end to end on CPU.

The base (hidden size 32, two layers) and its byte-level BPE tokenizer are built here and
saved as a Hugging Face folder; the gold data is a dozen ADE-format sentences in
tests/fixtures/finetune/lora_ade. A few seconds of training must lower the loss, and the
saved adapter must load through `load_finetuned` and extract schema-valid triples whose
spans are all in the note, with the LLM extractor's provenance.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from extract.finetune import TrainEvent, TrainOptions, load_finetuned, read_card, train_model
from extract.finetune.data import training_data
from extract.finetune.lora import train_lora
from extract.finetune.lora.base import use_4bit
from extract.finetune.lora.examples import IGNORE, encode, reply, window_replies
from extract.llm.extractor import LLMExtractor, Windowing
from extract.llm.prompting import BUILTIN
from extract.llm.schema import TriplesReply
from loaders import ade_corpus
from pvkg.errors import ConfigError
from pvkg.gold import GoldDocument
from tests.unit.tiny_tokenizer import byte_bpe

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "finetune" / "lora_ade"


@pytest.fixture(scope="module")
def documents() -> list[GoldDocument]:
    return list(ade_corpus.iter_documents(FIXTURE))


@pytest.fixture(scope="module")
def base(documents: list[GoldDocument], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Llama saved as a model folder, its tokenizer trained on prompts and replies."""
    corpus = [p.read_text() for p in sorted(BUILTIN.glob("*/*.txt"))]
    corpus += [d.note.text for d in documents] + [reply(d.triples) for d in documents]
    wrapped = byte_bpe(corpus, 400)
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=wrapped.backend_tokenizer.get_vocab_size(),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        initializer_range=0.5,
        bos_token_id=0,
        eos_token_id=0,
    )
    folder = tmp_path_factory.mktemp("tiny-llama")
    LlamaForCausalLM(config).save_pretrained(folder)
    wrapped.save_pretrained(folder)
    return folder


def options(base: Path, output: Path, **changes: object) -> TrainOptions:
    settings: dict[str, object] = {
        "kind": "lora",
        "output": output,
        "base_model": base,
        "epochs": 3,
        "patience": 3,
        "learning_rate": 1e-2,
        "batch_size": 2,
        "max_length": 1024,
        "validation_fraction": 0.3,
        "max_validation_documents": 2,
        "device": "cpu",
        "threads": 1,
        "lora_r": 8,
        "lora_alpha": 16,
        "lora_dropout": 0.0,
        **changes,
    }
    return TrainOptions(**settings)  # type: ignore[arg-type]


def test_the_reply_is_the_grammar_s_json_of_the_gold_triples(
    documents: list[GoldDocument],
) -> None:
    amiodarone = next(d for d in documents if d.note.id == "1008:1")
    ((text, answer),) = window_replies(amiodarone, Windowing())
    assert text == amiodarone.note.text
    assert answer == (
        '{"triples": [{"drug": "Amiodarone", "dose": null, "adverse_event": "rash", '
        '"assertion": "present"}, {"drug": "Amiodarone", "dose": null, '
        '"adverse_event": "nausea", "assertion": "present"}]}'
    )
    assert TriplesReply.model_validate_json(answer).triples[1].adverse_event == "nausea"
    assert reply(()) == '{"triples": []}'


def test_only_the_reply_and_its_end_are_learned(base: Path) -> None:
    tokenizer = PreTrainedTokenizerFast.from_pretrained(base)
    example = encode(tokenizer, "Note:\nrash\n\n", '{"triples": []}', eos=0)
    asked = len(tokenizer("Note:\nrash\n\n")["input_ids"])
    assert example.labels[:asked] == (IGNORE,) * asked
    assert example.labels[asked:] == example.input_ids[asked:]
    assert example.input_ids[-1] == 0


def test_training_lowers_the_loss_and_saves_an_adapter_that_extracts_grounded_triples(
    base: Path, documents: list[GoldDocument], tmp_path: Path
) -> None:
    events: list[TrainEvent] = []
    output = tmp_path / "model"
    card = train_model(documents, options(base, output), sources=["ade"], on_event=events.append)

    losses = [e.loss for e in events if e.loss is not None]
    assert sum(losses[-4:]) / 4 < sum(losses[:4]) / 4 - 0.5
    assert len([e for e in events if e.validation_f1 is not None]) == len(card.history)
    assert {"adapter_config.json", "adapter_model.safetensors", "pvkg-model.json"} <= {
        p.name for p in output.iterdir()
    }
    assert read_card(output) == card
    assert card.kind == "lora" and card.base_model == str(base.resolve())
    assert card.hyperparameters["prompt_version"] == "zero-shot/v1"
    assert card.hyperparameters["target_modules"] == "k_proj,o_proj,q_proj,v_proj"
    assert card.data.validation_documents == 2 and card.best_epoch >= 1

    extractor = load_finetuned(output, device="cpu")
    assert isinstance(extractor, LLMExtractor)
    assert extractor.info.name == "llm:finetuned-lora:model"
    assert extractor.info.prompt_version == "zero-shot/v1"
    notes = documents[:4]
    results = list(extractor.extract_many(d.note for d in notes))
    assert [r.note_id for r in results] == [d.note.id for d in notes]
    assert extractor.stats.failed_replies == 0  # every reply parsed as the schema asks
    for document, result in zip(notes, results, strict=True):
        assert result.problems == ()
        for triple in result.triples:  # the tiny model's quotes are mostly dropped: random
            triple.check_against(document.note)
            assert triple.extractor == extractor.info


def test_a_missing_base_or_4bit_without_cuda_is_a_config_error(
    base: Path, documents: list[GoldDocument], tmp_path: Path
) -> None:
    data = training_data(documents, sources=["ade"], validation_fraction=0.3, seed=1)
    with pytest.raises(ConfigError, match="does not exist"):
        train_lora(data, options(tmp_path / "nowhere", tmp_path / "m"))
    with pytest.raises(ConfigError, match="CUDA"):
        use_4bit("4bit", "cpu", base)
    assert not use_4bit("auto", "cpu", base) and not use_4bit("none", "cuda", base)
