"""Precision, recall and F1 from counts, with one rule for empty sides.

A ratio whose denominator is zero is 1.0 when the other side is empty too (nothing to find
and nothing found is perfect agreement) and 0.0 otherwise; F1 is 0.0 when P + R is 0.
So: empty gold and empty prediction score P = R = F1 = 1; one side empty scores 0.
Reports show such an `empty` score as n/a (null in JSON): the 1.0 is a convention that keeps
the measures numeric for code that compares them, not a result.
"""

from __future__ import annotations

from pvkg.records import Record


class Score(Record):
    """Counts of one comparison and the measures they give."""

    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float

    @property
    def gold(self) -> int:
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    @property
    def empty(self) -> bool:
        """Nothing to find and nothing found: the measures say nothing."""
        return self.tp + self.fp + self.fn == 0


def score(tp: int, fp: int, fn: int) -> Score:
    """The score of `tp` matches, `fp` unmatched predictions and `fn` unmatched gold items."""
    precision = tp / (tp + fp) if tp + fp else float(fn == 0)
    recall = tp / (tp + fn) if tp + fn else float(fp == 0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(tp=tp, fp=fp, fn=fn, precision=precision, recall=recall, f1=f1)


class AssertionScore(Record):
    """Assertion agreement over matched adverse events; accuracy is None with none matched."""

    matched: int
    correct: int
    accuracy: float | None
    # gold assertion -> predicted assertion -> count
    confusion: dict[str, dict[str, int]]


def assertion_score(confusion: dict[str, dict[str, int]]) -> AssertionScore:
    matched = sum(sum(row.values()) for row in confusion.values())
    correct = sum(row.get(gold, 0) for gold, row in confusion.items())
    accuracy = correct / matched if matched else None
    return AssertionScore(matched=matched, correct=correct, accuracy=accuracy, confusion=confusion)
