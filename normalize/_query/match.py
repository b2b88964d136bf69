"""Approximate linking of normalized keys that are not in the index.

Each token not in the kind's vocabulary is replaced by its closest vocabulary tokens, and
the keys so formed, and those with one token left out, are looked up. Closest tokens come
first from the tokens one edit away (`NgramIndex.neighbours`, fast); only when that leaves
a token without a replacement, or finds no key, from the trigram search (cosine >=
`ngram_threshold`). Candidates are ranked by trigram cosine plus transposition-aware edit
similarity. Each key found is scored as the mean of its trigram cosine and edit similarity
to the mention's key, so "hypotensoin" scores hypotension (one transposition) far above
hypertension; scores from `min_score` up are kept.

`match_many` does this for a batch of keys with one one-edit search for all their unknown
tokens and one key query per 500 variant keys; `match` is the same path for one key.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from normalize._common.kinds import KIND_BITS, Kind
from normalize._common.ngram_layout import approx_stem
from normalize._query.edit import edit_similarity
from normalize._query.lru import Lru
from normalize._query.ngram_index import NgramIndex
from normalize._query.trigrams import Trigrams

_MIN_EDIT_TOKEN = 4  # shorter tokens have too many one-edit neighbours to mean anything
_CACHE = 65_536
_CHUNK = 500  # keys per IN (...) query
_ROWS = "SELECT key, cid, n FROM terms WHERE key IN ({}) AND kinds & ?"


@dataclass(frozen=True)
class MatchSettings:
    """Approximate matching: trigram cosine to be a candidate, combined score to be kept."""

    ngram_threshold: float = 0.45
    min_score: float = 0.6
    ngram_candidates: int = 10
    corrections: int = 3
    max_variants: int = 27


# (concept id, score) of one approximate hit.
ApproxHit = tuple[int, float]


class ApproxMatcher:
    """Approximate matches of keys of one index, with their word corrections cached."""

    def __init__(self, db: sqlite3.Connection, directory: Path, settings: MatchSettings) -> None:
        self._db = db
        self._directory = directory
        self.settings = settings
        self._ngrams: dict[Kind, NgramIndex] = {}
        self._corrections: Lru[tuple[str, Kind, bool], list[str]] = Lru(_CACHE)

    def ngrams(self, kind: Kind) -> NgramIndex:
        """The trigram index of `kind`, loaded on first use."""
        if kind not in self._ngrams:
            self._ngrams[kind] = NgramIndex(self._directory, approx_stem(kind))
        return self._ngrams[kind]

    def match(self, key: str, kind: Kind) -> list[ApproxHit]:
        """Approximate hits for `key`, best first."""
        return self.match_many([key], kind)[key]

    def match_many(self, keys: Iterable[str], kind: Kind) -> dict[str, list[ApproxHit]]:
        """Approximate hits of each key, best first: from the quick variants (corrections
        one edit away), else from the full ones (trigram search too)."""
        keys = list(keys)
        vocabulary, cache = self.ngrams(kind).vocabulary, self._corrections
        unknown = {t for key in keys for t in key.split(" ") if t not in vocabulary}
        unknown = {t for t in unknown if len(t) >= _MIN_EDIT_TOKEN}
        self._correct_by_edit([t for t in unknown if cache.get((t, kind, True)) is None], kind)
        quick = {key: self._variant_keys(key, kind, quick=True) for key in keys}
        found = self._scored({k: v for k, v in quick.items() if v}, kind)
        retry = {}
        for key in keys:
            if not found.get(key):
                full = self._variant_keys(key, kind, quick=False) or []
                if full != quick[key]:
                    retry[key] = full
        found |= self._scored(retry, kind)
        return {key: found.get(key, []) for key in keys}

    def _scored(self, variants: dict[str, list[str]], kind: Kind) -> dict[str, list[ApproxHit]]:
        """Hits of each key's variant keys, best score first, then most atoms, lowest id."""
        rows = self._lookup({v for listed in variants.values() for v in listed}, kind)
        floor, out = self.settings.min_score, {}
        for key, listed in variants.items():
            ranked: list[tuple[float, int, int]] = []
            trigrams = Trigrams(key)
            for variant in listed:
                concepts = rows.get(variant)
                if concepts:
                    score = (trigrams.cosine_to(variant) + edit_similarity(key, variant)) / 2
                    if score >= floor:
                        ranked.extend((-score, -n, cid) for cid, n in concepts)
            ranked.sort()
            out[key] = [(cid, -score) for score, _, cid in ranked]
        return out

    def _lookup(self, keys: set[str], kind: Kind) -> dict[str, list[tuple[int, int]]]:
        """(concept id, atom count) of each key that names concepts of `kind`."""
        wanted = list(keys)
        rows: dict[str, list[tuple[int, int]]] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            sql = _ROWS.format(",".join("?" * len(chunk)))
            for key, cid, n in self._db.execute(sql, (*chunk, KIND_BITS[kind])):
                rows.setdefault(key, []).append((cid, n))
        return rows

    def _correct_by_edit(self, tokens: Sequence[str], kind: Kind) -> None:
        """Cache the corrections one edit away of `tokens`, found together."""
        for token, near in zip(tokens, self.ngrams(kind).neighbours(tokens), strict=True):
            trigrams = Trigrams(token)
            close = [(t, trigrams.cosine_to(t) - 1 / max(len(t), len(token))) for t in near]
            self._corrections.put((token, kind, True), closest(close, self.settings.corrections))

    def _variant_keys(self, key: str, kind: Kind, quick: bool) -> list[str] | None:
        """Keys made by replacing unknown tokens with close vocabulary tokens (or dropping
        them), and by leaving one token out; None when the quick pass has no replacement
        for some unknown token (the full pass must decide)."""
        s = self.settings
        vocabulary = self.ngrams(kind).vocabulary
        options: list[list[str]] = []
        for token in key.split(" "):
            if token in vocabulary:
                options.append([token])
                continue
            close = self._close(token, kind, quick and len(token) >= _MIN_EDIT_TOKEN)
            if quick and close is None:
                return None
            options.append(close or [""])
        variants: set[str] = set()
        for combo in itertools.islice(itertools.product(*options), s.max_variants):
            words = sorted({w for w in combo if w})
            variants.add(" ".join(words))
            if len(words) > 1:
                variants.update(" ".join(words[:i] + words[i + 1 :]) for i in range(len(words)))
        variants.discard("")
        variants.discard(key)
        return sorted(variants)

    def _close(self, token: str, kind: Kind, by_edit: bool) -> list[str] | None:
        """The `corrections` vocabulary tokens closest to `token` (see `closest`): one edit
        away (`by_edit`; None when there is none) or by trigram search."""
        best = self._corrections.get((token, kind, by_edit))
        if best is None and by_edit:
            self._correct_by_edit([token], kind)
            best = self._corrections.get((token, kind, by_edit))
        elif best is None:
            s = self.settings
            found = self.ngrams(kind).search(token, s.ngram_threshold, s.ngram_candidates)
            close = [(t, c + edit_similarity(token, t) - 1) for t, c in found]
            best = self._corrections.put((token, kind, by_edit), closest(close, s.corrections))
        return None if by_edit and not best else best


def closest(scored: list[tuple[str, float]], n: int) -> list[str]:
    """The `n` best-scored tokens and any tied with the last, best first: which of equally
    close tokens is meant, only the keys they make can tell."""
    ranked = sorted(scored, key=lambda h: -h[1])
    cut = ranked[n - 1][1] if len(ranked) > n else float("-inf")
    return [t for t, score in ranked if score >= cut]
