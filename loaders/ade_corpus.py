"""ADE-Corpus-V2 (Gurulingappa et al. 2012) as gold documents, one per (PMID, sentence).

The `.rel` offsets are document-level over "PMID\\n\\nTitle\\n\\nAbstract". Every sentence has
one shift B (its start in that document) with `sentence[begin-B:end-B] == entity` for all its
entities; we find B from the entities themselves and check every row against it. A row that
does not fit its sentence's shift is reported (file, line) and left out.

Note ids are "PMID:n": n counts a PMID's distinct sentences from 1, in order of first
appearance in DRUG-AE.rel, then DRUG-DOSE.rel, then ADE-NEG.txt. DRUG-AE rows give
(drug, adverse event) triples; a DRUG-DOSE row's dose goes onto the triples of the same drug
mention in its sentence, or makes a (drug, dose) triple when the drug has none. ADE-NEG
sentences are notes without triples; a repeated sentence is one note.

All three files are indexed before the first document is yielded: a sentence's rows are spread
over them, and ADE-NEG.txt is not ordered by PMID.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pvkg.errors import InputError
from pvkg.gold import GoldDocument, gold_extractor, make_document, pairings, sentence_span
from pvkg.problems import ErrorHandler, report
from pvkg.records import MentionKind, Note, Span, Triple
from pvkg.textfiles import non_blank_lines

SOURCE = "ade_corpus_v2"
ADE_FILE = "DRUG-AE.rel"
DOSE_FILE = "DRUG-DOSE.rel"
NEG_FILE = "ADE-NEG.txt"


@dataclass(frozen=True)
class RelationRow:
    """One `.rel` row: a drug and its effect (DRUG-AE) or dose (DRUG-DOSE), doc offsets."""

    file: Path
    line: int
    pmid: str
    sentence: str
    other: str
    other_begin: int
    drug: str
    drug_begin: int


@dataclass(frozen=True)
class _Placed:
    """A verified row with sentence-level spans."""

    row: RelationRow
    drug: Span
    other: Span


def iter_rows(path: str | Path, *, on_error: ErrorHandler | None = None) -> Iterator[RelationRow]:
    """Parse a `.rel` file: `PMID|sentence|entity|begin|end|drug|begin|end` per line."""
    path = Path(path)
    for line_no, line in non_blank_lines(path, on_error):
        try:
            yield _parse_row(path, line_no, line)
        except ValueError as exc:
            report(InputError(str(exc), file=path, line=line_no), on_error)


def _parse_row(path: Path, line_no: int, line: str) -> RelationRow:
    # Split the fixed fields from the right so a '|' inside the sentence does no harm.
    head, *tail = line.rsplit("|", 6)
    pmid, _, sentence = head.partition("|")
    if len(tail) != 6 or not sentence:
        raise ValueError("expected 8 '|'-separated fields")
    other, o_begin, o_end, drug, d_begin, d_end = tail
    if not all(v.isdigit() for v in (o_begin, o_end, d_begin, d_end)):
        raise ValueError("offsets must be non-negative integers")
    for text, begin, end in ((other, o_begin, o_end), (drug, d_begin, d_end)):
        if not text or int(end) - int(begin) != len(text):
            raise ValueError(f"offsets {begin}-{end} do not span {text!r}")
    return RelationRow(path, line_no, pmid, sentence, other, int(o_begin), drug, int(d_begin))


def iter_documents(
    directory: str | Path, *, on_error: ErrorHandler | None = None
) -> Iterator[GoldDocument]:
    """Yield the corpus's sentences as gold documents (see the module doc for the id scheme)."""
    directory = Path(directory)
    ade: dict[str, dict[str, list[RelationRow]]] = defaultdict(dict)
    dose: dict[tuple[str, str], list[RelationRow]] = defaultdict(list)
    for row in iter_rows(directory / ADE_FILE, on_error=on_error):
        ade[row.pmid].setdefault(row.sentence, []).append(row)
    for row in iter_rows(directory / DOSE_FILE, on_error=on_error):
        ade[row.pmid].setdefault(row.sentence, [])
        dose[(row.pmid, row.sentence)].append(row)
    for pmid, sentence in _iter_negative(directory / NEG_FILE, on_error):
        ade[pmid].setdefault(sentence, [])
    for pmid, sentences in ade.items():
        for n, (sentence, rows) in enumerate(sentences.items(), start=1):
            note_id = f"{pmid}:{n}"
            yield _document(note_id, pmid, sentence, rows, dose[(pmid, sentence)], on_error)


def _iter_negative(path: Path, on_error: ErrorHandler | None) -> Iterator[tuple[str, str]]:
    for line_no, line in non_blank_lines(path, on_error):
        parts = line.split(" ", 2)
        if len(parts) != 3 or parts[1] != "NEG" or not parts[2]:
            error = InputError("expected 'PMID NEG sentence'", file=path, line=line_no)
            report(error, on_error)
            continue
        yield parts[0], parts[2]


def _document(
    note_id: str,
    pmid: str,
    sentence: str,
    ade_rows: list[RelationRow],
    dose_rows: list[RelationRow],
    on_error: ErrorHandler | None,
) -> GoldDocument:
    shift = _shared_shift(sentence, [*ade_rows, *dose_rows])
    metadata: dict[str, str | int] = {"source": SOURCE, "pmid": pmid}
    if shift is not None:
        metadata["doc_offset"] = shift
    note = Note(id=note_id, text=sentence, metadata=dict(metadata))
    events = _place(sentence, ade_rows, shift, on_error)
    doses = _place(sentence, dose_rows, shift, on_error)
    return make_document(
        note, _triples(note, events, doses), annotated=_annotated(ade_rows or dose_rows)
    )


def _annotated(rows: list[RelationRow]) -> tuple[MentionKind, ...]:
    """Adverse events are marked in every sentence (ADE-NEG: none there); drugs only in the
    sentences with a relation row; doses only beside some drugs, so never exhaustively."""
    return ("drug", "adverse_event") if rows else ("adverse_event",)


def _shared_shift(sentence: str, rows: list[RelationRow]) -> int | None:
    """The shift most rows agree with (ties: the smallest); None without rows."""
    votes: Counter[int] = Counter()
    for row in rows:
        votes.update(_row_shifts(sentence, row))
    if not votes:
        return None
    return max(votes, key=lambda shift: (votes[shift], -shift))


def _row_shifts(sentence: str, row: RelationRow) -> set[int]:
    return _shifts(sentence, row.other, row.other_begin) & _shifts(
        sentence, row.drug, row.drug_begin
    )


def _shifts(sentence: str, text: str, begin: int) -> set[int]:
    """Every shift that would put `text` (at document offset `begin`) into `sentence`."""
    found, at = set(), sentence.find(text)
    while at != -1:
        found.add(begin - at)
        at = sentence.find(text, at + 1)
    return found


def _place(
    sentence: str, rows: list[RelationRow], shift: int | None, on_error: ErrorHandler | None
) -> list[_Placed]:
    placed = []
    for row in rows:
        if shift is None or shift not in _row_shifts(sentence, row):
            reason = (
                f"{row.drug!r} at {row.drug_begin} and {row.other!r} at {row.other_begin} "
                f"do not fit the sentence at the shift its other rows share ({shift})"
            )
            report(InputError(reason, file=row.file, line=row.line), on_error)
            continue
        drug, other = row.drug_begin - shift, row.other_begin - shift
        placed.append(
            _Placed(
                row=row,
                drug=Span(text=row.drug, start=drug, end=drug + len(row.drug)),
                other=Span(text=row.other, start=other, end=other + len(row.other)),
            )
        )
    return placed


def _triples(note: Note, events: list[_Placed], doses: list[_Placed]) -> list[Triple]:
    def triple(drug: Span, dose: Span | None, event: Span | None) -> Triple:
        return Triple(
            note_id=note.id,
            drug=drug,
            dose=dose,
            adverse_event=event,
            evidence=sentence_span(note.text),
            extractor=gold_extractor(SOURCE),
        )

    drugs: dict[tuple[int, int], Span] = {}
    events_of: dict[tuple[int, int], list[Span]] = defaultdict(list)
    doses_of: dict[tuple[int, int], list[Span]] = defaultdict(list)
    for placed_rows, found in ((events, events_of), (doses, doses_of)):
        for placed in placed_rows:
            key = (placed.drug.start, placed.drug.end)
            drugs.setdefault(key, placed.drug)
            found[key].append(placed.other)
    return [
        triple(drug, dose, event)
        for key, drug in drugs.items()
        for event, dose in pairings(events_of[key], doses_of[key])
    ]
