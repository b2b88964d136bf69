"""Open a terminology index and link mentions: exact (normalized-key) then approximate.

An exact hit is a mention whose normalized key (see normalize.keys) is the key of an atom
of a concept of the right kind: score 1.0. Otherwise each token not in the kind's
vocabulary is replaced by its closest vocabulary tokens (trigram cosine >= `ngram_threshold`,
ranked with transposition-aware edit similarity), and the keys so formed, and those with
one token left out, are looked up. Each key found is scored as the mean of its trigram
cosine and edit similarity to the mention's key, so "hypotensoin" scores hypotension (one
transposition) far above hypertension; scores from `min_score` up are kept.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from normalize.approx import NgramIndex, approx_stem, cosine
from normalize.edit import edit_similarity
from normalize.keys import normalize_key
from normalize.kinds import KIND_BITS, Kind
from normalize.link import CodeRef, LinkResult
from normalize.manifest import Manifest, read_manifest
from normalize.schema import INDEX_FILE, SCHEMA_VERSION
from pvkg.errors import TerminologyError
from pvkg.records import Concept, SemanticType

_CARD = """
SELECT c.cid, c.name,
  (SELECT json_group_array(json_array(tui, name)) FROM sty WHERE sty.cid = c.cid),
  (SELECT json_group_array(json_array(sab, code)) FROM codes WHERE codes.cid = c.cid),
  (SELECT json_group_array(rxcui) FROM ingredients WHERE ingredients.cid = c.cid),
  (SELECT min(code) FROM meddra_pt WHERE meddra_pt.cid = c.cid)
FROM concepts c
"""
_EXACT = """SELECT t.cid FROM terms t JOIN concepts c ON c.cid = t.cid
WHERE t.key = ? AND c.kinds & ? ORDER BY t.n DESC, t.cid LIMIT ?"""
_BY_ID = _CARD + "WHERE c.cid = ?"


@dataclass(frozen=True)
class MatchSettings:
    """Approximate matching: trigram cosine to be a candidate, combined score to be kept."""

    ngram_threshold: float = 0.45
    min_score: float = 0.6
    ngram_candidates: int = 10
    corrections: int = 3
    max_variants: int = 27


class TerminologyIndex:
    """A built index: `link`, `candidates`, `concept`, `codes`. Close it (or use `with`)."""

    def __init__(self, directory: Path, settings: MatchSettings | None = None) -> None:
        self.directory = directory
        self.manifest: Manifest = read_manifest(directory)
        if self.manifest.schema_version != SCHEMA_VERSION:
            raise TerminologyError(
                f"{directory}: index schema {self.manifest.schema_version}, "
                f"this pvkg reads {SCHEMA_VERSION}",
                hint="rebuild the index with `pvkg terminology build`",
            )
        self.settings = settings or MatchSettings()
        self._umls = self.manifest.release_kind == "umls"
        self._db = sqlite3.connect(f"file:{directory / INDEX_FILE}?mode=ro", uri=True)
        self._db.execute("PRAGMA mmap_size = 1073741824")
        self._ngrams: dict[Kind, NgramIndex] = {}

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> TerminologyIndex:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def link(self, text: str, kind: Kind) -> LinkResult:
        """The best concept of `kind` for `text`, or a result with null concept fields."""
        found = self.candidates(text, kind, 1)
        return found[0] if found else LinkResult(text=text, kind=kind)

    def candidates(self, text: str, kind: Kind, k: int = 5) -> list[LinkResult]:
        """Up to `k` concepts of `kind` for `text`, best first, scores in [0, 1]."""
        key = normalize_key(text)
        if not key or k < 1:
            return []
        hits = [(cid, 1.0) for (cid,) in self._db.execute(_EXACT, (key, KIND_BITS[kind], k))]
        if len(hits) < k and kind in self.manifest.approx_kinds:
            seen = {cid for cid, _ in hits}
            for cid, score in self._approximate(key, kind):
                if cid not in seen and len(hits) < k:
                    seen.add(cid)
                    hits.append((cid, score))
        return [
            self._result(text, kind, self._db.execute(_BY_ID, (cid,)).fetchone(), score)
            for cid, score in hits
        ]

    def concept(self, cui: str) -> Concept | None:
        """The concept with UMLS CUI `cui`, if the index has it."""
        cid = self._cid(cui)
        rows = self._db.execute(_BY_ID, (cid,)).fetchall() if cid is not None else []
        return self._result(cui, "drug", rows[0], 1.0).concept if rows else None

    def codes(self, cui: str) -> list[CodeRef]:
        """Every code of the concept, with its vocabulary and term type."""
        cid = self._cid(cui)
        rows = self._db.execute(
            "SELECT sab, code, tty FROM codes WHERE cid = ? ORDER BY sab, tty, code", (cid,)
        )
        return [CodeRef(sab=s, code=c, tty=t) for s, c, t in rows]

    def _cid(self, cui: str) -> int | None:
        digits = cui[1:] if self._umls and cui[:1] == "C" else cui
        return int(digits) if digits.isdigit() else None

    def _ngram(self, kind: Kind) -> NgramIndex:
        if kind not in self._ngrams:
            self._ngrams[kind] = NgramIndex(self.directory, approx_stem(kind))
        return self._ngrams[kind]

    def _approximate(self, key: str, kind: Kind) -> list[tuple[int, float]]:
        """(concept id, score) of approximate matches, best first."""
        keys = self._variant_keys(key, self._ngram(kind))
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = self._db.execute(
            f"""SELECT t.key, t.cid FROM terms t JOIN concepts c ON c.cid = t.cid
                WHERE t.key IN ({marks}) AND c.kinds & ? ORDER BY t.n DESC, t.cid""",  # noqa: S608
            (*keys, KIND_BITS[kind]),
        ).fetchall()
        scores = {k: (cosine(key, k) + edit_similarity(key, k)) / 2 for k in {r[0] for r in rows}}
        ranked = sorted(rows, key=lambda r: -scores[r[0]])
        return [(cid, scores[k]) for k, cid in ranked if scores[k] >= self.settings.min_score]

    def _variant_keys(self, key: str, ngrams: NgramIndex) -> list[str]:
        """Keys made by replacing unknown tokens with close vocabulary tokens (or dropping
        them), and by leaving one token out."""
        s = self.settings
        options: list[list[str]] = []
        for token in key.split(" "):
            if token in ngrams.vocabulary:
                options.append([token])
                continue
            close = ngrams.search(token, s.ngram_threshold, s.ngram_candidates)
            ranked = sorted(close, key=lambda h: -(h[1] + edit_similarity(token, h[0])))
            options.append([t for t, _ in ranked[: s.corrections]] or [""])
        variants: set[str] = set()
        for combo in itertools.islice(itertools.product(*options), s.max_variants):
            words = sorted({w for w in combo if w})
            variants.add(" ".join(words))
            if len(words) > 1:
                variants.update(" ".join(words[:i] + words[i + 1 :]) for i in range(len(words)))
        variants.discard("")
        variants.discard(key)
        return sorted(variants)

    def _result(self, text: str, kind: Kind, row: tuple[Any, ...], score: float) -> LinkResult:
        cid, name, stys, codes, ingredients, meddra_pt = row
        by_sab: dict[str, list[str]] = {}
        for sab, code in json.loads(codes):
            listed = by_sab.setdefault(sab, [])
            if code not in listed:  # the same code under several term types
                listed.append(code)
        return LinkResult(
            text=text,
            kind=kind,
            cui=f"C{cid:07d}" if self._umls else None,
            name=name,
            score=round(score, 4),
            match="exact" if score == 1.0 else "approximate",
            semantic_types=tuple(SemanticType(tui=t, name=n) for t, n in json.loads(stys)),
            codes={sab: sorted(c) for sab, c in by_sab.items()},
            ingredient_rxcui=(json.loads(ingredients) or None) if kind == "drug" else None,
            meddra_pt=meddra_pt if kind == "adverse_event" else None,
        )


def open_index(path: str | Path, settings: MatchSettings | None = None) -> TerminologyIndex:
    """Open the index directory written by `pvkg terminology build`."""
    return TerminologyIndex(Path(path), settings)
