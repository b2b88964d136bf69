"""Approximate candidates from one kind's trigram index: cosine search and one-edit tokens.

Whole-key search was too slow (on a 1M-row release, whole-key CPMerge ran at about 100
mentions/s: common trigrams have posting lists of tens of thousands of keys), so the index
covers key tokens (see normalize._common.ngram_layout), whose lists are short. A token's
length range under the cosine threshold is a slice of the length-grouped lists (the length
filter of Okazaki & Tsujii 2010). Candidates come from the CPMerge idea: only the rarest
`m - tau + 1` lists are merged, the rest are probed by binary search.

Most misspellings are one edit away (Damerau 1964), and a trigram search costs far more than
finding those directly: two strings within one insertion, deletion, substitution or adjacent
transposition share the string itself or one made by deleting one of its characters
(SymSpell), so `neighbours` finds all tokens one edit away from a batch of tokens with one
vectorised binary search of the deletion index, then checks each with the edit distance.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from normalize._common.ngram_layout import delete_hashes, files, grams
from normalize._query.edit import one_edit
from pvkg.errors import TerminologyError

_EMPTY = np.empty(0, dtype=np.uint32)
_EPS = 1e-9
_LOW32 = np.uint64(0xFFFFFFFF)
IntArray = np.ndarray[Any, np.dtype[Any]]


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
