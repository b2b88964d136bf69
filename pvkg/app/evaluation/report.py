"""Evaluation as a markdown report (scores, problems, error listing) and a rich table."""

from __future__ import annotations

from collections.abc import Iterator

from rich.table import Table

from extract.scoring.results import MODES, DocumentErrors, Evaluation, ModeScores
from extract.scoring.scores import AssertionScore, Score

ERROR_LABELS = {"false_negative": "missed", "false_positive": "spurious", "assertion": "assertion"}


def _rows(scores: ModeScores) -> Iterator[tuple[str, Score]]:
    yield from scores.types.items()
    yield "entities (micro)", scores.entities
    yield "relations (micro)", scores.relations


def _pct(value: float) -> str:
    return f"{value:.3f}"


def _measures(s: Score) -> tuple[str, str, str]:
    """Precision, recall and F1 as printed; n/a for a type with nothing to find or found."""
    if s.empty:
        return ("n/a", "n/a", "n/a")
    return (_pct(s.precision), _pct(s.recall), _pct(s.f1))


def _prf(s: Score) -> str:
    return "n/a" if s.empty else "/".join(_measures(s))


def _accuracy(assertion: AssertionScore) -> str:
    if assertion.accuracy is None:
        return "n/a (no matched adverse events)"
    return f"{assertion.accuracy:.3f} ({assertion.correct}/{assertion.matched})"


def metrics_table(evaluation: Evaluation) -> Table:
    """Strict and lenient precision / recall / F1 per type, side by side."""
    table = Table(title=f"pvkg eval: {evaluation.documents} notes")
    table.add_column("type", no_wrap=True)
    table.add_column("gold", justify="right", no_wrap=True)
    table.add_column("pred", justify="right", no_wrap=True)
    for mode in MODES:
        table.add_column(f"{mode} P/R/F1", justify="right", no_wrap=True)
    for (name, strict), (_, lenient) in zip(
        _rows(evaluation.strict), _rows(evaluation.lenient), strict=True
    ):
        table.add_row(name, str(strict.gold), str(strict.predicted), _prf(strict), _prf(lenient))
    table.caption = "\n".join(
        f"{mode} assertion accuracy: {_accuracy(getattr(evaluation, mode).assertion)}"
        for mode in MODES
    )
    return table


def render_markdown(evaluation: Evaluation) -> str:
    """The whole report: sources, score tables, input problems and per-note errors."""
    return "\n".join(_markdown(evaluation)) + "\n"


def _markdown(evaluation: Evaluation) -> Iterator[str]:
    yield "# pvkg evaluation"
    yield ""
    yield f"- gold: `{evaluation.gold}` ({evaluation.format})"
    yield f"- predictions: `{evaluation.predictions}`"
    yield (
        f"- {evaluation.documents} notes, {evaluation.gold_triples} gold triples, "
        f"{evaluation.predicted_triples} predicted triples"
    )
    for mode in MODES:
        scores: ModeScores = getattr(evaluation, mode)
        yield ""
        yield f"## {mode.capitalize()} matching"
        yield ""
        yield "| type | TP | FP | FN | precision | recall | F1 |"
        yield "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
        for name, s in _rows(scores):
            yield f"| {name} | {s.tp} | {s.fp} | {s.fn} | {' | '.join(_measures(s))} |"
        yield ""
        yield f"Assertion accuracy on matched adverse events: {_accuracy(scores.assertion)}"
    if evaluation.problems:
        yield ""
        yield f"## Input left out ({len(evaluation.problems)})"
        yield ""
        yield from (f"- {_escape(problem)}" for problem in evaluation.problems)
    yield ""
    yield f"## Errors under strict matching ({len(evaluation.errors)} notes)"
    yield ""
    yield "`boundary`: lenient matching pairs it with an overlapping item."
    for document in evaluation.errors:
        yield from _document_errors(document)


def _document_errors(document: DocumentErrors) -> Iterator[str]:
    yield ""
    yield f"### {_escape(document.note_id)}"
    contexts = dict.fromkeys(item.context for item in document.items)
    for context in contexts:
        yield ""
        yield f"> {_escape(context)}"
        yield ""
        for item in document.items:
            if item.context != context:
                continue
            notes = [n for n in (item.detail, "boundary" if item.boundary else None) if n]
            extra = f" ({'; '.join(notes)})" if notes else ""
            yield (
                f"- {ERROR_LABELS[item.error]} {item.type}: `{item.text}` [{item.offsets}]{extra}"
            )


def _escape(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
