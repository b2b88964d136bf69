"""`pvkg phenotype index`: note sentences into the sentence index."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from extract.phenotype import (
    PhenotypeOptions,
)
from extract.text import sentences
from loaders.notes import NoteColumns, read_notes
from pvkg.app.phenotyping.notes import patient_of
from pvkg.problems import ErrorHandler

if TYPE_CHECKING:
    from kg.sentence_index import Sentence


@dataclass
class IndexSummary:
    notes: int = 0
    sentences: int = 0
    added: int = 0
    removed: int = 0  # sentences of re-indexed notes that their text no longer has
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
    the ones not stored yet and removing those a re-indexed note no longer has; compact and
    build the approximate index once the index is large."""
    from extract.phenotype.embedder import SentenceEncoder
    from kg.sentence_index import Sentence, open_sentence_index

    encoder = SentenceEncoder(options.embedding_model, dtype=options.embedding_dtype)
    index = open_sentence_index(index_dir, encoder.dimension)
    summary = IndexSummary()

    def notes_sentences() -> Iterator[tuple[str, list[Sentence]]]:
        for path in notes:
            for note in read_notes(path, on_error=on_error, id_field=columns.id_field,
                                   text_field=columns.text_field):  # fmt: skip
                summary.notes += 1
                patient = patient_of(note, options.patient_field)
                yield note.id, [Sentence(patient, note.id, w.start, w.end,
                                         note.text[w.start : w.end])
                                for w in sentences(note.text)]  # fmt: skip

    changed = False
    try:
        for note_ids, batch in _whole_notes(notes_sentences(), batch_size):
            summary.sentences += len(batch)
            added = index.add(batch, encoder.encode)
            removed = index.drop_stale(note_ids, {s.id for s in batch})
            summary.added, summary.removed = summary.added + added, summary.removed + removed
            changed = changed or bool(added or removed)
            if on_batch is not None:
                on_batch(len(batch))
        if changed:
            index.compact()
        summary.total = len(index)
        summary.ann = changed and index.build_ann()
    finally:
        index.close()
    return summary


def _whole_notes(
    notes: Iterable[tuple[str, list[Sentence]]], size: int
) -> Iterator[tuple[list[str], list[Sentence]]]:
    """Batches of about `size` sentences that never split a note, so that a note's stale
    sentences are judged against all of its current ones."""
    ids: list[str] = []
    batch: list[Sentence] = []
    for note_id, note_sentences in notes:
        ids.append(note_id)
        batch.extend(note_sentences)
        if len(batch) >= size:
            yield ids, batch
            ids, batch = [], []
    if ids:
        yield ids, batch
