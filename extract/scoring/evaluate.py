"""Score predicted triples against gold documents: the library entry point of evaluation.

Predictions are grouped by note id; gold documents stream past once. A prediction whose
note is not among the gold documents, or whose spans do not fit its note, is not scored
and is listed in `problems`. Micro scores add up counts over notes and types.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from extract.scoring.compare import Comparison, compare
from extract.scoring.results import (
    ENTITY_TYPES,
    MODES,
    RELATION_TYPES,
    TYPES,
    DocumentErrors,
    Evaluation,
    Mode,
    ModeScores,
)
from extract.scoring.scores import Score, assertion_score, score
from pvkg.gold import GoldDocument
from pvkg.records import Assertion, Triple

# Unknown note ids are listed up to this many; the rest are counted.
LISTED_UNKNOWN = 10

Counts = Counter[tuple[Mode, str, str]]
Confusion = dict[Mode, Counter[tuple[Assertion, Assertion]]]


def score_documents(
    gold: Iterable[GoldDocument],
    predictions: Iterable[Triple],
    *,
    problems: Sequence[str] = (),
) -> Evaluation:
    """Compare `predictions` with `gold`; `problems` (input already left out) are passed on."""
    by_note: dict[str, list[Triple]] = defaultdict(list)
    predicted = 0
    for triple in predictions:
        by_note[triple.note_id].append(triple)
        predicted += 1
    counts: Counts = Counter()
    confusion: Confusion = {mode: Counter() for mode in MODES}
    seen: set[str] = set()
    found = list(problems)
    errors, gold_triples = [], 0
    for document in gold:
        note_id = document.note.id
        if note_id in seen:
            found.append(f"gold note {note_id!r} appears twice; the second is not scored")
            continue
        seen.add(note_id)
        gold_triples += len(document.triples)
        result = compare(document, _fitting(document, by_note.pop(note_id, []), found))
        _add(result, counts, confusion)
        if result.errors:
            errors.append(DocumentErrors(note_id=note_id, items=tuple(result.errors)))
    found.extend(_unknown_notes(by_note))
    return Evaluation(
        documents=len(seen),
        gold_triples=gold_triples,
        predicted_triples=predicted,
        strict=_mode_scores("strict", counts, confusion),
        lenient=_mode_scores("lenient", counts, confusion),
        errors=tuple(errors),
        problems=tuple(found),
    )


def _fitting(document: GoldDocument, triples: list[Triple], problems: list[str]) -> list[Triple]:
    fitting = []
    for triple in triples:
        try:
            triple.check_against(document.note)
        except ValueError as exc:
            problems.append(f"prediction for note {document.note.id!r} not scored: {exc}")
            continue
        fitting.append(triple)
    return fitting


def _add(result: Comparison, counts: Counts, confusion: Confusion) -> None:
    for (mode, kind), (tp, fp, fn) in result.counts.items():
        counts[(mode, kind, "tp")] += tp
        counts[(mode, kind, "fp")] += fp
        counts[(mode, kind, "fn")] += fn
    for mode, pairs in result.assertions.items():
        confusion[mode].update(pairs)


def _unknown_notes(by_note: dict[str, list[Triple]]) -> list[str]:
    if not by_note:
        return []
    ids = sorted(by_note)
    listed = ", ".join(repr(i) for i in ids[:LISTED_UNKNOWN])
    more = f" and {len(ids) - LISTED_UNKNOWN} more" if len(ids) > LISTED_UNKNOWN else ""
    triples = sum(len(t) for t in by_note.values())
    return [f"{triples} predicted triples name notes that are not in the gold: {listed}{more}"]


def _mode_scores(mode: Mode, counts: Counts, confusion: Confusion) -> ModeScores:
    def total(kinds: Iterable[str]) -> Score:
        kinds = list(kinds)
        tp, fp, fn = (sum(counts[(mode, k, c)] for k in kinds) for c in ("tp", "fp", "fn"))
        return score(tp, fp, fn)

    table: dict[str, dict[str, int]] = defaultdict(dict)
    for (expected, got), n in sorted(confusion[mode].items()):
        table[expected][got] = n
    return ModeScores(
        types={kind: total([kind]) for kind in TYPES},
        entities=total(ENTITY_TYPES),
        relations=total(RELATION_TYPES),
        assertion=assertion_score(dict(table)),
    )
