"""Notes as word pieces: each sentence tokenized, cut to the model's length, with offsets.

Offsets are into the note itself, so a span predicted over pieces is a slice of the note by
construction. Special tokens are not part of a piece; batching adds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from extract.text import Window, sentences

Offsets = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Piece:
    """Word pieces of one sentence (or of a part of a long one), with the note offsets and
    the word index of each; `sentence` is the whole sentence, the triples' evidence."""

    sentence: Window
    ids: tuple[int, ...]
    offsets: Offsets
    words: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def start(self) -> int:
        return self.offsets[0][0]

    @property
    def end(self) -> int:
        return self.offsets[-1][1]


def note_pieces(tokenizer: Any, text: str, max_tokens: int) -> list[Piece]:
    """The pieces of `text`: its sentences, each cut into runs of at most `max_tokens`."""
    windows = sentences(text)
    if not windows:
        return []
    encoded = tokenizer(
        [text[w.start : w.end] for w in windows],
        add_special_tokens=False,
        return_offsets_mapping=True,
    )
    pieces: list[Piece] = []
    for index, window in enumerate(windows):
        ids: Sequence[int] = encoded["input_ids"][index]
        offsets = tuple(
            (s + window.start, e + window.start) for s, e in encoded["offset_mapping"][index]
        )
        words = tuple(w if w is not None else -1 for w in encoded.word_ids(index))
        for first in range(0, len(ids), max_tokens):
            stop = first + max_tokens
            pieces.append(
                Piece(window, tuple(ids[first:stop]), offsets[first:stop], words[first:stop])
            )
    return pieces
