"""`pvkg phenotype run`: every patient of the notes judged against a phenotype.

Notes stream through once: each sentence's finds (terms and concept synonyms, ConText
assertion, values) are kept per patient, not the notes; then each patient is decided by the
phenotype's logic. The cohort is written as JSONL (every status with its evidence) and CSV
(one row a patient), each to a `.part` file renamed when whole."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from extract.phenotype import (
    CriterionMatcher,
    Find,
    PatientResult,
    Phenotype,
    PhenotypeOptions,
    decide,
    load_phenotype,
)
from extract.text import sentences
from kg.options import StoreOptions
from loaders.notes import NoteColumns, read_notes
from pvkg.app.phenotyping.llm import judged_by_llm, verified_by_llm
from pvkg.app.phenotyping.notes import note_date, patient_of
from pvkg.app.phenotyping.outputs import RUN_RECORD, run_record, store_cohort, write_outputs
from pvkg.errors import ConfigError
from pvkg.options import ref
from pvkg.problems import ErrorHandler
from pvkg.records import Note

NoteHandler = Callable[[Note], None]


@dataclass
class PhenotypeSummary:
    phenotype: str
    notes: int = 0
    patients: int = 0
    met: int = 0
    graph_meets: int | None = None  # MEETS links in the store, when one was given
    # The LLM judge: questions asked, cited numbers that named no sentence, invalid replies.
    llm_asks: int = 0
    llm_ungrounded: int = 0
    llm_failed: int = 0
    # Phase 2's verification: patients where the LLM's answer differs from the logic's.
    llm_disagreements: int | None = None
    outputs: dict[str, Path] = field(default_factory=dict)


def run_phenotype(
    criteria: str | Path,
    notes: Sequence[str | Path],
    output: str | Path,
    options: PhenotypeOptions = PhenotypeOptions(),
    columns: NoteColumns = NoteColumns(),
    *,
    connection: StoreOptions | None = None,
    on_error: ErrorHandler | None = None,
    on_note: NoteHandler | None = None,
) -> tuple[PhenotypeSummary, list[PatientResult]]:
    """Judge every patient of `notes` against the phenotype in `criteria`; write the cohort
    into the directory `output`, and into the graph store `connection` when given."""
    phenotype = load_phenotype(criteria)
    matcher = CriterionMatcher(phenotype.criteria, _synonyms(phenotype, options))
    summary = PhenotypeSummary(phenotype=phenotype.id)
    finds: dict[str, list[tuple[str, str, Find]]] = {}
    notes_of: dict[str, list[str]] = {}
    for path in notes:
        for note in read_notes(path, on_error=on_error, id_field=columns.id_field,
                               text_field=columns.text_field):  # fmt: skip
            summary.notes += 1
            patient = patient_of(note, options.patient_field)
            notes_of.setdefault(patient, []).append(note.id)
            finds.setdefault(patient, []).extend(_note_finds(matcher, note, options.date_field))
            if on_note is not None:
                on_note(note)
    judged = judged_by_llm(phenotype, finds, options, summary) if options.judge == "llm" else {}
    results = [decide(phenotype, patient, found, judged.get(patient))
               for patient, found in sorted(finds.items())]  # fmt: skip
    if options.verify:
        results = verified_by_llm(phenotype, results, options, summary)
    summary.patients, summary.met = len(results), sum(r.met for r in results)
    summary.outputs = write_outputs(results, phenotype, Path(output))
    record = run_record(criteria, phenotype, options, summary, results)
    summary.outputs["run"] = Path(output) / RUN_RECORD
    summary.outputs["run"].write_text(record.model_dump_json(indent=2) + "\n", encoding="utf-8")
    if connection is not None:
        summary.graph_meets = store_cohort(connection, phenotype, results, notes_of)
    return summary, results


def _note_finds(
    matcher: CriterionMatcher, note: Note, date_field: str | None
) -> Iterable[tuple[str, str, Find]]:
    """The note's finds; those of a criterion with a date window only if the note is in it."""
    day = note_date(note, date_field)
    for window in sentences(note.text):
        sentence = note.text[window.start : window.end]
        for find in matcher.finds(note.text, window.start, window.end):
            dated = matcher.criteria[find.criterion].window
            if dated is None or dated.holds(day):
                yield note.id, sentence, find


def _synonyms(phenotype: Phenotype, options: PhenotypeOptions) -> dict[str, set[str]]:
    wanted = [c for c in phenotype.criteria if c.concepts]
    if not wanted:
        return {}
    if options.terminology is None:
        raise ConfigError(
            f"criteria {', '.join(c.id for c in wanted)} name concepts",
            hint=f"give a terminology index ({ref(PhenotypeOptions, 'terminology')}) for "
            "their synonyms",
        )
    from normalize import open_index

    synonyms: dict[str, set[str]] = {}
    with open_index(options.terminology) as index:
        for criterion in wanted:
            for cui in criterion.concepts:
                keys = index.concept_keys(cui)
                if not keys:
                    raise ConfigError(f"{criterion.id}: concept {cui} is not in the index")
                synonyms.setdefault(criterion.id, set()).update(keys)
    return synonyms
