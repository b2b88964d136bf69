"""The sentence index: real LanceDB on disk, real all-MiniLM-L6-v2 embeddings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from extract.phenotype.embedder import SentenceEncoder
from kg.sentence_index import Sentence, SentenceIndex
from pvkg.app.phenotyping import index_notes
from pvkg.errors import ConfigError
from tests.conftest import FIXTURES, Cli

NOTES = FIXTURES / "phenotype" / "notes.jsonl"


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder()


def test_embeddings_are_unit_vectors_that_put_like_sentences_close(
    encoder: SentenceEncoder,
) -> None:
    vectors = encoder.encode(["Hepatitis after isoniazid.", "Liver injury due to isoniazid.",
                              "The weather was fine."])  # fmt: skip
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1)
    assert vectors[0] @ vectors[1] > 0.6 > 0.2 > vectors[0] @ vectors[2]
    assert encoder.encode([]).shape == (0, 384)


def test_length_batching_keeps_the_order_and_bfloat16_stays_close(
    encoder: SentenceEncoder,
) -> None:
    texts = [
        "A much longer sentence about hepatitis after six weeks of isoniazid.",
        "Rash.",
        "Liver injury.",
        "The weather was fine today, and nothing else happened at all.",
    ]
    one_by_one = np.stack([encoder.encode([t])[0] for t in texts])
    batched = SentenceEncoder(batch_size=2, dtype=encoder.dtype).encode(texts)
    assert np.allclose(batched, one_by_one, atol=2e-2 if encoder.dtype == "bfloat16" else 1e-5)
    exact = SentenceEncoder(dtype="float32").encode(texts)
    half = SentenceEncoder(dtype="bfloat16").encode(texts)
    assert np.einsum("ij,ij->i", exact, half).min() > 0.999
    with pytest.raises(ConfigError, match="unknown precision 'int4'"):
        SentenceEncoder(dtype="int4")  # type: ignore[arg-type]


def test_indexing_is_incremental_and_idempotent(tmp_path: Path) -> None:
    first = index_notes([NOTES], tmp_path / "ix")
    again = index_notes([NOTES], tmp_path / "ix")
    assert (first.notes, first.sentences, first.added, first.total) == (6, 10, 10, 10)
    assert (again.added, again.total) == (0, 10) and not first.ann
    more = tmp_path / "more.jsonl"
    more.write_text('{"id": "m1", "text": "Severe hepatitis.", "metadata": {"subject_id": "p4"}}\n')
    assert index_notes([NOTES, more], tmp_path / "ix").added == 1


def test_a_changed_note_loses_the_sentences_it_no_longer_has(
    tmp_path: Path, encoder: SentenceEncoder
) -> None:
    notes = tmp_path / "notes.jsonl"
    notes.write_text('{"id": "a", "text": "Rash on day two. Fever later."}\n'
                     '{"id": "b", "text": "No complaints."}\n')  # fmt: skip
    index_notes([notes], tmp_path / "ix")
    notes.write_text('{"id": "a", "text": "Rash on day two. No fever."}\n'
                     '{"id": "b", "text": "No complaints."}\n')  # fmt: skip
    again = index_notes([notes], tmp_path / "ix")
    assert (again.added, again.removed, again.total) == (1, 1, 3)
    index = SentenceIndex(tmp_path / "ix", encoder.dimension)
    texts = {h.sentence.text for h in index.search(encoder.encode(["fever"])[0], 5)}
    assert texts == {"Rash on day two.", "No fever.", "No complaints."}
    assert index_notes([notes], tmp_path / "ix").removed == 0


def test_search_ranks_by_meaning_within_one_patient(
    tmp_path: Path, encoder: SentenceEncoder
) -> None:
    index = SentenceIndex(tmp_path / "ix", encoder.dimension)
    sentences = [Sentence("p1", "n1", 0, 30, "Jaundice and raised bilirubin."),
                 Sentence("p1", "n1", 31, 52, "The weather was fine."),
                 Sentence("o'neil", "n2", 0, 20, "Hepatitis was seen.")]  # fmt: skip
    assert index.add(sentences, encoder.encode) == 3
    query = encoder.encode(["liver injury"])[0]
    hits = index.search(query, 2, patient="p1")
    assert [h.sentence.text for h in hits] == ["Jaundice and raised bilirubin.",
                                               "The weather was fine."]  # fmt: skip
    assert hits[0].score > hits[1].score
    assert [h.sentence.note_id for h in index.search(query, 5, patient="o'neil")] == ["n2"]
    with pytest.raises(ConfigError, match="holds 384-dimensional vectors"):
        SentenceIndex(tmp_path / "ix", 768)


def test_the_cli_indexes_notes(tmp_path: Path, cli: Cli) -> None:
    ran = cli("phenotype", "index", NOTES, "-o", tmp_path / "ix")
    assert ran.exit_code == 0, ran.stderr
    assert "10 sentences of 6 notes: 10 added, 0 stale removed, 10 in" in ran.stderr


def test_the_approximate_index_answers_like_exact_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real IVF-SQ index, built at a lower size threshold so the test stays small.
    monkeypatch.setattr("kg.sentence_index.ANN_MIN_ROWS", 3000)
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(4000, 16)).astype("float32")
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = SentenceIndex(tmp_path / "ix", 16)
    sentences = [Sentence(f"p{i % 50}", f"n{i}", 0, 5, f"s{i}") for i in range(4000)]
    assert not index.build_ann()  # empty: nothing to index yet
    index.add(sentences, lambda texts: vectors[[int(t[1:]) for t in texts]])
    assert index.build_ann()
    exact = np.argsort(-(vectors @ vectors[7]))[:5]
    found = [int(h.sentence.text[1:]) for h in index.search(vectors[7], 5)]
    assert found[0] == 7 and len(set(found) & set(exact.tolist())) >= 4
    assert {h.sentence.patient for h in index.search(vectors[7], 3, patient="p7")} == {"p7"}
