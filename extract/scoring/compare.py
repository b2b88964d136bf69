"""Compare one note's predicted triples with its gold document."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from extract.scoring.matching import Item, lenient_pairs, strict_pairs, unique_items
from extract.scoring.results import ENTITY_TYPES, MODES, ErrorItem, ErrorKind, Mode
from pvkg.gold import Fragments, GoldDocument, span_fragments
from pvkg.records import Assertion, Span, Triple

# How far (characters) an error's context reaches each way when no sentence end is nearer.
CONTEXT_REACH = 240
SENTENCE_ENDS = (". ", "? ", "! ", "\n")
# Each adverse event's assertion, by its fragments: (gold, predicted).
Marks = tuple[dict[Fragments, Assertion], dict[Fragments, Assertion]]


@dataclass
class Comparison:
    """Counts, assertion pairs and strict-mode errors of one note."""

    counts: dict[tuple[Mode, str], tuple[int, int, int]] = field(default_factory=dict)
    assertions: dict[Mode, list[tuple[Assertion, Assertion]]] = field(
        default_factory=lambda: {"strict": [], "lenient": []}
    )
    errors: list[ErrorItem] = field(default_factory=list)


def compare(document: GoldDocument, predicted: Sequence[Triple]) -> Comparison:
    """Match every type under both modes and list what strict matching leaves over."""
    result = Comparison()
    if not (document.mentions or document.triples or predicted):
        return result  # nothing on either side: every count is zero
    gold_by_type = _items(document.triples, _mention_items(document))
    pred_by_type = _items(predicted, _triple_mention_items(predicted))
    marks = (_assertions(document.triples), _assertions(predicted))
    for kind, gold in gold_by_type.items():
        _compare_type(result, kind, gold, pred_by_type[kind], marks, document.note.text)
    return result


def _compare_type(
    result: Comparison, kind: str, gold: list[Item], pred: list[Item], marks: Marks, text: str
) -> None:
    strict = strict_pairs(gold, pred)
    lenient = lenient_pairs(gold, pred, strict)
    for mode, pairs in zip(MODES, (strict, lenient), strict=True):
        result.counts[(mode, kind)] = (len(pairs), len(pred) - len(pairs), len(gold) - len(pairs))
        if kind == "adverse_event":
            found = _assertion_pairs(gold, pred, pairs, marks)
            result.assertions[mode].extend((expected, got) for _, expected, got in found)
    result.errors.extend(_errors(kind, gold, pred, strict, lenient, text))
    if kind == "adverse_event":
        result.errors.extend(_assertion_errors(gold, pred, strict, marks, text))


def _assertion_pairs(
    gold: list[Item], pred: list[Item], pairs: dict[int, int], marks: Marks
) -> Iterable[tuple[int, Assertion, Assertion]]:
    """(gold index, gold assertion, predicted assertion) of matched events that have both."""
    for p, g in pairs.items():
        expected, got = marks[0].get(gold[g].key[0]), marks[1].get(pred[p].key[0])
        if expected is not None and got is not None:
            yield g, expected, got


def _mention_items(document: GoldDocument) -> dict[str, list[Item]]:
    return {
        kind: [Item.of(m.span) for m in document.mentions if m.kind == kind]
        for kind in ENTITY_TYPES
    }


def _triple_mention_items(triples: Iterable[Triple]) -> dict[str, list[Item]]:
    found: dict[str, list[Item]] = {kind: [] for kind in ENTITY_TYPES}
    for triple in triples:
        for kind, span in triple.spans().items():
            if kind in found:
                found[kind].append(Item.of(span))
    return found


def _items(triples: Iterable[Triple], entities: dict[str, list[Item]]) -> dict[str, list[Item]]:
    events, doses = [], []
    for triple in triples:
        if triple.adverse_event is not None:
            events.append(Item.of(triple.drug, triple.adverse_event))
        if triple.dose is not None:
            doses.append(Item.of(triple.drug, triple.dose))
    found = {**entities, "drug-adverse_event": events, "drug-dose": doses}
    return {kind: unique_items(items) for kind, items in found.items()}


def _assertions(triples: Iterable[Triple]) -> dict[Fragments, Assertion]:
    """Each adverse event's assertion: that of the first triple naming it."""
    marks: dict[Fragments, Assertion] = {}
    for triple in triples:
        if triple.adverse_event is not None:
            marks.setdefault(span_fragments(triple.adverse_event), triple.assertion)
    return marks


def _errors(
    kind: str,
    gold: list[Item],
    pred: list[Item],
    strict: dict[int, int],
    lenient: dict[int, int],
    text: str,
) -> Iterable[ErrorItem]:
    found_gold, lenient_gold = set(strict.values()), set(lenient.values())
    for g, item in enumerate(gold):
        if g not in found_gold:
            yield _error("false_negative", kind, item, text, boundary=g in lenient_gold)
    for p, item in enumerate(pred):
        if p not in strict:
            yield _error("false_positive", kind, item, text, boundary=p in lenient)


def _assertion_errors(
    gold: list[Item], pred: list[Item], strict: dict[int, int], marks: Marks, text: str
) -> Iterable[ErrorItem]:
    for g, expected, got in _assertion_pairs(gold, pred, strict, marks):
        if expected != got:
            detail = f"gold {expected}, predicted {got}"
            yield _error("assertion", "adverse_event", gold[g], text, detail=detail)


def _error(
    error: ErrorKind,
    kind: str,
    item: Item,
    text: str,
    *,
    boundary: bool = False,
    detail: str | None = None,
) -> ErrorItem:
    return ErrorItem(
        error=error,
        type=kind,
        text=" -> ".join(span.text for span in item.spans),
        offsets=" / ".join(_offsets(span) for span in item.spans),
        boundary=boundary,
        detail=detail,
        context=context_of(text, item.spans),
    )


def _offsets(span: Span) -> str:
    return ",".join(f"{start}-{end}" for start, end in span_fragments(span))


def context_of(text: str, spans: Sequence[Span]) -> str:
    """The sentence(s) around `spans`: from the sentence end before to the one after."""
    start, end = min(s.start for s in spans), max(s.end for s in spans)
    floor, ceiling = max(0, start - CONTEXT_REACH), min(len(text), end + CONTEXT_REACH)
    left = max(
        (
            text.rfind(mark, floor, start) + len(mark)
            for mark in SENTENCE_ENDS
            if text.rfind(mark, floor, start) != -1
        ),
        default=floor,
    )
    rights = [text.find(mark, end, ceiling) for mark in SENTENCE_ENDS]
    right = min((r + 1 for r in rights if r != -1), default=ceiling)
    prefix = "…" if left == floor and floor > 0 else ""
    suffix = "…" if right == ceiling and ceiling < len(text) else ""
    return f"{prefix}{text[left:right].strip()}{suffix}"
