"""Per-signal evidence sections: the sentences behind a pair with its drug, event and dose
marked at their stored offsets, and the provenance of each triple."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from kg.evidence import Mention, PairEvidence, TripleEvidence
from pvkg.app.reporting.format import shown
from pvkg.app.reporting.model import Row
from pvkg.app.reporting.table import badges_html, interval_text


def highlight(sentence: Mention, marks: Sequence[tuple[str, Mention]]) -> tuple[str, list[str]]:
    """The sentence as escaped HTML with each mention wrapped in `<mark class=...>`, and the
    classes of the mentions that could not be marked.

    A mention is placed by its stored offsets relative to the sentence's, never by searching
    for its text (which could mark another occurrence); one that falls outside the sentence,
    does not match the text there, or overlaps an earlier mark is left unmarked.
    """
    found: list[tuple[int, int, str]] = []
    missed: list[str] = []
    for cls, mention in marks:
        start, end = mention.start - sentence.start, mention.end - sentence.start
        if 0 <= start < end <= len(sentence.text) and sentence.text[start:end] == mention.text:
            found.append((start, end, cls))
        else:
            missed.append(cls)
    parts: list[str] = []
    position = 0
    for start, end, cls in sorted(found):
        if start < position:
            missed.append(cls)
            continue
        parts.append(escape(sentence.text[position:start]))
        parts.append(f'<mark class="{cls}">{escape(sentence.text[start:end])}</mark>')
        position = end
    parts.append(escape(sentence.text[position:]))
    return "".join(parts), missed


def _quote(triple: TripleEvidence) -> str:
    marks = [("drug", triple.drug), ("event", triple.event)]
    if triple.dose is not None:
        marks.append(("dose", triple.dose))
    if triple.sentence is None:
        spans = " … ".join(f'<mark class="{c}">{escape(m.text)}</mark>' for c, m in marks)
        return f'<blockquote class="no-sentence">{spans}</blockquote>'
    quoted, missed = highlight(triple.sentence, marks)
    warning = (
        f'<p class="warn">offsets of {", ".join(missed)} do not fall on the sentence</p>'
        if missed
        else ""
    )
    return f"<blockquote>{quoted}</blockquote>{warning}"


def _provenance(triple: TripleEvidence) -> str:
    parts = [
        f"note <code>{escape(triple.report_id)}</code>",
        f'<span class="assertion {escape(triple.assertion)}">{escape(triple.assertion)}</span>',
        f"extractor {escape(triple.extractor)}",
    ]
    if triple.confidence is not None:
        parts.append(f"confidence {triple.confidence:.2f}")
    course = triple.course
    if "naranjo" in course:
        parts.append(f"Naranjo {course['naranjo']}, WHO-UMC {escape(str(course.get('who_umc')))}")
    for name, label in (("time_to_onset", "onset"), ("dechallenge", "dechallenge"),
                        ("rechallenge", "rechallenge"), ("outcome", "outcome")):  # fmt: skip
        if name in course:
            parts.append(f"{label} {escape(str(course[name]))}")
    if triple.sentence is None:
        parts.append("no evidence sentence stored")
    return f'<p class="prov">{" · ".join(parts)}</p>'


def _item(triple: TripleEvidence) -> str:
    state = "counted" if triple.counted else "not-counted"
    return f'<li class="{state}">{_quote(triple)}{_provenance(triple)}</li>'


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _sources(evidence: PairEvidence) -> str:
    structured = {s: n for s, n in evidence.reports_by_source.items() if s != "note"}
    listed = ", ".join(f"{escape(s)} {n}" for s, n in sorted(structured.items()))
    return f"{_plural(evidence.structured_reports, 'structured report')} ({listed})"


def _summary(row: Row, evidence: PairEvidence) -> str:
    s = row.signal
    facts = [f"a = {s.a} (E = {shown(s.expected)})"]
    if s.prr is not None:
        facts.append(f"PRR {shown(s.prr)} (95% CI {interval_text(s.prr_lo, s.prr_hi)})")
    if s.eb05 is not None:
        facts.append(f"EBGM {shown(s.ebgm)} (EB05 {shown(s.eb05)})")
    notes = len({t.report_id for t in evidence.triples})
    if evidence.triples:
        facts.append(
            f"{_plural(len(evidence.triples), 'extracted triple')} in {_plural(notes, 'note')}"
        )
    if evidence.triples and evidence.structured_reports:
        facts.append(f"also {_sources(evidence)}")
    return f'<p class="meta">{" · ".join(facts)}</p>'


def _without_triples(evidence: PairEvidence) -> str:
    if evidence.note_reports == 0:
        return f'<p class="structured">structured reports only: {_sources(evidence)}</p>'
    text = (
        f"co-reported in {_plural(evidence.note_reports, 'note')}, but no extracted triple "
        "links this drug to this event"
    )
    if evidence.structured_reports:
        text += f"; {_sources(evidence)}"
    return f'<p class="structured">{text}</p>'


def evidence_section(row: Row, evidence: PairEvidence, limit: int) -> str:
    """One signal's section: its numbers, then up to `limit` sentences (counted first)."""
    s = row.signal
    head = (
        f'<h3><span class="drug-name">{escape(s.drug)}</span> — '
        f'<span class="event-name">{escape(s.event)}</span> {badges_html(row)}</h3>'
    )
    if not evidence.triples:
        body = _without_triples(evidence)
    else:
        items = "\n".join(_item(t) for t in evidence.triples[:limit])
        hidden = len(evidence.triples) - limit
        body = f'<ol class="evidence">\n{items}\n</ol>'
        if hidden > 0:
            body += f'<p class="more">{_plural(hidden, "more triple")} not shown</p>'
    summary = _summary(row, evidence)
    return f'<section class="pair" id="{row.anchor}">{head}{summary}{body}</section>'
