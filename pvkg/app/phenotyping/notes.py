"""Who a note belongs to and when it was written, from its metadata."""

from __future__ import annotations

from datetime import date

from extract.phenotype import (
    DATE_FIELDS,
    PATIENT_FIELDS,
)
from pvkg.records import Note


def patient_of(note: Note, patient_field: str | None) -> str:
    """The patient a note belongs to: its metadata's patient field, else the note itself."""
    for name in (patient_field,) if patient_field else PATIENT_FIELDS:
        value = note.metadata.get(name)
        if value not in (None, ""):
            return str(value)
    return note.id


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
