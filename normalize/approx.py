"""Approximate matching: character trigram posting lists with cosine similarity (SimString).

The index covers the distinct tokens of one kind's normalized keys (its vocabulary), not
whole keys: on a 1M-row release, whole-key CPMerge ran at about 100 mentions/s because
common trigrams have posting lists of tens of thousands of keys; token lists are short.
Tokens are numbered in order of length, so every trigram's sorted posting list is also
grouped by length, and the length filter of Okazaki & Tsujii (2010) is a slice. Candidates
come from the CPMerge idea: only the rarest `m - tau + 1` lists are merged, the rest are
probed by binary search. Files per kind: `<stem>.tokens.txt` (token per line, id = line
number), `<stem>.grams.txt` (trigram per line), `<stem>.offsets.npy`, `<stem>.postings.npy`
(memory-mapped), `<stem>.sizes.npy` (first token id of each length).

Most misspellings are one edit away (Damerau 1964), and a trigram search costs far more than
finding those directly: `<stem>.deletes.npy` (memory-mapped, sorted) holds
`crc32(d) << 32 | token id` for every token and each string `d` made by deleting one of its
characters (SymSpell). Two strings within one insertion, deletion, substitution or adjacent
transposition share such a string, so `neighbours` finds all tokens one edit away from a
batch of tokens with one vectorised binary search, then checks each with the edit distance.
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from normalize.edit import one_edit
from pvkg.errors import TerminologyError

_EMPTY = np.empty(0, dtype=np.uint32)
_EPS = 1e-9
_LOW32 = np.uint64(0xFFFFFFFF)
IntArray = np.ndarray[Any, np.dtype[Any]]


def grams(key: str) -> list[str]:
    """Trigrams of `$key$`; a repeated trigram gets its repeat number so sizes equal len(key)."""
    plain = _plain_grams(key)
    return plain if len(set(plain)) == len(plain) else _numbered(plain)


def _plain_grams(key: str) -> list[str]:
    padded = f"${key}$"
    return [padded[i : i + 3] for i in range(len(key))]


def _numbered(plain: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for gram in plain:
        repeat = seen.get(gram, 0)
        seen[gram] = repeat + 1
        out.append(gram if repeat == 0 else f"{gram}{repeat}")
    return out


def delete_hashes(token: str) -> set[int]:
    """crc32 of `token` and of each string made by deleting one of its characters."""
    variants = {token[:i] + token[i + 1 :] for i in range(len(token))}
    variants.add(token)
    return {zlib.crc32(v.encode("utf-8")) for v in variants}


def approx_stem(kind: str) -> str:
    """File name stem of the trigram index of one mention kind."""
    return f"approx-{kind}"


def files(directory: Path, stem: str) -> dict[str, Path]:
    parts = ("tokens.txt", "grams.txt", "offsets.npy", "postings.npy", "sizes.npy", "deletes.npy")
    return {part: directory / f"{stem}.{part}" for part in parts}


@lru_cache(maxsize=256)
def _slices(n: int) -> tuple[slice, ...]:
    return tuple(slice(i, i + 3) for i in range(n))


class Trigrams:
    """One string's trigrams, for its cosine with many others (`cosine_to`) without building
    each other string's numbered trigrams: with `grams`' repeat numbers, the trigrams two
    strings share are the distinct ones they share plus, for a trigram repeated in both,
    the smaller repeat count less one."""

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


def _plain(text: str) -> list[str]:
    """`_plain_grams`, by slicing in C."""
    return list(map(f"${text}$".__getitem__, _slices(len(text))))


def cosine(a: str, b: str) -> float:
    """Trigram cosine similarity of two strings (as the index computes it)."""
    return Trigrams(a).cosine_to(b)


class NgramIndex:
    """Trigram index over a token vocabulary; `search` returns (token, cosine) pairs."""

    def __init__(self, directory: Path, stem: str) -> None:
        paths = files(directory, stem)
        missing = [str(p) for p in paths.values() if not p.is_file()]
        if missing:
            raise TerminologyError(
                f"approximate index incomplete: {', '.join(missing)} missing",
                hint="rebuild the index with `pvkg terminology build`",
            )
        # Tuples and dicts of strings and ints only, which the cyclic garbage collector
        # stops tracking: a list or set of the whole vocabulary would be walked by every
        # full collection, and linking allocates enough to run one every few thousand
        # mentions.
        self.tokens = tuple(paths["tokens.txt"].read_text(encoding="utf-8").split("\n"))
        self.vocabulary: Mapping[str, None] = dict.fromkeys(self.tokens)
        names = paths["grams.txt"].read_text(encoding="utf-8").split("\n")
        self._gram_ids = {g: i for i, g in enumerate(names) if g}
        self._offsets: tuple[int, ...] = tuple(np.load(paths["offsets.npy"]).tolist())
        self._postings: IntArray = np.load(paths["postings.npy"], mmap_mode="r").view(np.ndarray)
        self._size_start: IntArray = np.load(paths["sizes.npy"])
        self._max_size = len(self._size_start) - 2
        self._deletes: IntArray = np.load(paths["deletes.npy"], mmap_mode="r").view(np.ndarray)

    def neighbours(self, tokens: Sequence[str]) -> list[list[str]]:
        """For each token, the vocabulary tokens one edit (OSA distance 1) away from it: one
        vectorised search for the deletion hashes of all of them."""
        hashes = [delete_hashes(t) for t in tokens]
        owner = np.repeat(np.arange(len(tokens)), [len(h) for h in hashes])
        starts = np.fromiter(itertools.chain.from_iterable(hashes), np.uint64, len(owner))
        starts <<= np.uint64(32)
        lows = self._deletes.searchsorted(starts)
        counts = self._deletes.searchsorted(starts | _LOW32, side="right") - lows
        # Every position of every matching range, flattened.
        ends = np.cumsum(counts)
        at = np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(lows - ends + counts, counts)
        ids: list[set[int]] = [set() for _ in tokens]
        found = (self._deletes[at] & _LOW32).tolist()
        for i, token_id in zip(np.repeat(owner, counts).tolist(), found, strict=True):
            ids[i].add(token_id)
        # A shared deletion also joins tokens two edits apart, and crc32 can collide.
        return [
            [t for t in (self.tokens[i] for i in sorted(near)) if one_edit(token, t)]
            for token, near in zip(tokens, ids, strict=True)
        ]

    def _list(self, gram: str, lo: int, hi: int) -> IntArray:
        gid = self._gram_ids.get(gram)
        if gid is None:
            return _EMPTY
        posting = self._postings[self._offsets[gid] : self._offsets[gid + 1]]
        a, b = posting.searchsorted((lo, hi))
        return posting[a:b]

    def search(self, token: str, threshold: float, limit: int) -> list[tuple[str, float]]:
        """Tokens whose trigram cosine with `token` is at least `threshold`, best first."""
        query = grams(token)
        m = len(query)
        if m == 0 or self._max_size < 0:
            return []
        t2 = threshold * threshold
        lo_size = max(1, math.ceil(t2 * m - _EPS))
        hi_size = min(self._max_size, math.floor(m / t2 + _EPS))
        if lo_size > hi_size:
            return []
        lo, hi = int(self._size_start[lo_size]), int(self._size_start[hi_size + 1])
        lists = sorted((self._list(g, lo, hi) for g in query), key=len)
        tau = max(1, math.ceil(threshold * math.sqrt(m * lo_size) - _EPS))
        merged = lists[: m - tau + 1]
        if not any(len(x) for x in merged):
            return []
        cands, counts = np.unique(np.concatenate(merged), return_counts=True)
        for probe in lists[m - tau + 1 :]:
            if len(probe):
                pos = np.minimum(probe.searchsorted(cands), len(probe) - 1)
                counts += probe[pos] == cands
        sizes = self._size_start.searchsorted(cands, side="right") - 1
        scores = counts / np.sqrt(m * sizes)
        keep = np.flatnonzero(scores >= threshold - _EPS)
        best = keep[np.argsort(-scores[keep], kind="stable")[:limit]]
        return [(self.tokens[cands[i]], float(scores[i])) for i in best]
