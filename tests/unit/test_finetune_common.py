"""The parts of fine-tuning both model kinds share: options, the split, the card, the CLI's
and the extractor factory's errors. Training itself is tested per kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.factory import build_extractor
from extract.finetune import TrainOptions, read_card
from extract.finetune.card import CARD_FILE, DataSummary, EpochRecord, ModelCard, write_card
from extract.finetune.data import training_data
from extract.finetune.validation import SELECTION_METRIC, EarlyStopping
from extract.options import ExtractOptions
from extract.scoring import DEFAULT_SEED, split_documents
from pvkg.errors import ConfigError
from pvkg.gold import GoldDocument, gold_extractor, make_document
from pvkg.records import Note, Span, Triple
from tests.conftest import FIXTURES, Cli


def documents(count: int) -> list[GoldDocument]:
    """`count` one-sentence documents in groups of three (a shared PubMed id); every
    other group states an adverse drug event."""
    docs = []
    for i in range(count):
        group = str(i // 3)
        if int(group) % 2:
            docs.append(make_document(Note(id=f"n{i}", text=f"Sentence {i}.",
                                           metadata={"pmid": group}), []))  # fmt: skip
            continue
        note = Note(id=f"n{i}", text="Aspirin caused a rash.", metadata={"pmid": group})
        triple = Triple(
            note_id=note.id,
            drug=Span(text="Aspirin", start=0, end=7),
            adverse_event=Span(text="rash", start=17, end=21),
            extractor=gold_extractor("test"),
        )
        docs.append(make_document(note, [triple]))
    return docs


def card(**changes: object) -> ModelCard:
    fields: dict[str, object] = {
        "kind": "encoder",
        "base_model": "/models/all-MiniLM-L6-v2",
        "created": "2026-11-27T08:00:00Z",
        "seed": 7,
        "data": DataSummary(
            sources=("ade_corpus_v2",),
            train_documents=90,
            validation_documents=10,
            train_triples=40,
            validation_triples=5,
            split="by document",
        ),
        "hyperparameters": {"learning_rate": 5e-5, "epochs": 3},
        "history": (
            EpochRecord(
                epoch=1, steps=10, train_loss=0.9, validation={SELECTION_METRIC: 0.5}, seconds=3
            ),
        ),
        "best_epoch": 1,
        "metrics": {SELECTION_METRIC: 0.5},
        "selection_metric": SELECTION_METRIC,
        "stopped": "max epochs",
        "hardware": "x86_64 CPU, 2 cores",
        "seconds": 3.0,
    }
    fields.update(changes)
    return ModelCard.model_validate(fields)


def test_card_round_trips_and_renders(tmp_path: Path) -> None:
    written = card()
    write_card(written, tmp_path)
    assert read_card(tmp_path) == written
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "all-MiniLM-L6-v2" in readme and "| 1 | 10 | 0.9000 | 0.5000 | 3 |" in readme
    assert written.model_id == "encoder:all-MiniLM-L6-v2@2026-11-27T08:00:00Z"


def test_card_rejects_unknown_fields_and_a_missing_folder(tmp_path: Path) -> None:
    write_card(card(), tmp_path)
    raw = json.loads((tmp_path / CARD_FILE).read_text(encoding="utf-8"))
    (tmp_path / CARD_FILE).write_text(json.dumps({**raw, "surprise": 1}), encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read"):
        read_card(tmp_path)
    with pytest.raises(ConfigError, match="not a pvkg fine-tuned model"):
        read_card(tmp_path / "nothing-here")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "svm"}, "unknown model kind"),
        ({"validation_fraction": 1.0}, "not between 0 and 1"),
        ({"epochs": 0}, "epochs must be at least 1"),
        ({"patience": 0}, "patience must be at least 1"),
        ({"precision": "float16"}, "precision` must be one of auto, float32, bfloat16"),
    ],
)
def test_options_are_checked(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TrainOptions(**{"kind": "encoder", "output": Path("m"), **changes})  # type: ignore[arg-type]


def test_split_is_by_document_group_and_seeded() -> None:
    docs = documents(40)
    first = training_data(docs, sources=["x"], validation_fraction=0.4, seed=3)
    again = training_data(list(reversed(docs)), sources=["x"], validation_fraction=0.4, seed=3)
    assert {d.note.id for d in first.validation} == {d.note.id for d in again.validation}
    groups = {d.note.metadata.get("pmid") for d in first.validation}
    assert groups.isdisjoint({d.note.metadata.get("pmid") for d in first.train} - {None})
    summary = first.summary()
    assert summary.train_documents + summary.validation_documents == 40
    assert "seed 3" in summary.split


def test_validation_is_not_empty_after_the_evaluation_split_with_the_same_seed() -> None:
    docs = documents(300)
    kept = split_documents(docs, 0.3, seed=DEFAULT_SEED).train
    data = training_data(kept, sources=["x"], validation_fraction=0.1, seed=DEFAULT_SEED)
    assert 0.04 < len(data.validation) / len(kept) < 0.2


def test_split_with_nothing_to_learn_says_so() -> None:
    no_triples = [d for d in documents(30) if not d.triples]
    with pytest.raises(ConfigError, match="no gold triples"):
        training_data(no_triples, sources=["x"], validation_fraction=0.5, seed=2)
    with pytest.raises(ConfigError, match="both sides need at least one"):
        training_data(documents(1), sources=["x"], validation_fraction=0.5, seed=1)


def test_early_stopping_waits_patience_epochs() -> None:
    stopping = EarlyStopping(patience=2)
    assert stopping.improved(1, {SELECTION_METRIC: 0.3})
    assert not stopping.improved(2, {SELECTION_METRIC: 0.3})
    assert not stopping.should_stop
    assert not stopping.improved(3, {SELECTION_METRIC: 0.2})
    assert stopping.should_stop and stopping.best_epoch == 1


def test_finetuned_extractor_needs_a_model_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs a model"):
        build_extractor(ExtractOptions(extractor="finetuned"))
    with pytest.raises(ConfigError, match="not a pvkg fine-tuned model"):
        build_extractor(ExtractOptions(extractor="finetuned", model_path=tmp_path))


def test_train_refuses_a_non_empty_output_folder(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "old.bin").write_bytes(b"x")
    result = cli("train", FIXTURES / "brat", "-o", tmp_path)
    assert result.exit_code == 2
    assert "exists and is not empty" in result.stderr
    assert "hint: choose a new folder" in result.stderr


def test_train_reports_a_missing_gold_path(cli: Cli, tmp_path: Path) -> None:
    result = cli("train", tmp_path / "none", "-o", tmp_path / "m")
    assert result.exit_code != 0 and "no such file or folder" in result.stderr
    assert not (tmp_path / "m").exists()
