"""Approximate linking of a normalized key that is not in the index.

Each token not in the kind's vocabulary is replaced by its closest vocabulary tokens, and
the keys so formed, and those with one token left out, are looked up. Closest tokens come
first from the tokens one edit away (`NgramIndex.neighbours`, fast); only when that leaves
a token without a replacement, or finds no key, from the trigram search (cosine >=
`ngram_threshold`). Candidates are ranked by trigram cosine plus transposition-aware edit
similarity. Each key found is scored as the mean of its trigram cosine and edit similarity
to the mention's key, so "hypotensoin" scores hypotension (one transposition) far above
hypertension; scores from `min_score` up are kept.
"""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from normalize.approx import NgramIndex, approx_stem, cosine
from normalize.edit import edit_similarity
from normalize.kinds import KIND_BITS, Kind
from normalize.lru import Lru

_MIN_EDIT_TOKEN = 4  # shorter tokens have too many one-edit neighbours to mean anything
_CACHE = 65_536


@dataclass(frozen=True)
class MatchSettings:
    """Approximate matching: trigram cosine to be a candidate, combined score to be kept."""

    ngram_threshold: float = 0.45
    min_score: float = 0.6
    ngram_candidates: int = 10
    corrections: int = 3
    max_variants: int = 27


# (concept id, score, card JSON) of one approximate hit.
ApproxHit = tuple[int, float, str]


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
        quick = self._variant_keys(key, kind, quick=True)
        hits = self._scored(key, kind, quick) if quick is not None else []
        if hits:
            return hits
        full = self._variant_keys(key, kind, quick=False) or []
        return self._scored(key, kind, full) if full != quick else []

    def _scored(self, key: str, kind: Kind, keys: list[str]) -> list[ApproxHit]:
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = self._db.execute(
            f"""SELECT t.key, t.cid, k.card FROM terms t JOIN cards k ON k.cid = t.cid
                WHERE t.key IN ({marks}) AND k.kinds & ? ORDER BY t.n DESC, t.cid""",  # noqa: S608
            (*keys, KIND_BITS[kind]),
        ).fetchall()
        scores = {k: (cosine(key, k) + edit_similarity(key, k)) / 2 for k in {r[0] for r in rows}}
        ranked = sorted(rows, key=lambda r: -scores[r[0]])
        floor = self.settings.min_score
        return [(cid, scores[k], card) for k, cid, card in ranked if scores[k] >= floor]

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
        """Up to `corrections` vocabulary tokens close to `token`, best first: one edit
        away (`by_edit`; None when there is none) or by trigram search."""
        best = self._corrections.get((token, kind, by_edit))
        if best is None:
            s, ngrams = self.settings, self.ngrams(kind)
            if by_edit:  # all one edit away: edit similarity 1 - 1 / longer length
                near = ngrams.neighbours(token)
                close = [(t, cosine(token, t) - 1 / max(len(t), len(token))) for t in near]
            else:
                found = ngrams.search(token, s.ngram_threshold, s.ngram_candidates)
                close = [(t, c + edit_similarity(token, t) - 1) for t, c in found]
            ranked = sorted(close, key=lambda h: -h[1])
            best = self._corrections.put(
                (token, kind, by_edit), [t for t, _ in ranked[: s.corrections]]
            )
        return None if by_edit and not best else best
