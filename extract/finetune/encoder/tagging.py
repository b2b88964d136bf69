"""BIOES tags, one sequence per entity type, from character spans and back.

A sequence per type lets mentions of different types overlap, as they do in the ADE corpus
("lithium toxicity" is an event that holds a drug). Within a type, of overlapping mentions
the first (then the longest) is tagged and the others are left out.
"""

from __future__ import annotations

from collections.abc import Sequence

from extract.finetune.encoder.pieces import Piece
from pvkg.gold import TRIPLE_KINDS
from pvkg.records import MentionKind

TYPES: tuple[MentionKind, ...] = TRIPLE_KINDS
TAGS = ("O", "B", "I", "E", "S")
OUT, BEGIN, INSIDE, END, SINGLE = range(len(TAGS))
SCHEME = "BIOES, one sequence per entity type"

# A token range: first and last piece index, inclusive.
TokenRange = tuple[int, int]


def token_range(piece: Piece, start: int, end: int) -> TokenRange | None:
    """The pieces a character span covers; None unless it lies wholly inside `piece`."""
    if start < piece.start or end > piece.end:
        return None
    inside = [i for i, (s, e) in enumerate(piece.offsets) if s < end and e > start]
    return (inside[0], inside[-1]) if inside else None


def encode(length: int, ranges: Sequence[TokenRange]) -> list[int]:
    """The tag sequence of `length` pieces with `ranges` as the mentions."""
    tags = [OUT] * length
    for first, last in sorted(ranges, key=lambda r: (r[0], -r[1])):
        if any(tags[i] != OUT for i in range(first, last + 1)):
            continue
        if first == last:
            tags[first] = SINGLE
            continue
        tags[first], tags[last] = BEGIN, END
        tags[first + 1 : last] = [INSIDE] * (last - first - 1)
    return tags


def decode(tags: Sequence[int]) -> list[TokenRange]:
    """The mentions of a predicted tag sequence, read leniently: an I or E without a B opens
    a mention, and a mention left open ends at the piece before the next O, B or S."""
    ranges: list[TokenRange] = []
    start: int | None = None
    for index, tag in enumerate(tags):
        if start is not None and tag in (OUT, BEGIN, SINGLE):
            ranges.append((start, index - 1))
            start = None
        if tag == SINGLE:
            ranges.append((index, index))
        elif tag == BEGIN or (tag in (INSIDE, END) and start is None):
            start = index
        if tag == END and start is not None:
            ranges.append((start, index))
            start = None
    if start is not None:
        ranges.append((start, len(tags) - 1))
    return ranges


def whole_words(piece: Piece, span: TokenRange) -> TokenRange:
    """`span` widened to whole words, so a mention never starts or ends inside a word."""
    first, last = span
    while first > 0 and piece.words[first - 1] == piece.words[first] >= 0:
        first -= 1
    while last + 1 < len(piece) and piece.words[last + 1] == piece.words[last] >= 0:
        last += 1
    return first, last
