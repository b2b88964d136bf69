"""The LLM's part: phase 1's judge over retrieved sentences, phase 2's verification."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from extract.phenotype import (
    Find,
    PatientResult,
    Phenotype,
    PhenotypeOptions,
)
from extract.phenotype.criteria import Criterion
from extract.phenotype.decide import Evidence, evidence_of

if TYPE_CHECKING:
    from pvkg.app.phenotyping.run import PhenotypeSummary


logger = logging.getLogger(__name__)


def judged_by_llm(
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


def verified_by_llm(
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
            chosen.setdefault((note_id, find.sentence_start), evidence_of(note_id, sentence, find))
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

    encoder = SentenceEncoder(options.embedding_model, dtype=options.embedding_dtype)
    index = open_sentence_index(options.sentence_index, encoder.dimension)

    def retrieve(criterion: Criterion, patient: str, k: int) -> list[Evidence]:
        vector = encoder.encode([criterion.description])[0]
        return [Evidence(note_id=h.sentence.note_id, sentence_start=h.sentence.start,
                         sentence_end=h.sentence.end, start=h.sentence.start,
                         end=h.sentence.end, quote=h.sentence.text, assertion="present")
                for h in index.search(vector, k, patient=patient)]  # fmt: skip

    return retrieve, index.close
