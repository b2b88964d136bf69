"""pvkg's own files as gold: Triple JSONL plus the Note JSONL the triples point into.

Every note is a document (notes without triples have no gold triples); mentions are the
triples' spans. Triples are checked against their notes; a bad line is reported (file,
line) and left out. Both files are read whole: a triple may come before its note's turn.
Gold written by other tools may leave out `extractor`; such triples get the gold one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from pvkg.errors import InputError
from pvkg.gold import GoldDocument, gold_extractor, make_document
from pvkg.jsonl import read_jsonl
from pvkg.problems import ErrorHandler, report
from pvkg.records import Note, Triple


def iter_documents(
    triples: str | Path, notes: str | Path, *, on_error: ErrorHandler | None = None
) -> Iterator[GoldDocument]:
    """Yield a gold document per note of `notes`, with its triples from `triples`."""
    by_id: dict[str, Note] = {}
    for note in read_jsonl(notes, Note, on_error=on_error):
        if note.id in by_id:
            report(InputError(f"note id {note.id!r} is repeated", file=notes), on_error)
            continue
        by_id[note.id] = note
    by_note: dict[str, list[Triple]] = defaultdict(list)
    read = read_jsonl(
        triples,
        Triple,
        on_error=on_error,
        context={"notes": by_id},
        defaults={"extractor": gold_extractor("jsonl")},
    )
    for triple in read:
        by_note[triple.note_id].append(triple)
    for note in by_id.values():
        yield make_document(note, by_note.get(note.id, []))
