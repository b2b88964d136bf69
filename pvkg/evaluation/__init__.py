"""Evaluation of predicted triples against gold annotations.

Library use (the benchmark's path)::

    docs = list(loaders.ade_corpus.iter_documents(folder))
    split = split_documents(docs, test_fraction=0.3, seed=DEFAULT_SEED)
    predicted = [t for d in split.test for t in extractor(d.note)]
    evaluation = score_documents(split.test, predicted)
    evaluation.strict.types["drug-adverse_event"].f1

Matching rules are in `pvkg.evaluation.matching`, the empty-side rule in
`pvkg.evaluation.scores`.
"""

from pvkg.evaluation.evaluate import score_documents
from pvkg.evaluation.files import Exported, evaluate_files, export_gold
from pvkg.evaluation.report import metrics_table, render_markdown
from pvkg.evaluation.results import (
    ENTITY_TYPES,
    RELATION_TYPES,
    TYPES,
    DocumentErrors,
    ErrorItem,
    Evaluation,
    ModeScores,
)
from pvkg.evaluation.scores import AssertionScore, Score, score
from pvkg.evaluation.sources import GOLD_FORMATS, GoldFormat, detect_format, load_gold
from pvkg.evaluation.split import DEFAULT_SEED, Split, split_documents

__all__ = [
    "DEFAULT_SEED",
    "ENTITY_TYPES",
    "GOLD_FORMATS",
    "RELATION_TYPES",
    "TYPES",
    "AssertionScore",
    "DocumentErrors",
    "ErrorItem",
    "Evaluation",
    "Exported",
    "GoldFormat",
    "ModeScores",
    "Score",
    "Split",
    "detect_format",
    "evaluate_files",
    "export_gold",
    "load_gold",
    "metrics_table",
    "render_markdown",
    "score",
    "score_documents",
    "split_documents",
]
