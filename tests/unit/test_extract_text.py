from __future__ import annotations

import itertools
import random

from extract.text import Window, dedupe, sentence_at, sentences, shift, windows
from pvkg.records import ExtractorInfo, Span, Triple

NOTE = (
    "Pt was given amoxicillin 500 mg. b.i.d. for 5 days.\nDeveloped rash.  "
    "Dr. Smith stopped it!\n\n- nausea\n- vomiting\nDose 2.5 mg daily."
)


def texts(spans: list[Window]) -> list[str]:
    return [NOTE[s.start : s.end] for s in spans]


def test_sentences_respect_abbreviations_decimals_and_bullets() -> None:
    assert texts(sentences(NOTE)) == [
        "Pt was given amoxicillin 500 mg. b.i.d. for 5 days.",
        "Developed rash.",
        "Dr. Smith stopped it!",
        "- nausea",
        "- vomiting",
        "Dose 2.5 mg daily.",
    ]
    assert sentences("") == []
    assert sentences("   \n ") == []


def test_sentence_at_finds_the_enclosing_sentence() -> None:
    spans = sentences(NOTE)
    assert texts([sentence_at(spans, NOTE.index("rash")) or Window(0, 0)]) == ["Developed rash."]
    assert sentence_at(spans, NOTE.index("  Dr.")) is None  # between sentences


def test_windows_cover_every_sentence_within_size_and_overlap() -> None:
    rng = random.Random(3)
    words = ["aspirin", "rash", "was", "given", "mg.", "Dr.", "pain", "3.5"]
    text = " ".join(rng.choice(words) + ("." if rng.random() < 0.1 else "") for _ in range(3000))
    spans = list(windows(text, max_chars=500, overlap=100))
    assert all(w.end - w.start <= 500 for w in spans)
    covered: set[int] = set()
    for w in spans:
        covered.update(range(w.start, w.end))
    for s in sentences(text):
        assert set(range(s.start, s.end)) <= covered
    single = {(s.start, s.end) for s in sentences(text)}
    for a, b in itertools.pairwise(spans):
        # Consecutive windows share a sentence, unless one sentence filled the first.
        assert b.start < a.end or (a.start, a.end) in single


def test_shift_and_dedupe_keep_the_most_confident() -> None:
    info = ExtractorInfo(name="t", version="1")
    local = Span(text="rash", start=10, end=14)
    moved = shift(local, 100)
    assert (moved.start, moved.end, moved.text) == (110, 114, "rash")
    drug = Span(text="x", start=0, end=1)
    low = Triple(note_id="n", drug=drug, adverse_event=moved, extractor=info, confidence=0.4)
    high = low.model_copy(update={"confidence": 0.9})
    other = low.model_copy(update={"assertion": "negated"})
    assert dedupe([low, high, other]) == [high, other]


def test_a_stop_after_a_number_ends_a_sentence_in_a_long_note() -> None:
    note = "Took 2.5 tablets. Then 3. " * 2000
    found = sentences(note)
    assert len(found) == 4000
    assert [note[s.start : s.end] for s in found[:2]] == ["Took 2.5 tablets.", "Then 3."]
