"""Scoring predicted triples against gold annotations: strict and lenient matching, per-type
precision/recall/F1, assertion accuracy, and the seeded train/test split of gold documents.

Library use (the benchmarks' path)::

    docs = list(loaders.ade_corpus.iter_documents(folder))
    split = split_documents(docs, test_fraction=0.3, seed=DEFAULT_SEED)
    predicted = [t for d in split.test for t in extractor(d.note)]
    evaluation = score_documents(split.test, predicted)
    evaluation.strict.types["drug-adverse_event"].f1

Matching rules are in `extract.scoring.matching`, the empty-side rule in
`extract.scoring.scores`.
"""

from extract.scoring.evaluate import score_documents
from extract.scoring.results import (
    ENTITY_TYPES,
    RELATION_TYPES,
    TYPES,
    DocumentErrors,
    ErrorItem,
    Evaluation,
    ModeScores,
)
from extract.scoring.scores import AssertionScore, Score, score
from extract.scoring.split import DEFAULT_SEED, Split, split_documents

__all__ = [
    "DEFAULT_SEED",
    "ENTITY_TYPES",
    "RELATION_TYPES",
    "TYPES",
    "AssertionScore",
    "DocumentErrors",
    "ErrorItem",
    "Evaluation",
    "ModeScores",
    "Score",
    "Split",
    "score",
    "score_documents",
    "split_documents",
]
