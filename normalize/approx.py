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
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from pvkg.errors import TerminologyError

_EMPTY = np.empty(0, dtype=np.uint32)
_EPS = 1e-9
IntArray = np.ndarray[Any, np.dtype[Any]]


def grams(key: str) -> list[str]:
    """Trigrams of `$key$`; a repeated trigram gets its repeat number so sizes equal len(key)."""
    padded = f"${key}$"
    seen: dict[str, int] = {}
    out = []
    for i in range(len(padded) - 2):
        gram = padded[i : i + 3]
        repeat = seen.get(gram, 0)
        seen[gram] = repeat + 1
        out.append(gram if repeat == 0 else f"{gram}{repeat}")
    return out


def approx_stem(kind: str) -> str:
    """File name stem of the trigram index of one mention kind."""
    return f"approx-{kind}"


def files(directory: Path, stem: str) -> dict[str, Path]:
    parts = ("tokens.txt", "grams.txt", "offsets.npy", "postings.npy", "sizes.npy")
    return {part: directory / f"{stem}.{part}" for part in parts}


def cosine(a: str, b: str) -> float:
    """Trigram cosine similarity of two strings (as the index computes it)."""
    ga, gb = set(grams(a)), set(grams(b))
    return len(ga & gb) / math.sqrt(len(ga) * len(gb)) if ga and gb else 0.0


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
        self.tokens = paths["tokens.txt"].read_text(encoding="utf-8").split("\n")
        self.vocabulary = frozenset(self.tokens)
        names = paths["grams.txt"].read_text(encoding="utf-8").split("\n")
        self._gram_ids = {g: i for i, g in enumerate(names) if g}
        self._offsets: list[int] = np.load(paths["offsets.npy"]).tolist()
        self._postings: IntArray = np.load(paths["postings.npy"], mmap_mode="r").view(np.ndarray)
        self._size_start: IntArray = np.load(paths["sizes.npy"])
        self._max_size = len(self._size_start) - 2

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
