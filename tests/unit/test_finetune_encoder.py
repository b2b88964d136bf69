"""The fine-tuned encoder on a tiny random BERT: it trains, saves, loads and extracts."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from transformers import AutoTokenizer, BertConfig, BertModel

from extract.finetune import TrainEvent, TrainOptions, load_finetuned, read_card, train_model
from extract.finetune.card import CARD_FILE, README_FILE, ModelCard, write_card
from extract.finetune.data import TrainingData, training_data
from extract.finetune.encoder import EncoderExtractor, load_encoder_extractor, train_encoder
from extract.finetune.encoder.base import base_model_dir
from extract.finetune.encoder.examples import LEARNED_ASSERTIONS, Labelling, document_examples
from extract.finetune.encoder.inference import Prediction
from extract.finetune.encoder.pairs import Candidate, Entity
from extract.finetune.encoder.pieces import Piece, note_pieces
from extract.finetune.encoder.spans import enumerate_spans, piece_words, token_range
from extract.finetune.encoder.storage import CONFIG_FILE, ENCODER_DIR, HEADS_FILE
from extract.finetune.encoder.trainer import TYPES
from extract.precision import resolve_precision
from loaders import ade_corpus
from pvkg import __version__
from pvkg.errors import ConfigError
from pvkg.gold import GoldDocument, gold_extractor, make_document
from pvkg.records import Assertion, MentionKind, Note, Span, Triple

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "finetune" / "ade"


@pytest.fixture(scope="module")
def documents() -> list[GoldDocument]:
    return list(ade_corpus.iter_documents(FIXTURE))


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised two-layer BERT with the packaged MiniLM tokenizer."""
    folder = tmp_path_factory.mktemp("tiny-bert")
    tokenizer = AutoTokenizer.from_pretrained(base_model_dir(None), local_files_only=True)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def options(output: Path, base: Path, **changes: object) -> TrainOptions:
    values: dict[str, object] = {
        "epochs": 20,
        "patience": 20,
        "learning_rate": 5e-3,
        "batch_size": 4,
        "max_length": 64,
        "validation_fraction": 0.3,
        "threads": 1,
        "device": "cpu",
    }
    values.update(changes)
    return TrainOptions(kind="encoder", output=output, base_model=base, **values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def trained(
    tmp_path_factory: pytest.TempPathFactory, tiny_model: Path, documents: list[GoldDocument]
) -> tuple[Path, ModelCard, list[TrainEvent]]:
    """The tiny model trained on the whole fixture and validated on its positive notes: a
    random model cannot generalise to held-out notes, but its fitting the data shows."""
    output = tmp_path_factory.mktemp("trained") / "ade-tiny"
    data = TrainingData(
        train=tuple(documents),
        validation=tuple(d for d in documents if d.triples),
        sources=("ade_corpus_v2",),
        validation_fraction=0.3,
        seed=1,
    )
    events: list[TrainEvent] = []
    card = train_encoder(data, options(output, tiny_model), on_event=events.append)
    write_card(card, output)
    return output, card, events


@pytest.fixture(scope="module")
def extractor(trained: tuple[Path, ModelCard, list[TrainEvent]]) -> EncoderExtractor:
    output, card, _ = trained
    return load_encoder_extractor(output, card, device="cpu")


def test_the_loss_falls(trained: tuple[Path, ModelCard, list[TrainEvent]]) -> None:
    _, card, events = trained
    losses = [e.loss for e in events if e.loss is not None]
    assert len(losses) > 10
    assert card.history[-1].train_loss < 0.5 * card.history[0].train_loss
    assert sum(losses[-3:]) < sum(losses[:3])
    assert [e.epoch for e in events if e.validation_f1 is not None] == [
        r.epoch for r in card.history
    ]


def test_the_model_and_its_card_are_saved(
    trained: tuple[Path, ModelCard, list[TrainEvent]],
) -> None:
    output, card, _ = trained
    for name in (CARD_FILE, README_FILE, CONFIG_FILE, HEADS_FILE, ENCODER_DIR):
        assert (output / name).exists(), name
    assert read_card(output) == card
    assert card.kind == "encoder"
    assert card.data.train_documents == 22
    assert 1 < card.best_epoch <= len(card.history) == 20
    assert card.metrics == card.history[card.best_epoch - 1].validation
    assert card.metrics["strict drug-adverse_event f1"] > 0.1
    assert card.stopped == "completed 20 epochs"
    assert card.hyperparameters["learning_rate"] == 5e-3
    assert str(card.hyperparameters["spans"]).startswith("whole words, up to 10 words")
    assert "negative_sampling" in card.hyperparameters
    assert card.hyperparameters["precision"] == resolve_precision("auto", "cpu")


def test_the_loaded_model_extracts_grounded_triples(
    trained: tuple[Path, ModelCard, list[TrainEvent]], documents: list[GoldDocument]
) -> None:
    output, card, _ = trained
    extractor = load_finetuned(output, device="cpu")
    assert extractor.info.name == "finetuned-encoder:ade-tiny"
    assert extractor.info.version == __version__
    assert extractor.info.prompt_version == card.model_id
    results = list(extractor.extract_many(d.note for d in documents))
    triples = [t for r in results for t in r.triples]
    assert len(triples) >= 3  # the tiny model has learned some of the fixture
    notes = {d.note.id: d.note for d in documents}
    for result in results:
        assert result.dropped_spans == 0
        assert result.returned_spans == len(result.mentions)
        for mention in result.mentions:
            mention.span.check_against(notes[result.note_id].text)
    for triple in triples:
        Triple.model_validate(triple.model_dump(), context={"notes": notes})
        triple.check_against(notes[triple.note_id])
        assert triple.extractor == extractor.info
        assert triple.adverse_event is not None or triple.dose is not None


def test_long_notes_are_cut_and_mapped_back(
    extractor: EncoderExtractor, documents: list[GoldDocument]
) -> None:
    text = "\n\n".join(d.note.text for d in documents) + " " + "word " * 200
    note = Note(id="long", text=text)
    result = extractor.extract(note)
    assert result.triples
    for triple in result.triples:
        triple.check_against(note)
        assert triple.evidence is not None
        assert triple.drug.start >= triple.evidence.start


def test_links_become_triples_with_context_assertion(extractor: EncoderExtractor) -> None:
    note = Note(id="n", text="There was no evidence of acute pancreatitis after azathioprine.")
    (piece,) = note_pieces(extractor.tokenizer, note.text, 62)
    entities = (
        _entity(piece, note, "adverse_event", "acute pancreatitis"),
        _entity(piece, note, "drug", "azathioprine"),
        Entity("dose", (0, 0), 1, 0, 0),  # empty: dropped and counted
    )
    prediction = Prediction(entities, ((Candidate(0, 1, 0), 0.75),))
    result = extractor._result(note, [(piece, prediction)])
    (triple,) = result.triples
    assert (triple.drug.text, triple.adverse_event and triple.adverse_event.text) == (
        "azathioprine",
        "acute pancreatitis",
    )
    assert triple.assertion == "negated"
    assert triple.confidence == 0.75
    assert triple.evidence is not None and triple.evidence.text == note.text
    assert (result.returned_spans, result.dropped_spans, len(result.mentions)) == (3, 1, 2)


def test_a_drug_that_is_a_defined_short_form_carries_its_long_form(
    extractor: EncoderExtractor,
) -> None:
    note = Note(id="n", text="Valproic acid (VPA) was given; VPA caused hepatotoxicity.")
    (piece,) = note_pieces(extractor.tokenizer, note.text, 62)
    drug = note.text.rindex("VPA")  # the later use, not the definition
    entities = (
        Entity("drug", _range(piece, drug, drug + 3), 1, drug, drug + 3),
        _entity(piece, note, "adverse_event", "hepatotoxicity"),
    )
    result = extractor._result(note, [(piece, Prediction(entities, ((Candidate(0, 0, 1), 0.9),)))])
    (triple,) = result.triples
    assert (triple.drug.text, triple.drug.expansion) == ("VPA", "Valproic acid")
    assert triple.adverse_event is not None and triple.adverse_event.expansion is None


def test_a_learned_negation_or_speculation_wins_and_historical_comes_from_context(
    extractor: EncoderExtractor,
) -> None:
    note = Note(id="n", text="She had a history of rash after penicillin.")
    (piece,) = note_pieces(extractor.tokenizer, note.text, 62)
    entities = (
        _entity(piece, note, "adverse_event", "rash"),
        _entity(piece, note, "drug", "penicillin"),
    )
    links = ((Candidate(0, 1, 0), 0.8),)

    def assertion(learned: Assertion) -> Assertion:
        prediction = Prediction(entities, links, (learned, None))
        (triple,) = extractor._result(note, [(piece, prediction)]).triples
        return triple.assertion

    assert assertion("speculated") == "speculated"
    assert assertion("present") == "historical"  # the rules' "history of"


def test_examples_carry_the_assertion_of_gold_events(tiny_model: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_model, local_files_only=True)
    text = "Warfarin did not cause bleeding."
    note = Note(id="n", text=text, metadata={"source": "phee"})
    drug = Span(text="Warfarin", start=0, end=8)
    event = Span(text="bleeding", start=text.index("bleeding"), end=text.index("bleeding") + 8)
    gold = make_document(
        note,
        [
            Triple(
                note_id="n",
                drug=drug,
                adverse_event=event,
                assertion="negated",
                extractor=gold_extractor("phee"),
            )
        ],
    )
    (example,) = document_examples(gold, tokenizer, 62, Labelling(TYPES))
    kinds = [e.kind for e in example.entities]
    assert example.assertions == ((kinds.index("adverse_event"), 1),)  # LEARNED: negated
    assert LEARNED_ASSERTIONS[1] == "negated"


def test_a_kind_no_document_marks_everywhere_is_not_left_open(
    tiny_model: Path, documents: list[GoldDocument]
) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_model, local_files_only=True)
    document = next(d for d in documents if d.triples)
    assert document.annotated == ("drug", "adverse_event")  # the ADE corpus: doses partly
    dose = 1 + TYPES.index("dose")

    def open_classes(exhaustive: set[MentionKind] | None) -> tuple[int, ...]:
        (example, *_) = document_examples(
            document, tokenizer, 62, Labelling(TYPES, exhaustive=exhaustive)
        )
        return example.open_classes

    assert dose in open_classes({"drug", "dose", "adverse_event"})  # PHEE marks doses
    assert open_classes({"drug", "adverse_event"}) == ()  # the ADE corpus alone


def _entity(piece: Piece, note: Note, kind: MentionKind, text: str) -> Entity:
    """The first occurrence of `text` in the note as an entity of `piece`."""
    start = note.text.index(text)
    return Entity(
        kind, _range(piece, start, start + len(text)), len(text.split()), start, start + len(text)
    )


def _range(piece: Piece, start: int, end: int) -> tuple[int, int]:
    found = token_range(piece, start, end)
    assert found is not None
    return found


def test_train_model_splits_trains_and_writes_a_loadable_model(
    tmp_path: Path, tiny_model: Path, documents: list[GoldDocument]
) -> None:
    output = tmp_path / "model"
    card = train_model(
        documents, options(output, tiny_model, max_minutes=1e-4), sources=["ade_corpus_v2"]
    )
    assert card.stopped.startswith("time limit of 0.0001 minutes, in epoch 1")
    assert len(card.history) == 1 and card.best_epoch == 1
    assert card.data.validation_documents > 0
    assert read_card(output) == card
    assert "all-MiniLM" not in card.base_model  # the given base, not the packaged one
    note = documents[0].note
    assert load_finetuned(output, device="cpu").extract(note).note_id == note.id


def test_train_encoder_rejects_a_folder_without_a_model(
    tmp_path: Path, documents: list[GoldDocument]
) -> None:
    data = training_data(documents, sources=["ade"], validation_fraction=0.3, seed=1)
    with pytest.raises(ConfigError, match=r"no config\.json"):
        train_encoder(data, options(tmp_path / "out", tmp_path))


def test_loading_an_incomplete_model_folder_fails_clearly(
    trained: tuple[Path, ModelCard, list[TrainEvent]], tmp_path: Path
) -> None:
    _, card, _ = trained
    (tmp_path / ENCODER_DIR).mkdir()
    (tmp_path / CONFIG_FILE).write_text("{}")
    with pytest.raises(ConfigError, match=r"heads\.safetensors is missing"):
        load_encoder_extractor(tmp_path, card)


def test_pieces_carry_note_offsets(tiny_model: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_model, local_files_only=True)
    text = "First line.\n\nCisplatin-induced nausea."
    pieces = note_pieces(tokenizer, text, max_tokens=4)
    assert [text[p.start : p.end] for p in pieces] == [
        "First line.",
        "Cisplatin-",
        "induced nausea.",
    ]
    assert pieces[1].sentence == pieces[2].sentence


def test_spans_are_whole_words_never_punctuation_at_an_edge(tiny_model: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_model, local_files_only=True)
    text = "Valproic acid (VPA), TMP-SMX and vitamin A in the mother."
    (piece,) = note_pieces(tokenizer, text, max_tokens=62)
    spans = enumerate_spans(piece_words(piece, text))
    found = {text[s:e] for s, e in spans.chars}
    assert {"Valproic", "Valproic acid", "VPA", "TMP-SMX", "acid (VPA", "vitamin A"} <= found
    assert not {"and", "A", "in the", "in", "the"} & found  # function words alone
    assert not any(f[0] in "(),.-" or f[-1] in "(),.-" for f in found)
    words = {w for f in found for w in f.split()}
    assert "Valpro" not in words and "##pro" not in words
    assert all(0 < w <= 10 for w in spans.widths)
