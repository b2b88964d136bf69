"""Candidate spans of a piece: every run of whole words up to a width, SpERT-style.

A span starts and ends on a word that holds a letter or a digit, so no prediction is ever a
word piece ("valproic" of "valproic acid" is a word, "##pro" is not) or punctuation alone.
Words are the tokenizer's pre-tokenizer words (`Piece.words`); punctuation inside a span
("TMP-SMX", "5-fluorouracil") is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from extract.finetune.encoder.pieces import Piece

MAX_WIDTH = 10  # words; longer gold mentions (about 1% in ADE and PHEE) are not learned
MAX_SPAN_TOKENS = 24  # word pieces; bounds the span max-pool table
# No drug, dose or event is made of these alone ("of", "in the"); one may sit inside or at
# the edge of one ("vitamin A", "loss of appetite").
FUNCTION_WORDS = frozenset(
    "a an the of in on at to for with by from into onto about as and or but nor than then "  # noqa: SIM905
    "so if is are was were be been being has have had do does did it its this that these "
    "those he she they them his her their we our you your i me my who which what there "
    "here no not after before during between both all any each other some such only more "
    "most over under through while when where how why can should will".split()
)

# A token range: first and last piece index, inclusive.
TokenRange = tuple[int, int]


@dataclass(frozen=True)
class Word:
    first: int  # piece index of its first token
    last: int  # ... and of its last
    start: int  # note offsets
    end: int
    boundary: bool  # holds a letter or digit: may begin or end a span
    content: bool  # a boundary word that is not a function word


@dataclass(frozen=True)
class SpanSet:
    """A piece's candidate spans: token ranges, widths in words, and note offsets."""

    tokens: tuple[TokenRange, ...]
    widths: tuple[int, ...]
    chars: tuple[tuple[int, int], ...]

    def __len__(self) -> int:
        return len(self.tokens)


def piece_words(piece: Piece, text: str) -> tuple[Word, ...]:
    """The piece's words in order; a word cut by the piece's edge keeps its part inside."""
    words: list[Word] = []
    first = 0
    for index in range(1, len(piece) + 1):
        if index < len(piece) and _same_word(piece, index - 1, index):
            continue
        start, end = piece.offsets[first][0], piece.offsets[index - 1][1]
        boundary = any(c.isalnum() for c in text[start:end])
        content = boundary and text[start:end].lower() not in FUNCTION_WORDS
        words.append(Word(first, index - 1, start, end, boundary, content))
        first = index
    return tuple(words)


def _same_word(piece: Piece, left: int, right: int) -> bool:
    return piece.words[left] == piece.words[right] >= 0


def enumerate_spans(words: tuple[Word, ...]) -> SpanSet:
    """Every span of 1..MAX_WIDTH words that begins and ends on a boundary word and holds a
    content word."""
    tokens: list[TokenRange] = []
    widths: list[int] = []
    chars: list[tuple[int, int]] = []
    for i, head in enumerate(words):
        if not head.boundary:
            continue
        content = False
        for j in range(i, min(len(words), i + MAX_WIDTH)):
            tail = words[j]
            if tail.last - head.first >= MAX_SPAN_TOKENS:
                break
            content = content or tail.content
            if tail.boundary and content:
                tokens.append((head.first, tail.last))
                widths.append(j - i + 1)
                chars.append((head.start, tail.end))
    return SpanSet(tuple(tokens), tuple(widths), tuple(chars))


def token_range(piece: Piece, start: int, end: int) -> TokenRange | None:
    """The pieces a character span covers; None unless it lies wholly inside `piece`."""
    if start < piece.start or end > piece.end:
        return None
    inside = [i for i, (s, e) in enumerate(piece.offsets) if s < end and e > start]
    return (inside[0], inside[-1]) if inside else None
