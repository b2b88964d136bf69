"""Two checks on predicted triples that F1 does not show: junk spans and assertion drops.

- Junk: a span of punctuation alone, of English function words alone ("of", "the"), or
  one that begins or ends inside a word ("valpro" of "valproic").
- Assertion drops: predicted drug–event triples whose pair matches a gold pair exactly but
  whose assertion is not the gold one's; in the ADE corpus every pair is a stated (present)
  ADE, so each of them is a true pair that counting "present" findings would lose.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from pvkg.gold import GoldDocument, span_fragments
from pvkg.records import Note, Span, Triple

ROOT = Path(__file__).resolve().parent.parent
STOPWORDS = frozenset(
    (ROOT / "normalize" / "nltk_data" / "corpora" / "stopwords" / "english")
    .read_text("utf-8")
    .split()
)


def junk_reason(span: Span, text: str) -> str | None:
    """Why `span` is junk, or None."""
    words = span.text.split()
    if not any(c.isalnum() for c in span.text):
        return "punctuation only"
    if all(w.lower().strip(".,;:()") in STOPWORDS for w in words):
        return "function words only"
    if _cuts(text, span.start - 1, span.start) or _cuts(text, span.end - 1, span.end):
        return "cuts a word"
    return None


def _cuts(text: str, left: int, right: int) -> bool:
    return left >= 0 and right < len(text) and text[left].isalnum() and text[right].isalnum()


def junk_spans(triples: Sequence[Triple], notes: Mapping[str, Note]) -> Counter[str]:
    """Junk spans of the triples by reason, and "spans" (all spans looked at)."""
    found: Counter[str] = Counter()
    for triple in triples:
        text = notes[triple.note_id].text
        for span in (triple.drug, triple.dose, triple.adverse_event):
            if span is None:
                continue
            found["spans"] += 1
            reason = junk_reason(span, text)
            if reason is not None:
                found[reason] += 1
    return found


def assertion_drops(
    documents: Sequence[GoldDocument], triples: Sequence[Triple]
) -> tuple[int, int]:
    """(true drug–event pairs predicted with a wrong assertion, true pairs predicted)."""
    gold = {
        (d.note.id, span_fragments(t.drug), span_fragments(t.adverse_event)): t.assertion
        for d in documents
        for t in d.triples
        if t.adverse_event is not None
    }
    dropped = matched = 0
    for triple in triples:
        if triple.adverse_event is None:
            continue
        key = (triple.note_id, span_fragments(triple.drug), span_fragments(triple.adverse_event))
        if key in gold:
            matched += 1
            dropped += triple.assertion != gold[key]
    return dropped, matched


def describe(documents: Sequence[GoldDocument], triples: Sequence[Triple]) -> str:
    notes = {d.note.id: d.note for d in documents}
    junk = junk_spans(triples, notes)
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(junk.items()) if k != "spans") or "none"
    dropped, matched = assertion_drops(documents, triples)
    return (
        f"junk spans: {sum(v for k, v in junk.items() if k != 'spans')} of "
        f"{junk['spans']:,} ({reasons}); true drug–ADE pairs with another assertion than "
        f"gold: {dropped} of {matched:,}"
    )
