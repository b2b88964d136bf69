"""The records an evaluation produces: scores per matching mode and per-note error lists."""

from __future__ import annotations

from typing import Any, Literal

from extract.scoring.scores import AssertionScore, Score
from pvkg.records import Record

ENTITY_TYPES = ("drug", "dose", "adverse_event")
RELATION_TYPES = ("drug-adverse_event", "drug-dose")
TYPES = ENTITY_TYPES + RELATION_TYPES
Mode = Literal["strict", "lenient"]
MODES: tuple[Mode, ...] = ("strict", "lenient")
ErrorKind = Literal["false_negative", "false_positive", "assertion"]


class ModeScores(Record):
    """Scores under one matching mode: per type, micro over entities and over relations."""

    types: dict[str, Score]
    entities: Score
    relations: Score
    assertion: AssertionScore


class ErrorItem(Record):
    """One disagreement under strict matching.

    `boundary` marks a false positive or negative that lenient matching pairs with an
    overlapping item: right thing, wrong span boundaries.
    """

    error: ErrorKind
    type: str
    text: str
    offsets: str
    boundary: bool = False
    detail: str | None = None
    context: str


class DocumentErrors(Record):
    note_id: str
    items: tuple[ErrorItem, ...]


class Evaluation(Record):
    """Everything `pvkg eval` reports. `problems` are input lines that were left out."""

    gold: str | None = None
    predictions: str | None = None
    format: str | None = None
    documents: int
    gold_triples: int
    predicted_triples: int
    strict: ModeScores
    lenient: ModeScores
    errors: tuple[DocumentErrors, ...] = ()
    problems: tuple[str, ...] = ()

    def numbers(self) -> dict[str, Any]:
        """The scores and counts as plain data (no error listing), for `--json`.

        An empty score's precision, recall and F1 are null, as reports print them n/a.
        """
        numbers = self.model_dump(mode="json", exclude={"errors"})
        for section in (numbers[mode] for mode in MODES):
            for dumped in (*section["types"].values(), section["entities"], section["relations"]):
                if dumped["tp"] + dumped["fp"] + dumped["fn"] == 0:  # Score.empty
                    dumped.update(precision=None, recall=None, f1=None)
        return numbers
