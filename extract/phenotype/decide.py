"""A patient's criteria from the finds in their notes, and the phenotype from the criteria.

An episode is a sentence with at least one qualifying find; a criterion is met when it has
`min_count` episodes. Every decision keeps its evidence: the qualifying finds' sentences."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from extract.phenotype.criteria import Phenotype
from extract.phenotype.logic import holds
from extract.phenotype.matching import Find, qualifies
from pvkg.records import Assertion, Record


class Evidence(Record):
    note_id: str
    sentence_start: int
    sentence_end: int
    start: int
    end: int
    quote: str
    assertion: Assertion
    value: float | None = None


class CriterionStatus(Record):
    met: bool
    episodes: int
    evidence: tuple[Evidence, ...] = ()
    # Finds of the criterion's terms that did not count (negated, historical, out of range).
    rejected: int = 0


class PatientResult(Record):
    patient: str
    phenotype: str
    met: bool
    criteria: dict[str, CriterionStatus]
    # Phase 2's optional second opinion: the LLM's answer given the criteria as decided.
    verified: bool | None = None


Episode = tuple[str, int]  # (note id, sentence start)


def decide(
    phenotype: Phenotype,
    patient: str,
    finds: Iterable[tuple[str, str, Find]],
    judged: Mapping[str, tuple[bool, tuple[Evidence, ...]]] | None = None,
) -> PatientResult:
    """`finds` are (note id, sentence text, find) for one patient, in any order. A
    criterion in `judged` (an LLM's verdict: met, and the sentences it cited) takes that
    verdict and evidence; the others are decided by the rules."""
    judged = judged or {}
    evidence: dict[str, dict[Episode, Evidence]] = {c.id: {} for c in phenotype.criteria}
    rejected = dict.fromkeys(evidence, 0)
    by_id = {c.id: c for c in phenotype.criteria}
    for note_id, sentence, find in finds:
        episode = (note_id, find.sentence_start)
        if find.criterion in judged:
            continue
        if qualifies(find, by_id[find.criterion]):
            evidence[find.criterion].setdefault(episode, evidence_of(note_id, sentence, find))
        else:
            rejected[find.criterion] += 1
    for name, (_, cited) in judged.items():
        evidence[name] = {(e.note_id, e.sentence_start): e for e in cited}
    statuses = {
        c.id: CriterionStatus(
            met=judged[c.id][0] if c.id in judged else len(evidence[c.id]) >= c.min_count,
            episodes=len(evidence[c.id]),
            evidence=tuple(sorted(evidence[c.id].values(), key=_order)),
            rejected=rejected[c.id],
        )
        for c in phenotype.criteria
    }
    met = holds(phenotype.logic, {name: status.met for name, status in statuses.items()})
    return PatientResult(patient=patient, phenotype=phenotype.id, met=met, criteria=statuses)


def evidence_of(note_id: str, sentence: str, find: Find) -> Evidence:
    return Evidence(note_id=note_id, sentence_start=find.sentence_start,
                    sentence_end=find.sentence_end, start=find.start, end=find.end,
                    quote=sentence, assertion=find.assertion, value=find.value)  # fmt: skip


def _order(item: Evidence) -> tuple[str, int]:
    return item.note_id, item.start
