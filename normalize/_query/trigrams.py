"""Trigram cosine similarity of two strings, as the approximate index computes it."""

from __future__ import annotations

import math
from functools import lru_cache


@lru_cache(maxsize=256)
def _slices(n: int) -> tuple[slice, ...]:
    return tuple(slice(i, i + 3) for i in range(n))


def _plain(text: str) -> list[str]:
    """The trigrams of `$text$` without repeat numbers, by slicing in C."""
    return list(map(f"${text}$".__getitem__, _slices(len(text))))


class Trigrams:
    """One string's trigrams, for its cosine with many others (`cosine_to`) without building
    each other string's numbered trigrams: with the repeat numbers of
    `normalize._common.ngram_layout.grams`, the trigrams two strings share are the distinct
    ones they share plus, for a trigram repeated in both, the smaller repeat count less one."""

    __slots__ = ("_distinct", "_length", "_repeated")

    def __init__(self, text: str) -> None:
        plain = _plain(text)
        self._length = len(text)
        self._distinct = set(plain)
        self._repeated: dict[str, int] = {}
        if len(self._distinct) < len(plain):
            seen: set[str] = set()
            for gram in plain:
                if gram in seen:
                    self._repeated[gram] = self._repeated.get(gram, 1) + 1
                seen.add(gram)

    def cosine_to(self, other: str) -> float:
        """Trigram cosine similarity with `other` (as the index computes it)."""
        if not self._length or not other:
            return 0.0
        plain = _plain(other)
        distinct = set(plain)
        shared = len(self._distinct & distinct)
        if self._repeated and len(distinct) < len(plain):
            for gram, n in self._repeated.items():
                if gram in distinct:
                    shared += min(n, plain.count(gram)) - 1
        return shared / math.sqrt(self._length * len(other))


def cosine(a: str, b: str) -> float:
    """Trigram cosine similarity of two strings (as the index computes it)."""
    return Trigrams(a).cosine_to(b)
