"""The cohort's files (JSONL, CSV, HTML page, run record) and its graph links."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from extract.phenotype import (
    PatientResult,
    Phenotype,
    PhenotypeOptions,
)
from kg.options import StoreOptions
from pvkg import __version__
from pvkg.errors import ConfigError
from pvkg.jsonl import write_jsonl
from pvkg.records import Record

if TYPE_CHECKING:
    from pvkg.app.phenotyping.run import PhenotypeSummary

COHORT_JSONL = "cohort.jsonl"
COHORT_CSV = "cohort.csv"
RUN_RECORD = "run.json"
COHORT_HTML = "cohort.html"


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


def run_record(
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


def store_cohort(
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
            evidence=evidence_ids(r),
            quotes=json.dumps(
                [
                    {"criterion": name, **e.model_dump()}
                    for name, st in r.criteria.items()
                    for e in st.evidence
                ]
            ),
            notes=tuple(notes_of.get(r.patient, ())),
        )
        for r in results
    )
    store = open_store(connection.store, user=connection.user, password=connection.password)
    try:
        return write_cohort(store, phenotype.id, phenotype.name, rows).meets
    finally:
        store.close()


def evidence_ids(result: PatientResult) -> str:
    return ";".join(f"{e.note_id}:{e.start}-{e.end}" for s in result.criteria.values()
                    for e in s.evidence)  # fmt: skip


def write_outputs(results: list[PatientResult], phenotype: Phenotype, out: Path) -> dict[str, Path]:
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
                         *(s.episodes for s in statuses), evidence_ids(r)])  # fmt: skip
