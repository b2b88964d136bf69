from __future__ import annotations

from io import StringIO

import pytest
from rich.console import Console

from extract.scoring import Evaluation, score, score_documents
from pvkg.app.evaluation import metrics_table, render_markdown
from pvkg.gold import GoldDocument, fragment_span, gold_extractor, make_document
from pvkg.records import Assertion, ExtractorInfo, Mention, Note, Span, Triple

TEXT = "Rash and severe headache after ibuprofen 200 mg daily."
NOTE = Note(id="n1", text=TEXT)
RULES = ExtractorInfo(name="rules", version="1")


def span(text: str, piece: str, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(piece, start + 1)
    return Span(text=piece, start=start, end=start + len(piece))


def triple(
    note: Note,
    drug: str,
    dose: str | None = None,
    event: str | None = None,
    assertion: Assertion = "present",
    *,
    gold: bool = False,
) -> Triple:
    return Triple(
        note_id=note.id,
        drug=span(note.text, drug),
        dose=span(note.text, dose) if dose else None,
        adverse_event=span(note.text, event) if event else None,
        assertion=assertion,
        extractor=gold_extractor("test") if gold else RULES,
    )


def gold_doc() -> GoldDocument:
    return make_document(
        NOTE,
        [
            triple(NOTE, "ibuprofen", "200 mg", "Rash", gold=True),
            triple(NOTE, "ibuprofen", "200 mg", "severe headache", gold=True),
        ],
    )


def counts(evaluation: Evaluation, mode: str) -> dict[str, tuple[int, int, int]]:
    scores = getattr(evaluation, mode)
    found = {name: (s.tp, s.fp, s.fn) for name, s in scores.types.items()}
    found["entities"] = (scores.entities.tp, scores.entities.fp, scores.entities.fn)
    found["relations"] = (scores.relations.tp, scores.relations.fp, scores.relations.fn)
    return found


def test_score_rules_for_empty_sides() -> None:
    assert (score(0, 0, 0).precision, score(0, 0, 0).recall, score(0, 0, 0).f1) == (1, 1, 1)
    only_pred = score(0, 2, 0)
    assert (only_pred.precision, only_pred.recall, only_pred.f1) == (0, 0, 0)
    only_gold = score(0, 0, 3)
    assert (only_gold.precision, only_gold.recall, only_gold.f1) == (0, 0, 0)
    mixed = score(2, 1, 3)
    assert mixed.precision == pytest.approx(2 / 3)
    assert mixed.recall == pytest.approx(2 / 5)
    assert mixed.f1 == pytest.approx(2 * (2 / 3) * (2 / 5) / (2 / 3 + 2 / 5))


def test_hand_computed_document_with_duplicates_and_overlaps() -> None:
    predictions = [
        triple(NOTE, "ibuprofen", None, "Rash"),
        triple(NOTE, "ibuprofen", None, "Rash"),  # a duplicate counts once
        triple(NOTE, "ibuprofen", "200 mg daily", "headache", "negated"),
    ]
    evaluation = score_documents([gold_doc()], predictions)
    assert counts(evaluation, "strict") == {
        "drug": (1, 0, 0),
        "dose": (0, 1, 1),
        "adverse_event": (1, 1, 1),
        "drug-adverse_event": (1, 1, 1),
        "drug-dose": (0, 1, 1),
        "entities": (2, 2, 2),
        "relations": (1, 2, 2),
    }
    assert counts(evaluation, "lenient") == {
        "drug": (1, 0, 0),
        "dose": (1, 0, 0),
        "adverse_event": (2, 0, 0),
        "drug-adverse_event": (2, 0, 0),
        "drug-dose": (1, 0, 0),
        "entities": (4, 0, 0),
        "relations": (3, 0, 0),
    }
    assert evaluation.strict.entities.f1 == pytest.approx(0.5)
    assert evaluation.strict.relations.precision == pytest.approx(1 / 3)
    # Strict: only "Rash" is matched (present/present); lenient adds headache (negated).
    assert evaluation.strict.assertion.accuracy == 1.0
    assert evaluation.lenient.assertion.accuracy == 0.5
    assert evaluation.lenient.assertion.confusion == {"present": {"negated": 1, "present": 1}}
    assert evaluation.predicted_triples == 3
    assert evaluation.gold_triples == 2


def test_error_listing_marks_boundary_errors() -> None:
    predictions = [
        triple(NOTE, "ibuprofen", None, "Rash"),
        triple(NOTE, "ibuprofen", None, "headache"),
        triple(NOTE, "200 mg daily", None, "Rash"),
    ]
    evaluation = score_documents([gold_doc()], predictions)
    (document,) = evaluation.errors
    listed = {(i.error, i.type, i.text, i.boundary) for i in document.items}
    assert listed == {
        ("false_negative", "dose", "200 mg", False),
        ("false_negative", "adverse_event", "severe headache", True),
        ("false_positive", "adverse_event", "headache", True),
        ("false_positive", "drug", "200 mg daily", False),
        ("false_negative", "drug-adverse_event", "ibuprofen -> severe headache", True),
        ("false_positive", "drug-adverse_event", "ibuprofen -> headache", True),
        ("false_positive", "drug-adverse_event", "200 mg daily -> Rash", False),
        ("false_negative", "drug-dose", "ibuprofen -> 200 mg", False),
    }
    assert all(item.context == TEXT for item in document.items)
    report = render_markdown(evaluation)
    assert f"> {TEXT}" in report
    assert "- missed adverse_event: `severe headache` [9-24] (boundary)" in report


def test_lenient_matching_is_one_to_one() -> None:
    note = Note(id="n2", text="nausea and vomiting after cisplatin")
    gold = make_document(
        note,
        [
            triple(note, "cisplatin", None, "nausea", gold=True),
            triple(note, "cisplatin", None, "vomiting", gold=True),
        ],
    )
    evaluation = score_documents([gold], [triple(note, "cisplatin", None, "nausea and vomiting")])
    assert counts(evaluation, "lenient")["adverse_event"] == (1, 0, 1)
    assert counts(evaluation, "strict")["adverse_event"] == (0, 1, 2)


def test_lenient_matching_finds_the_most_pairs() -> None:
    # Gold A = 0-10 and B = 5-8; predicted 0-10 (exact for A) and 2-4 (overlaps A only).
    # Keeping the exact pair would match one; moving A to 2-4 frees 0-10 for B: two.
    note = Note(id="n3", text="abcdefghij klm")
    spans = {
        name: Span(text=note.text[s:e], start=s, end=e)
        for name, (s, e) in {"A": (0, 10), "B": (5, 8), "P": (2, 4)}.items()
    }
    gold = GoldDocument(
        note=note,
        mentions=(Mention(kind="drug", span=spans["A"]), Mention(kind="drug", span=spans["B"])),
    )
    predicted = [Triple(note_id="n3", drug=spans[name], extractor=RULES) for name in ("A", "P")]
    evaluation = score_documents([gold], predicted)
    assert counts(evaluation, "strict")["drug"] == (1, 1, 1)
    assert counts(evaluation, "lenient")["drug"] == (2, 0, 0)


def test_discontinuous_spans_overlap_by_fragment() -> None:
    note = Note(id="n4", text="swelling of the lips and tongue after enalapril")
    event = fragment_span(note.text, [(0, 8), (25, 31)])  # "swelling ... tongue"
    drug = span(note.text, "enalapril")
    gold = make_document(
        note, [Triple(note_id="n4", drug=drug, adverse_event=event, extractor=RULES)]
    )
    whole = span(note.text, "swelling of the lips and tongue")
    lips = span(note.text, "lips")  # inside the covering span, but in the gap
    for predicted, lenient in ((whole, (1, 0, 0)), (lips, (0, 1, 1))):
        pred = Triple(note_id="n4", drug=drug, adverse_event=predicted, extractor=RULES)
        evaluation = score_documents([gold], [pred])
        assert counts(evaluation, "strict")["adverse_event"] == (0, 1, 1)
        assert counts(evaluation, "lenient")["adverse_event"] == lenient
    same = Triple(note_id="n4", drug=drug, adverse_event=event, extractor=RULES)
    assert counts(score_documents([gold], [same]), "strict")["adverse_event"] == (1, 0, 0)


def test_empty_gold_and_empty_prediction() -> None:
    empty = make_document(Note(id="n5", text="No adverse events."), [])
    both_empty = score_documents([empty], [])
    assert both_empty.strict.entities.f1 == 1.0
    assert both_empty.lenient.relations.precision == 1.0
    assert both_empty.strict.assertion.accuracy is None
    assert both_empty.errors == ()

    no_predictions = score_documents([gold_doc()], [])
    assert no_predictions.strict.types["drug"].model_dump() == {
        "tp": 0,
        "fp": 0,
        "fn": 1,
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
    }
    only_predictions = score_documents(
        [make_document(NOTE, [])], [triple(NOTE, "ibuprofen", None, "Rash")]
    )
    assert only_predictions.strict.types["drug-adverse_event"].model_dump() == {
        "tp": 0,
        "fp": 1,
        "fn": 0,
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
    }


def test_predictions_that_cannot_be_scored_are_listed() -> None:
    stranger = Note(id="elsewhere", text=TEXT)
    misplaced = Triple(note_id="n1", drug=Span(text="Rash", start=1, end=5), extractor=RULES)
    evaluation = score_documents(
        [gold_doc()], [triple(stranger, "ibuprofen"), misplaced, triple(NOTE, "ibuprofen")]
    )
    assert evaluation.strict.types["drug"].tp == 1
    assert evaluation.strict.types["drug"].fp == 0
    assert len(evaluation.problems) == 2
    assert "not scored: drug: span 1:5 is 'ash '" in evaluation.problems[0]
    assert (
        "1 predicted triples name notes that are not in the gold: 'elsewhere'"
        in (evaluation.problems[1])
    )


def test_repeated_gold_note_is_scored_once() -> None:
    evaluation = score_documents([gold_doc(), gold_doc()], [])
    assert evaluation.documents == 1
    assert evaluation.strict.types["drug"].fn == 1
    assert evaluation.problems == ("gold note 'n1' appears twice; the second is not scored",)


def test_types_with_nothing_to_find_or_found_are_n_a() -> None:
    note = Note(id="n6", text="Rash after aspirin.")
    gold = make_document(note, [triple(note, "aspirin", None, "Rash", gold=True)])
    evaluation = score_documents([gold], [triple(note, "aspirin", None, "after")])
    dose = evaluation.strict.types["dose"]
    assert dose.empty and not evaluation.strict.entities.empty
    assert dose.f1 == 1.0  # the library keeps the empty-side rule; reports say n/a
    numbers = evaluation.numbers()
    for mode in ("strict", "lenient"):
        for name in ("dose", "drug-dose"):
            measures = {k: numbers[mode]["types"][name][k] for k in ("precision", "recall", "f1")}
            assert measures == {"precision": None, "recall": None, "f1": None}, (mode, name)
    # Micro: drug matched, event not; the empty dose type adds no counts.
    assert numbers["strict"]["entities"]["f1"] == evaluation.strict.entities.f1 == 0.5
    assert numbers["strict"]["types"]["drug"]["f1"] == 1.0
    assert "| dose | 0 | 0 | 0 | n/a | n/a | n/a |" in render_markdown(evaluation)
    assert "| drug | 1 | 0 | 0 | 1.000 | 1.000 | 1.000 |" in render_markdown(evaluation)
    out = StringIO()
    Console(file=out, width=200).print(metrics_table(evaluation))
    rows = {cells[0]: cells[1:] for cells in _table_rows(out.getvalue())}
    assert rows["dose"] == ["0", "0", "n/a", "n/a"]
    assert rows["entities (micro)"] == ["2", "2", "0.500/0.500/0.500", "0.500/0.500/0.500"]


def test_micro_score_with_nothing_to_find_or_found_is_n_a() -> None:
    note = Note(id="n7", text="Aspirin was given.")
    evaluation = score_documents([make_document(note, [])], [triple(note, "Aspirin")])
    numbers = evaluation.numbers()["strict"]
    assert numbers["relations"]["f1"] is None
    assert numbers["entities"]["precision"] == 0.0
    assert "| relations (micro) | 0 | 0 | 0 | n/a | n/a | n/a |" in render_markdown(evaluation)


def _table_rows(rendered: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.split("│")][1:-1]
        for line in rendered.splitlines()
        if line.startswith("│")
    ]
