"""`pvkg phenotype`: patients judged against a phenotype from their notes (`run`), with
the LLM's part (`llm`), the cohort's files and graph links (`outputs`), the sentence index
(`indexing`) and who and when a note is (`notes`)."""

from pvkg.app.phenotyping.indexing import IndexSummary, index_notes
from pvkg.app.phenotyping.notes import note_date, patient_of
from pvkg.app.phenotyping.outputs import (
    COHORT_CSV,
    COHORT_HTML,
    COHORT_JSONL,
    RUN_RECORD,
    RunRecord,
)
from pvkg.app.phenotyping.run import PhenotypeSummary, run_phenotype

__all__ = [
    "COHORT_CSV",
    "COHORT_HTML",
    "COHORT_JSONL",
    "RUN_RECORD",
    "IndexSummary",
    "PhenotypeSummary",
    "RunRecord",
    "index_notes",
    "note_date",
    "patient_of",
    "run_phenotype",
]
