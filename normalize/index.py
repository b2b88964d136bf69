"""Open a terminology index and link mentions: exact (normalized-key) then approximate.

An exact hit is a mention whose normalized key (see normalize.keys) is the key of an atom
of a concept of the right kind: score 1.0. Otherwise normalize.approx_match looks for close
keys. A hit reads its concept's card (one JSON row, see normalize.schema), parsed once and
cached, as are the hits of recent keys: notes repeat the same few thousand terms.

`link_many` links a batch with one key query per 500 distinct keys and one card query for
the concepts not cached; `link` is the same path for one mention.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType

from normalize.approx_match import ApproxMatcher, MatchSettings
from normalize.cards import Card, parse_card
from normalize.keys import normalize_key
from normalize.kinds import KIND_BITS, Kind
from normalize.link import CodeRef, LinkResult
from normalize.lru import Lru
from normalize.manifest import Manifest, read_manifest
from normalize.schema import CARD_JSON, INDEX_FILE, SCHEMA_VERSION
from pvkg.errors import TerminologyError
from pvkg.records import Concept

__all__ = ["MatchSettings", "TerminologyIndex", "open_index"]

_EXACT = """SELECT t.cid, k.card FROM terms t JOIN cards k ON k.cid = t.cid
WHERE t.key = ? AND k.kinds & ? ORDER BY t.n DESC, t.cid LIMIT ?"""
_EXACT_MANY = """SELECT t.key, t.cid, t.n FROM terms t JOIN cards k ON k.cid = t.cid
WHERE t.key IN ({}) AND k.kinds & ?"""
_CARDS = "SELECT cid, card FROM cards WHERE cid IN ({})"
_CONCEPT = f"SELECT {CARD_JSON} FROM concepts c WHERE c.cid = ?"  # noqa: S608 - a constant
_CHUNK = 500  # keys per IN (...) query
_INGREDIENT = """SELECT cid FROM codes INDEXED BY codes_by_code
WHERE code = ? AND sab = 'RXNORM' AND tty = 'IN' LIMIT 1"""
_STREAM_BATCH = 1_000
_CACHE = 65_536

# (concept id, score) of each hit of a key, best first.
Hits = tuple[tuple[int, float], ...]


class TerminologyIndex:
    """A built index: `link`, `link_many`, `candidates`, `concept`, `codes`. Close it (or
    use `with`)."""

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
        self._approx = ApproxMatcher(self._db, directory, self.settings)
        self._cards: Lru[int, Card] = Lru(_CACHE)
        self._hits: Lru[tuple[str, Kind, int], Hits] = Lru(_CACHE)

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
        hits = self._hits.get((key, kind, k))
        if hits is None:
            hits = self._hits.put((key, kind, k), self._search(key, kind, k))
        return [self._card(cid).result(text, kind, score) for cid, score in hits]

    def link_many(self, texts: Sequence[str], kind: Kind) -> list[LinkResult]:
        """`link` for each text, in order, with the database read in batches."""
        keys = [normalize_key(t) for t in texts]
        found: dict[str, Hits] = {}
        todo: list[str] = []
        for key in set(keys):
            hits = self._hits.get((key, kind, 1)) if key else ()
            if hits is None:
                todo.append(key)
            else:
                found[key] = hits
        for start in range(0, len(todo), _CHUNK):
            found |= self._search_many(todo[start : start + _CHUNK], kind)
        out = []
        for text, key in zip(texts, keys, strict=True):
            hits = found[key]
            if hits:
                cid, score = hits[0]
                out.append(self._card(cid).result(text, kind, score))
            else:
                out.append(LinkResult(text=text, kind=kind))
        return out

    def link_stream(self, texts: Iterable[str], kind: Kind) -> Iterator[LinkResult]:
        """`link_many` over an iterable of any length, a batch at a time."""
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) >= _STREAM_BATCH:
                yield from self.link_many(batch, kind)
                batch = []
        yield from self.link_many(batch, kind)

    def concept(self, cui: str) -> Concept | None:
        """The concept with UMLS CUI `cui`, if the index has it."""
        cid = self._cid(cui)
        row = self._db.execute(_CONCEPT, (cid,)).fetchone() if cid is not None else None
        if row is None or cid is None:
            return None
        return parse_card(cid, row[0], self._umls).result(cui, "drug", 1.0).concept

    def ingredient(self, rxcui: str) -> LinkResult | None:
        """The RxNorm ingredient (TTY IN) with code `rxcui`, as a drug link result."""
        row = self._db.execute(_INGREDIENT, (rxcui,)).fetchone()
        if row is None:
            return None
        return self._card(row[0]).result(rxcui, "drug", 1.0)

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

    def _card(self, cid: int) -> Card:
        card = self._cards.get(cid)
        if card is None:
            (text,) = self._db.execute("SELECT card FROM cards WHERE cid = ?", (cid,)).fetchone()
            card = self._cards.put(cid, parse_card(cid, text, self._umls))
        return card

    def _remember(self, cid: int, card: str) -> None:
        if self._cards.get(cid) is None:
            self._cards.put(cid, parse_card(cid, card, self._umls))

    def _search(self, key: str, kind: Kind, k: int) -> Hits:
        """Exact hits of `key`, then approximate ones up to `k` in all."""
        hits: list[tuple[int, float]] = []
        for cid, card in self._db.execute(_EXACT, (key, KIND_BITS[kind], k)):
            self._remember(cid, card)
            hits.append((cid, 1.0))
        return self._add_approximate(key, kind, k, hits)

    def _add_approximate(self, key: str, kind: Kind, k: int, hits: list[tuple[int, float]]) -> Hits:
        if len(hits) < k and kind in self.manifest.approx_kinds:
            seen = {cid for cid, _ in hits}
            for cid, score, card in self._approx.match(key, kind):
                if cid not in seen and len(hits) < k:
                    seen.add(cid)
                    self._remember(cid, card)
                    hits.append((cid, score))
        return tuple(hits)

    def _search_many(self, keys: list[str], kind: Kind) -> dict[str, Hits]:
        """The best hit of each key (cached): exact ones in one query, the rest one by one."""
        marks = ",".join("?" * len(keys))
        best: dict[str, tuple[int, int]] = {}  # key -> (-count, cid), the exact query's order
        for key, cid, n in self._db.execute(_EXACT_MANY.format(marks), (*keys, KIND_BITS[kind])):
            rank = (-n, cid)
            if key not in best or rank < best[key]:
                best[key] = rank
        missing = [cid for _, cid in best.values() if self._cards.get(cid) is None]
        if missing:
            sql = _CARDS.format(",".join("?" * len(missing)))
            for cid, card in self._db.execute(sql, missing):
                self._remember(cid, card)
        found = {}
        for key in keys:
            top = best.get(key)
            hits = ((top[1], 1.0),) if top else self._add_approximate(key, kind, 1, [])
            found[key] = self._hits.put((key, kind, 1), hits)
        return found


def open_index(path: str | Path, settings: MatchSettings | None = None) -> TerminologyIndex:
    """Open the index directory written by `pvkg terminology build`."""
    return TerminologyIndex(Path(path), settings)
