"""`PhenotypeOptions`: who a note belongs to, and where concept synonyms come from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from extract.llm.options import LLMOptions
from extract.precision import PRECISIONS, Precision
from pvkg.errors import ConfigError
from pvkg.options import option, ref

Judge = Literal["rules", "llm"]
JUDGES: tuple[Judge, ...] = get_args(Judge)

# Note metadata fields that name a patient, first found wins: MIMIC's subject_id, then a
# JSONL's patient_id.
PATIENT_FIELDS = ("subject_id", "patient_id")
# Note metadata fields that date a note (MIMIC's charttime / chartdate first).
DATE_FIELDS = ("charttime", "chartdate", "note_date", "date")


@dataclass(frozen=True)
class PhenotypeOptions:
    patient_field: str | None = option(
        None,
        "Note metadata field naming the patient; default subject_id, then patient_id, else "
        "each note is a patient.",
    )
    terminology: Path | None = option(
        None,
        "Terminology index that gives the criteria's concepts (CUIs) their synonyms.",
        flag=("--terminology", "-t"),
    )
    date_field: str | None = option(
        None,
        "Note metadata field holding the note's date, for criteria with a window; default "
        "charttime, chartdate, note_date, date.",
    )
    judge: Judge = option(
        "rules",
        "Who decides each criterion: rules (terms, ConText, values; offline) or llm (the "
        "model reads the retrieved sentences).",
    )
    top_k: int = option(8, "LLM judge: sentences retrieved per patient and criterion.")
    sentence_index: str | None = option(
        None,
        "LLM judge: a sentence index (`pvkg phenotype index`: a directory, or a Neo4j URI) "
        "that adds the sentences nearest to each criterion's description to those holding "
        "its terms.",
    )
    verify: bool = option(
        False,
        "Phase 2: also ask the LLM whether each patient meets the phenotype given the "
        "criteria as decided; disagreements are counted, the logic's answer is kept.",
    )
    embedding_model: str | None = option(
        None, "Sentence-embedding model folder; default the packaged all-MiniLM-L6-v2."
    )
    embedding_dtype: Precision = option(
        "auto",
        "Precision of the sentence-embedding model: auto (bfloat16 where the CPU or GPU "
        "computes it natively, else float32), float32 or bfloat16.",
    )
    device: str | None = option(None, "LLM judge: torch device of a local model.")
    llm: LLMOptions = option(help="The LLM judge's model options.", factory=LLMOptions)

    def __post_init__(self) -> None:
        if self.judge not in JUDGES:
            raise ConfigError(f"{ref(PhenotypeOptions, 'judge')} must be rules or llm")
        if self.embedding_dtype not in PRECISIONS:
            choices = ", ".join(PRECISIONS)
            raise ConfigError(
                f"{ref(PhenotypeOptions, 'embedding_dtype')} must be one of {choices}"
            )
        if self.top_k < 1:
            raise ConfigError(f"{ref(PhenotypeOptions, 'top_k')} must be at least 1")
