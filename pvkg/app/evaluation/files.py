"""Evaluation from files: what `pvkg eval` runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from extract.scoring.evaluate import score_documents
from extract.scoring.results import Evaluation
from pvkg.app.evaluation.sources import GoldFormat, detect_format, load_gold
from pvkg.errors import InputError
from pvkg.jsonl import read_jsonl, write_jsonl
from pvkg.problems import ErrorHandler
from pvkg.records import ExtractorInfo, Note, Triple

ID_HINT = (
    "predicted note ids must be the gold loader's; write the gold notes with "
    "`pvkg eval --gold ... --export-notes notes.jsonl` and run the extractor on them"
)
# Provenance for predictions from tools that write none; scoring does not look at it.
UNKNOWN_EXTRACTOR = ExtractorInfo(name="unknown", version="unknown")


def evaluate_files(
    gold: str | Path,
    predictions: str | Path,
    *,
    gold_format: GoldFormat | None = None,
    notes: str | Path | None = None,
) -> Evaluation:
    """Score Triple JSONL `predictions` against the gold at `gold`.

    Bad gold or prediction lines are left out and listed in `problems`; a prediction without
    `extractor` gets UNKNOWN_EXTRACTOR. Raises InputError when no gold document or no
    predicted triple could be read: scores of nothing would only look like results.
    """
    guessed = gold_format is None
    gold_format = gold_format or detect_format(Path(gold))
    problems: list[str] = []
    documents = list(load_gold(gold, gold_format, notes=notes, on_error=_collect(problems)))
    if not documents:
        left_out = f" ({len(problems)} input problems, first: {problems[0]})" if problems else ""
        raise InputError(
            f"no gold documents could be read{left_out}",
            # pvkg's own gold has a document per note, so its notes file is what is empty.
            file=notes if gold_format == "jsonl" and notes is not None else gold,
            hint=(
                f"the format was guessed as {gold_format}; name it with --format"
                if guessed
                else f"check that the path holds {gold_format} gold"
            ),
        )
    by_id = {document.note.id: document.note for document in documents}
    rejected: list[str] = []
    triples = list(
        read_jsonl(
            predictions,
            Triple,
            context={"notes": by_id},
            on_error=_collect(rejected),
            defaults={"extractor": UNKNOWN_EXTRACTOR},
        )
    )
    if rejected and not triples:
        raise InputError(
            f"none of the {len(rejected)} predicted triples fits a gold note "
            f"(first: {rejected[0]})",
            file=predictions,
            hint=ID_HINT,
        )
    if not triples:
        raise InputError(
            "no predicted triples could be read: the file is empty",
            file=predictions,
            hint="check that the extractor ran on the gold notes and wrote Triple JSONL",
        )
    evaluation = score_documents(documents, triples, problems=[*problems, *rejected])
    return evaluation.model_copy(
        update={"gold": str(gold), "predictions": str(predictions), "format": gold_format}
    )


@dataclass(frozen=True)
class Exported:
    notes: int
    triples: int
    problems: tuple[str, ...]


def export_gold(
    gold: str | Path,
    notes_out: str | Path,
    *,
    triples_out: str | Path | None = None,
    gold_format: GoldFormat | None = None,
    notes: str | Path | None = None,
) -> Exported:
    """Write the gold notes as Note JSONL (and its triples as Triple JSONL), streaming.

    Extractors run on the notes file, so their triples carry the ids evaluation expects.
    """
    problems: list[str] = []
    documents = load_gold(gold, gold_format, notes=notes, on_error=_collect(problems))
    if triples_out is None:
        written = write_jsonl(notes_out, (document.note for document in documents))
        return Exported(notes=written, triples=0, problems=tuple(problems))
    triples = 0
    with Path(triples_out).open("w", encoding="utf-8") as handle:

        def notes_of() -> Iterator[Note]:
            nonlocal triples
            for document in documents:
                for triple in document.triples:
                    handle.write(triple.model_dump_json() + "\n")
                    triples += 1
                yield document.note

        written = write_jsonl(notes_out, notes_of())
    return Exported(notes=written, triples=triples, problems=tuple(problems))


def _collect(found: list[str]) -> ErrorHandler:
    return lambda error: found.append(str(error))
