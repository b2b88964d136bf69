"""Extract triples from a file or folder of notes: the library side of `pvkg extract`.

Notes stream from `loaders.notes` through the extractor into a JSONL of triples, one per
line. The output is written to `<output>.part` and renamed when the run completes, so a
failed run never leaves a file that looks finished.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from extract.base import ExtractionResult, Extractor
from loaders.notes import NoteColumns, read_notes
from pvkg.app.tally import ExtractionTally
from pvkg.errors import ConfigError, InputError
from pvkg.jsonl import write_jsonl
from pvkg.problems import ErrorHandler
from pvkg.records import Triple

NoteHandler = Callable[[ExtractionResult], None]


@dataclass
class ExtractSummary(ExtractionTally):
    """What a run did: the extraction tally, and input records skipped (`errors`)."""

    errors: int = 0


def extract_notes(
    notes_path: str | Path,
    output: str | Path,
    extractor: Extractor,
    *,
    on_error: ErrorHandler | None = None,
    on_note: NoteHandler | None = None,
    columns: NoteColumns = NoteColumns(),
) -> ExtractSummary:
    """Run `extractor` over the notes at `notes_path` and write its triples to `output`.

    Bad notes go to `on_error` and are skipped (without it the first one raises); every
    note's result goes to `on_note` once its triples are written."""
    output = Path(output)
    partial = output.with_name(output.name + ".part")
    tally = ExtractSummary()

    def counted(error: InputError) -> None:
        tally.errors += 1
        if on_error is None:
            raise error
        on_error(error)

    notes = read_notes(notes_path, on_error=counted, id_field=columns.id_field,
                       text_field=columns.text_field)  # fmt: skip
    results = extractor.extract_many(notes)
    try:
        write_jsonl(partial, _triples(results, tally, on_note))
        partial.replace(output)
    except OSError as exc:
        raise ConfigError(f"cannot write {output}: {exc.strerror}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return tally


def _triples(
    results: Iterable[ExtractionResult], tally: ExtractSummary, on_note: NoteHandler | None
) -> Iterator[Triple]:
    for result in results:
        yield from result.triples
        tally.add(result)
        if on_note is not None:
            on_note(result)
