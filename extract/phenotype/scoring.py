"""A cohort against a gold cohort: precision, recall and F1 per criterion and for the
phenotype, over patients. A gold patient the cohort lacks counts as not met."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from extract.phenotype.decide import PatientResult
from extract.scoring.scores import Score, score

# The gold label that names the phenotype as a whole rather than one criterion.
PHENOTYPE = "phenotype"


def score_cohort(
    results: Iterable[PatientResult], gold: Mapping[tuple[str, str], bool]
) -> dict[str, Score]:
    """`gold` maps (patient, criterion id or "phenotype") to its label; each name scored
    over the patients gold labels for it."""
    predicted: dict[tuple[str, str], bool] = {}
    for result in results:
        predicted[(result.patient, PHENOTYPE)] = result.met
        for name, status in result.criteria.items():
            predicted[(result.patient, name)] = status.met
    counts: dict[str, list[int]] = {}
    for (patient, name), label in gold.items():
        guess = predicted.get((patient, name), False)
        tally = counts.setdefault(name, [0, 0, 0])
        tally[0] += label and guess
        tally[1] += guess and not label
        tally[2] += label and not guess
    return {name: score(*tally) for name, tally in sorted(counts.items())}
