"""`pvkg phenotype index`: note sentences into the sentence index."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from extract.phenotype import (
    PhenotypeOptions,
)
from extract.text import sentences
from loaders.notes import NoteColumns, read_notes
from pvkg.app.phenotyping.notes import patient_of
from pvkg.batching import chunked
from pvkg.problems import ErrorHandler


@dataclass
class IndexSummary:
    notes: int = 0
    sentences: int = 0
    added: int = 0
    total: int = 0
    ann: bool = False


def index_notes(
    notes: Sequence[str | Path],
    index_dir: str | Path,
    options: PhenotypeOptions = PhenotypeOptions(),
    columns: NoteColumns = NoteColumns(),
    *,
    batch_size: int = 512,
    on_error: ErrorHandler | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> IndexSummary:
    """Add every sentence of `notes` to the sentence index at `index_dir`, embedding only
    the ones not stored yet; build the approximate index once the index is large."""
    from extract.phenotype.embedder import SentenceEncoder
    from kg.sentence_index import Sentence, open_sentence_index

    encoder = SentenceEncoder(options.embedding_model, dtype=options.embedding_dtype)
    index = open_sentence_index(index_dir, encoder.dimension)
    summary = IndexSummary()

    def sentences_of_notes() -> Iterable[Sentence]:
        for path in notes:
            for note in read_notes(path, on_error=on_error, id_field=columns.id_field,
                                   text_field=columns.text_field):  # fmt: skip
                summary.notes += 1
                patient = patient_of(note, options.patient_field)
                for w in sentences(note.text):
                    yield Sentence(patient, note.id, w.start, w.end, note.text[w.start : w.end])

    try:
        for batch in chunked(sentences_of_notes(), batch_size):
            summary.sentences += len(batch)
            summary.added += index.add(batch, encoder.encode)
            if on_batch is not None:
                on_batch(len(batch))
        summary.total = len(index)
        summary.ann = summary.added > 0 and index.build_ann()
    finally:
        index.close()
    return summary
