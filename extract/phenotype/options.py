"""`PhenotypeOptions`: who a note belongs to, and where concept synonyms come from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pvkg.options import option

# Note metadata fields that name a patient, first found wins: MIMIC's subject_id, then a
# JSONL's patient_id.
PATIENT_FIELDS = ("subject_id", "patient_id")


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
