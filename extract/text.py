"""Sentences and windows over note text, with offsets into the original note.

Clinical text breaks sentences at newlines and list bullets as often as at full stops, and
abbreviations ("mg.", "b.i.d.", "Dr.") must not end one. Windows for long notes are whole
sentences packed up to a size with an overlap, so every offset maps back by adding the
window's start.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pvkg.records import Span, Triple

ABBREVIATIONS = frozenset((
    "dr", "mr", "mrs", "ms", "pt", "pts", "vs", "e.g", "i.e", "etc", "approx", "mg", "mcg",
    "kg", "ml", "no", "fig", "b.i.d", "t.i.d", "q.i.d", "p.o", "i.v", "q.d", "h.s", "a.m",
    "p.m", "st", "jr", "sr", "inc", "dept", "wk", "wks", "hr", "hrs", "min",
))  # fmt: skip
_WORD_END = re.compile(r"([A-Za-z.]+)$")
_DIGIT_END = re.compile(r"\d$")
_DECIMAL = re.compile(r"\.\d")
_BOUNDARY = re.compile(r"[.!?]+[\"')\]]*\s+|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)|\n")


@dataclass(frozen=True)
class Window:
    """Characters `start:end` of a note, as a unit of extraction."""

    start: int
    end: int


def sentences(text: str) -> list[Window]:
    """Sentence spans (trimmed of surrounding whitespace) covering the non-blank text."""
    spans: list[Window] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if match.group().startswith(".") and _is_abbreviation(text, match.start()):
            continue
        _append_trimmed(spans, text, start, match.end())
        start = match.end()
    _append_trimmed(spans, text, start, len(text))
    return spans


def _is_abbreviation(text: str, dot: int) -> bool:
    word = _WORD_END.search(text[max(0, dot - 12) : dot])
    if word is None:
        # Two characters decide "\d$" ("$" also matches before a final newline); searching
        # the whole text before the dot made long notes quadratic.
        digit = _DIGIT_END.search(text[max(0, dot - 2) : dot])
        return digit is not None and _DECIMAL.match(text, dot) is not None
    return word.group(1).lower().strip(".") in ABBREVIATIONS


def _append_trimmed(spans: list[Window], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        left = start + (len(chunk) - len(chunk.lstrip()))
        spans.append(Window(left, left + len(stripped)))


def sentence_at(sentence_spans: list[Window], offset: int) -> Window | None:
    """The sentence containing `offset` (sentences sorted, as `sentences` returns them)."""
    low, high = 0, len(sentence_spans)
    while low < high:
        mid = (low + high) // 2
        if sentence_spans[mid].end <= offset:
            low = mid + 1
        else:
            high = mid
    if low < len(sentence_spans) and sentence_spans[low].start <= offset:
        return sentence_spans[low]
    return None


def windows(text: str, max_chars: int = 4000, overlap: int = 400) -> Iterator[Window]:
    """Whole sentences packed into windows of at most `max_chars` (a longer sentence is cut
    at `max_chars`); consecutive windows share at least one sentence, and more up to
    `overlap` characters."""
    spans = [piece for s in sentences(text) for piece in _cut(s, max_chars)]
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and spans[j + 1].end - spans[i].start <= max_chars:
            j += 1
        yield Window(spans[i].start, spans[j].end)
        if j + 1 >= len(spans):
            return
        # Repeat the last sentence (unless it filled the window alone) and as many before
        # it as fit in `overlap`, so statements at the seam are seen whole once.
        back = j if j > i else j + 1
        while back - 1 > i and spans[j].end - spans[back - 1].start <= overlap:
            back -= 1
        i = back


def _cut(span: Window, size: int) -> Iterator[Window]:
    for start in range(span.start, span.end, size):
        yield Window(start, min(start + size, span.end))


def shift(span: Span, offset: int) -> Span:
    """A span found in a window, moved to note offsets."""
    return span.model_copy(update={"start": span.start + offset, "end": span.end + offset})


def dedupe(triples: Iterable[Triple]) -> list[Triple]:
    """Triples from overlapping windows, each (drug, dose, event spans, assertion) once,
    keeping the most confident."""
    best: dict[tuple[object, ...], Triple] = {}
    for triple in triples:
        spans = (triple.drug, triple.dose, triple.adverse_event)
        key = (*((s.start, s.end) if s else None for s in spans), triple.assertion)
        if key not in best or triple.confidence > best[key].confidence:
            best[key] = triple
    return sorted(best.values(), key=lambda t: (t.drug.start, t.drug.end))
