"""`pvkg phenotype run`: every patient of the notes judged against a phenotype, offline.

Notes stream through once: each sentence's finds (terms and concept synonyms, ConText
assertion, values) are kept per patient, not the notes; then each patient is decided by the
phenotype's logic. The cohort is written as JSONL (every status with its evidence) and CSV
(one row a patient), each to a `.part` file renamed when whole.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from extract.phenotype import (
    DATE_FIELDS,
    PATIENT_FIELDS,
    CriterionMatcher,
    Find,
    PatientResult,
    Phenotype,
    PhenotypeOptions,
    decide,
    load_phenotype,
)
from extract.phenotype.criteria import Criterion
from extract.phenotype.decide import Evidence
from extract.text import sentences
from kg.options import StoreOptions
from loaders.notes import NoteColumns, read_notes
from pvkg import __version__
from pvkg.batching import chunked
from pvkg.errors import ConfigError
from pvkg.jsonl import write_jsonl
from pvkg.options import ref
from pvkg.problems import ErrorHandler
from pvkg.records import Note, Record

logger = logging.getLogger(__name__)
COHORT_JSONL = "cohort.jsonl"
COHORT_CSV = "cohort.csv"
RUN_RECORD = "run.json"
COHORT_HTML = "cohort.html"
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
    judged = _judged(phenotype, finds, options, summary) if options.judge == "llm" else {}
    results = [decide(phenotype, patient, found, judged.get(patient))
               for patient, found in sorted(finds.items())]  # fmt: skip
    if options.verify:
        results = _verified(phenotype, results, options, summary)
    summary.patients, summary.met = len(results), sum(r.met for r in results)
    summary.outputs = _write(results, phenotype, Path(output))
    record = _record(criteria, phenotype, options, summary, results)
    summary.outputs["run"] = Path(output) / RUN_RECORD
    summary.outputs["run"].write_text(record.model_dump_json(indent=2) + "\n", encoding="utf-8")
    if connection is not None:
        summary.graph_meets = _store(connection, phenotype, results, notes_of)
    return summary, results


class RunRecord(Record):
    """What produced a cohort, to compare runs (`pvkg phenotype drift`) and repeat one."""

    phenotype: str
    criteria_file: str
    criteria_sha256: str
    judge: str
    model: str | None
    prompt_version: str | None
    terminology: str | None
    pvkg_version: str
    created: str
    notes: int
    patients: int
    positives: dict[str, int]


def _record(
    criteria: str | Path,
    phenotype: Phenotype,
    options: PhenotypeOptions,
    summary: PhenotypeSummary,
    results: list[PatientResult],
) -> RunRecord:
    from extract.phenotype.llm_judge import PROMPT_VERSION

    llm = options.judge == "llm"
    positives = {"phenotype": summary.met} | {
        c.id: sum(r.criteria[c.id].met for r in results) for c in phenotype.criteria
    }
    return RunRecord(
        phenotype=phenotype.id,
        criteria_file=str(criteria),
        criteria_sha256=hashlib.sha256(Path(criteria).read_bytes()).hexdigest(),
        judge=options.judge,
        model=(options.llm.model or str(options.llm.model_path)) if llm else None,
        prompt_version=PROMPT_VERSION if llm else None,
        terminology=str(options.terminology) if options.terminology else None,
        pvkg_version=__version__,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        notes=summary.notes,
        patients=summary.patients,
        positives=positives,
    )


def _judged(
    phenotype: Phenotype,
    finds: dict[str, list[tuple[str, str, Find]]],
    options: PhenotypeOptions,
    summary: PhenotypeSummary,
) -> dict[str, dict[str, tuple[bool, tuple[Evidence, ...]]]]:
    """The LLM's verdict for each patient and criterion that has retrieved sentences."""
    from extract.phenotype.llm_judge import LLMJudge

    asks: list[tuple[str, str, list[Evidence]]] = []
    retrieve, close = _retriever(options)
    try:
        for patient in finds:
            for criterion in phenotype.criteria:
                found = _candidates(finds[patient], criterion, patient, retrieve, options.top_k)
                if found:
                    asks.append((patient, criterion.id, found))
    finally:
        close()
    by_id = {c.id: c for c in phenotype.criteria}
    judge = LLMJudge(options.llm, options.device)
    try:
        verdicts = judge.judge_all([(by_id[c], [e.quote for e in found]) for _, c, found in asks])
    finally:
        judge.close()
    judged: dict[str, dict[str, tuple[bool, tuple[Evidence, ...]]]] = {}
    for (patient, name, candidates), verdict in zip(asks, verdicts, strict=True):
        cited = tuple(candidates[i] for i in verdict.cited)
        judged.setdefault(patient, {})[name] = (verdict.met, cited)
        summary.llm_ungrounded += verdict.ungrounded
        summary.llm_failed += verdict.failed
    summary.llm_asks = len(asks)
    logger.info("LLM judge %s: %d questions, %d cited numbers named no sentence, %d invalid "
                "replies", judge.model_id, len(asks), summary.llm_ungrounded,
                summary.llm_failed)  # fmt: skip
    return judged


def _verified(
    phenotype: Phenotype,
    results: list[PatientResult],
    options: PhenotypeOptions,
    summary: PhenotypeSummary,
) -> list[PatientResult]:
    from extract.phenotype.llm_judge import LLMJudge

    judge = LLMJudge(options.llm, options.device)
    try:
        answers = judge.verify_all(phenotype, results)
    finally:
        judge.close()
    checked = [r.model_copy(update={"verified": a}) for r, a in zip(results, answers, strict=True)]
    summary.llm_disagreements = sum(r.verified is not None and r.verified != r.met
                                    for r in checked)  # fmt: skip
    logger.info("LLM verification: %d of %d patients decided otherwise by the model",
                summary.llm_disagreements, len(checked))  # fmt: skip
    return checked


Retrieve = Callable[[Criterion, str, int], list[Evidence]]


def _candidates(
    found: list[tuple[str, str, Find]],
    criterion: Criterion,
    patient: str,
    retrieve: Retrieve | None,
    top_k: int,
) -> list[Evidence]:
    """Hybrid retrieval: the sentences holding the criterion's terms (or its concepts'
    synonyms), in note order, then the nearest by meaning from the sentence index; at most
    `top_k`, each sentence once."""
    chosen: dict[tuple[str, int], Evidence] = {}
    for note_id, sentence, find in found:
        if find.criterion == criterion.id:
            chosen.setdefault((note_id, find.sentence_start), _evidence_of(note_id, sentence, find))
    if retrieve is not None:
        for hit in retrieve(criterion, patient, top_k):
            chosen.setdefault((hit.note_id, hit.sentence_start), hit)
    return list(chosen.values())[:top_k]


def _retriever(options: PhenotypeOptions) -> tuple[Retrieve | None, Callable[[], None]]:
    """The sentence index's search by a criterion's description, and how to close it."""
    if options.sentence_index is None:
        return None, lambda: None
    from extract.phenotype.embedder import SentenceEncoder
    from kg.sentence_index import open_sentence_index

    encoder = SentenceEncoder(options.embedding_model)
    index = open_sentence_index(options.sentence_index, encoder.dimension)

    def retrieve(criterion: Criterion, patient: str, k: int) -> list[Evidence]:
        vector = encoder.encode([criterion.description])[0]
        return [Evidence(note_id=h.sentence.note_id, sentence_start=h.sentence.start,
                         sentence_end=h.sentence.end, start=h.sentence.start,
                         end=h.sentence.end, quote=h.sentence.text, assertion="present")
                for h in index.search(vector, k, patient=patient)]  # fmt: skip

    return retrieve, index.close


def _evidence_of(note_id: str, sentence: str, find: Find) -> Evidence:
    return Evidence(note_id=note_id, sentence_start=find.sentence_start,
                    sentence_end=find.sentence_end, start=find.start, end=find.end,
                    quote=sentence, assertion=find.assertion, value=find.value)  # fmt: skip


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

    encoder = SentenceEncoder(options.embedding_model)
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


def patient_of(note: Note, patient_field: str | None) -> str:
    """The patient a note belongs to: its metadata's patient field, else the note itself."""
    for name in (patient_field,) if patient_field else PATIENT_FIELDS:
        value = note.metadata.get(name)
        if value not in (None, ""):
            return str(value)
    return note.id


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


def note_date(note: Note, date_field: str | None) -> date | None:
    """The note's date from its metadata (an ISO date or date-time), if it has one."""
    for name in (date_field,) if date_field else DATE_FIELDS:
        value = note.metadata.get(name)
        if isinstance(value, str) and len(value) >= 10:
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                return None
    return None


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


def _store(
    connection: StoreOptions,
    phenotype: Phenotype,
    results: list[PatientResult],
    notes_of: dict[str, list[str]],
) -> int:
    from kg.phenotypes import CohortRow, write_cohort
    from kg.store import open_store

    rows = (
        CohortRow(
            patient=r.patient,
            met=r.met,
            criteria=json.dumps(
                {n: {"met": s.met, "episodes": s.episodes} for n, s in r.criteria.items()}
            ),
            evidence=_evidence_ids(r),
            notes=tuple(notes_of.get(r.patient, ())),
        )
        for r in results
    )
    store = open_store(connection.store, user=connection.user, password=connection.password)
    try:
        return write_cohort(store, phenotype.id, phenotype.name, rows).meets
    finally:
        store.close()


def _evidence_ids(result: PatientResult) -> str:
    return ";".join(f"{e.note_id}:{e.start}-{e.end}" for s in result.criteria.values()
                    for e in s.evidence)  # fmt: skip


def _write(results: list[PatientResult], phenotype: Phenotype, out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    outputs = {"jsonl": out / COHORT_JSONL, "csv": out / COHORT_CSV, "html": out / COHORT_HTML}
    try:
        partial = outputs["jsonl"].with_name(COHORT_JSONL + ".part")
        write_jsonl(partial, results)
        partial.replace(outputs["jsonl"])
        partial = outputs["csv"].with_name(COHORT_CSV + ".part")
        with partial.open("w", encoding="utf-8", newline="") as handle:
            _write_csv(handle, results, phenotype)
        partial.replace(outputs["csv"])
        from pvkg.app.reporting.cohort_page import render_cohort

        partial = outputs["html"].with_name(COHORT_HTML + ".part")
        partial.write_text(render_cohort(phenotype, results), encoding="utf-8")
        partial.replace(outputs["html"])
    except OSError as exc:
        raise ConfigError(f"cannot write the cohort into {out}: {exc.strerror}") from exc
    return outputs


def _write_csv(handle: object, results: list[PatientResult], phenotype: Phenotype) -> None:
    names = [c.id for c in phenotype.criteria]
    writer = csv.writer(handle)  # type: ignore[arg-type]
    writer.writerow(["patient", "phenotype", "met", *(f"{n}_met" for n in names),
                     *(f"{n}_episodes" for n in names), "evidence"])  # fmt: skip
    for r in results:
        statuses = [r.criteria[n] for n in names]
        writer.writerow([r.patient, r.phenotype, int(r.met), *(int(s.met) for s in statuses),
                         *(s.episodes for s in statuses), _evidence_ids(r)])  # fmt: skip
