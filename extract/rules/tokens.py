"""Case-folded word tokens with offsets, and a token trie with leftmost-longest matching.

Tokens are runs of letters and digits, so punctuation and hyphens separate words and never
have to match ("5-fluorouracil" is "5 fluorouracil"); ";" is kept as a token of its own
because it ends a clause (assertion scopes and relation gaps stop there). Matching whole
tokens respects word boundaries by construction: "rash" never matches inside "rashes".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

V = TypeVar("V")

_TOKEN = re.compile(r"[^\W_]+|;")


@dataclass(frozen=True)
class Tokens:
    """The tokens of `text[start:end]`: folded words and their offsets into the text."""

    words: list[str]
    starts: list[int]
    ends: list[int]

    def __len__(self) -> int:
        return len(self.words)


def tokenize(text: str, start: int = 0, end: int | None = None) -> Tokens:
    """Tokens of `text[start:end]`, offsets into `text` itself (no slicing copy)."""
    found = list(_TOKEN.finditer(text, start, len(text) if end is None else end))
    # map over the C methods: no Python frame per token (10% faster than comprehensions).
    return Tokens(
        list(map(str.casefold, map(re.Match.group, found))),
        list(map(re.Match.start, found)),
        list(map(re.Match.end, found)),
    )


def fold(phrase: str) -> tuple[str, ...]:
    """The folded words of a term or trigger phrase, as the trie stores them."""
    return tuple(tokenize(phrase).words)


class Match(NamedTuple, Generic[V]):
    """Tokens `first:stop` matched an entry whose value is `value`."""

    first: int
    stop: int
    value: V


class _Node(Generic[V]):
    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.children: dict[str, _Node[V]] = {}
        self.value: V | None = None


class TokenTrie(Generic[V]):
    """Phrases as token paths; one pass over a token list finds them all."""

    def __init__(self) -> None:
        self._root: _Node[V] = _Node()
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def add(self, words: Sequence[str], value: V) -> bool:
        """Store `value` under the phrase `words`; the first value stored for a phrase wins.

        Returns whether the phrase was new."""
        if not words:
            return False
        node = self._root
        for word in words:
            child = node.children.get(word)
            if child is None:
                child = node.children[word] = _Node()
            node = child
        if node.value is not None:
            return False
        node.value = value
        self._size += 1
        return True

    def get(self, words: Sequence[str]) -> V | None:
        """The value stored for exactly this phrase, if any."""
        node: _Node[V] | None = self._root
        for word in words:
            node = node.children.get(word) if node is not None else None
        return node.value if node is not None else None

    def scan(self, words: Sequence[str]) -> Iterator[Match[V]]:
        """Leftmost-longest, non-overlapping matches in `words`."""
        root = self._root.children
        i, count = 0, len(words)
        while i < count:
            node = root.get(words[i])
            if node is None:
                i += 1
                continue
            # The longest match so far as (stop, value): one Match built per match found.
            best: tuple[int, V] | None = None
            j = i + 1
            while True:
                if node.value is not None:
                    best = (j, node.value)
                if j == count:
                    break
                node = node.children.get(words[j])
                if node is None:
                    break
                j += 1
            if best is None:
                i += 1
            else:
                yield Match(i, *best)
                i = best[0]
