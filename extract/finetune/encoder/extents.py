"""Where two training sources mark one kind with different extents, learn it from one.

Corpora follow their own guidelines. PHEE marks whole effect descriptions ("acute
respiratory failure and metabolic acidosis") where the ADE corpus marks each effect; on the
2,791 sentences the two share, 44% of the ADE corpus's adverse events have the same extent
in PHEE. Learned together, such boundaries blur, so the kind is learned from the source
given first and the later one teaches only its other kinds (its marks still serve as
relation arguments). Sources are compared on the sentences they share, word for word.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pvkg.gold import GoldDocument
from pvkg.records import MentionKind

AGREEMENT_FLOOR = 0.8
MIN_COMPARED = 20  # mentions: fewer say nothing about a guideline


@dataclass(frozen=True)
class Disagreement:
    kind: MentionKind
    kept: str  # the source the kind is learned from
    dropped: str
    compared: int  # mentions of `kept` in shared sentences
    agreement: float  # the share of them with the same extent in `dropped`

    def describe(self) -> str:
        return (
            f"{self.kind} learned from {self.kept} only ({self.dropped} agrees on "
            f"{self.agreement:.0%} of {self.compared} shared mentions)"
        )


def source_of(document: GoldDocument) -> str:
    return str(document.note.metadata.get("source", ""))


def disagreements(
    documents: Iterable[GoldDocument], kinds: Sequence[MentionKind]
) -> list[Disagreement]:
    """Each kind two sources mark differently, the later source named as dropped."""
    by_text: dict[str, dict[str, GoldDocument]] = defaultdict(dict)
    order: dict[str, None] = {}
    for document in documents:
        order.setdefault(source_of(document), None)
        by_text[document.note.text].setdefault(source_of(document), document)
    sources = list(order)
    found = []
    for kind in kinds:
        for i, kept in enumerate(sources):
            for dropped in sources[i + 1 :]:
                compared, same = _agreement(by_text.values(), kind, kept, dropped)
                if compared >= MIN_COMPARED and same < AGREEMENT_FLOOR * compared:
                    found.append(Disagreement(kind, kept, dropped, compared, same / compared))
    return found


def _agreement(
    groups: Iterable[dict[str, GoldDocument]], kind: MentionKind, kept: str, dropped: str
) -> tuple[int, int]:
    compared = same = 0
    for group in groups:
        if kept not in group or dropped not in group:
            continue
        ours, theirs = (_extents(group[s], kind) for s in (kept, dropped))
        if ours is None or theirs is None:
            continue
        compared += len(ours)
        same += len(ours & theirs)
    return compared, same


def _extents(document: GoldDocument, kind: MentionKind) -> set[tuple[int, int]] | None:
    """The kind's marked extents; None where the document does not mark the kind."""
    if document.annotated is not None and kind not in document.annotated:
        return None
    return {(m.span.start, m.span.end) for m in document.mentions if m.kind == kind}
