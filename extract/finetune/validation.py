"""Validation F1 through the evaluation harness, and early stopping on it.

Both trainers score a candidate model by extracting the validation notes with the very
extractor users will run, so the number that picks the checkpoint is the number `pvkg
eval` would report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from extract.base import Extractor
from extract.scoring import score_documents
from pvkg.gold import GoldDocument

# The checkpoint is chosen on this: the relation users count signals from.
SELECTION_METRIC = "strict drug-adverse_event f1"
_REPORTED = ("drug-adverse_event", "drug-dose", "drug", "dose", "adverse_event")


def validation_scores(extractor: Extractor, documents: Sequence[GoldDocument]) -> dict[str, float]:
    """Strict and lenient F1 per relation and entity type, and micro over each group."""
    predicted = [t for r in extractor.extract_many(d.note for d in documents) for t in r.triples]
    evaluation = score_documents(documents, predicted)
    scores: dict[str, float] = {}
    for mode, result in (("strict", evaluation.strict), ("lenient", evaluation.lenient)):
        for kind in _REPORTED:
            scores[f"{mode} {kind} f1"] = result.types[kind].f1
        scores[f"{mode} entities f1"] = result.entities.f1
        scores[f"{mode} relations f1"] = result.relations.f1
    return scores


@dataclass
class EarlyStopping:
    """Stop after `patience` epochs without a better `SELECTION_METRIC`."""

    patience: int
    best: float = -1.0
    best_epoch: int = 0
    waited: int = 0

    def improved(self, epoch: int, scores: dict[str, float]) -> bool:
        """Record an epoch's scores; True when they are the best so far (save then)."""
        value = scores[SELECTION_METRIC]
        if value > self.best:
            self.best, self.best_epoch, self.waited = value, epoch, 0
            return True
        self.waited += 1
        return False

    @property
    def should_stop(self) -> bool:
        return self.waited >= self.patience
