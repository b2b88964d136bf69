"""Open a terminology index and link mentions: exact (normalized-key) then approximate.

An exact hit is a mention whose normalized key (see normalize._common.keys) is the key of an
atom of a concept of the right kind: score 1.0. Otherwise normalize._query.match looks for
close keys. A hit reads its concept's card (one row, see normalize._query.cards); cards are
cached, as are the hits of recent keys: notes repeat the same few thousand terms.

`link_many` links a batch with one vectorised search of the kind's exact-key hash arrays
(normalize._query.exact_table: each key's exact hit, the concept `terms.best` flags), one
approximate pass for all the keys not found (see normalize._query.match) and one card query
per 500 hits not cached; `link` reads the same hits from `terms`, one mention at a time.
`link(index, text, kind)` and `link_all(index_dir, texts, kind)` are the one-call entry points.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

from normalize._common.keys import normalize_key
from normalize._common.kinds import KIND_BITS, Kind
from normalize._common.manifest import Manifest, read_manifest
from normalize._common.schema import CARD_COLUMNS, INDEX_FILE, SCHEMA_VERSION
from normalize._query.cards import Card, CardReader, CardRow
from normalize._query.exact_table import ExactTable
from normalize._query.linker import Linker
from normalize._query.lru import Lru
from normalize._query.match import ApproxMatcher, MatchSettings
from normalize._query.result import CodeRef, LinkResult
from pvkg.batching import chunked
from pvkg.errors import TerminologyError
from pvkg.records import Concept

# The columns of a normalize._query.cards.CardRow.
_EXACT = """SELECT k.cid, k.name, k.tuis, k.ingredients, k.meddra_pt, k.codes
FROM terms t JOIN cards k ON k.cid = t.cid
WHERE t.key = ? AND t.kinds & ? ORDER BY t.n DESC, t.cid LIMIT ?"""
_EXACT_MANY = "SELECT key, cid FROM terms WHERE key IN ({}) AND best & ?"
_CARDS = "SELECT cid, name, tuis, ingredients, meddra_pt, codes FROM cards WHERE cid IN ({})"
_CONCEPT = f"SELECT c.cid, {CARD_COLUMNS} FROM concepts c WHERE c.cid = ?"  # noqa: S608
_CHUNK = 500  # keys per IN (...) query
# Read-only use: writes refused; the file memory-mapped, so reads need no copy into SQLite's
# page cache (SQLite caps the map at its build's limit, 2 GB here), and a larger page cache
# for what lies beyond the map.
_READ_PRAGMAS = (
    "PRAGMA query_only = 1",
    "PRAGMA mmap_size = 4294967296",
    "PRAGMA cache_size = -65536",
)
_INGREDIENT = """SELECT cid FROM codes INDEXED BY codes_by_code
WHERE code = ? AND sab = 'RXNORM' AND tty = 'IN' LIMIT 1"""
_KEYS_OF = "SELECT key FROM terms WHERE cid = ?"
_STREAM_BATCH = 1_000
_CACHE = 65_536

# (concept id, score) of each hit of a key, best first.
Hits = tuple[tuple[int, float], ...]


class TerminologyIndex(Linker):
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
        for pragma in _READ_PRAGMAS:
            self._db.execute(pragma)
        self._approx = ApproxMatcher(self._db, directory, self.settings)
        self._exact = {kind: ExactTable(directory, kind) for kind in KIND_BITS}
        self._reader = CardReader(self._db, self._umls)
        self._cards: Lru[int, Card] = Lru(_CACHE)
        self._hits: Lru[tuple[str, Kind, int], Hits] = Lru(_CACHE)
        # The best hit of each key, per kind (link_many's cache).
        self._best: dict[Kind, Lru[str, Hits]] = {kind: Lru(_CACHE) for kind in KIND_BITS}
        self._key = lru_cache(maxsize=_CACHE)(normalize_key)

    def close(self) -> None:
        self._db.close()

    def candidates(self, text: str, kind: Kind, k: int = 5) -> list[LinkResult]:
        """Up to `k` concepts of `kind` for `text`, best first, scores in [0, 1]."""
        key = self._key(text)
        if not key or k < 1:
            return []
        hits = self._hits.get((key, kind, k))
        if hits is None:
            hits = self._hits.put((key, kind, k), self._search(key, kind, k))
        return [self._card(cid).result(text, kind, score) for cid, score in hits]

    def link_many(self, texts: Sequence[str], kind: Kind) -> list[LinkResult]:
        """`link` for each text, in order, with the database read in batches."""
        keys = [self._key(text) for text in texts]
        distinct = set(keys) - {""}
        found = self._best[kind].get_all(distinct)
        todo = [key for key in distinct if key not in found]
        found[""] = ()
        cards: dict[int, Card] = {}
        if todo:
            found |= self._search_many(todo, kind, cards)
        out = []
        for text, key in zip(texts, keys, strict=True):
            hits = found[key]
            if hits:
                cid, score = hits[0]
                out.append((cards.get(cid) or self._card(cid)).result(text, kind, score))
            else:
                out.append(LinkResult(text, kind))
        return out

    def link_stream(self, texts: Iterable[str], kind: Kind) -> Iterator[LinkResult]:
        """`link_many` over an iterable of any length, a batch at a time."""
        for batch in chunked(texts, _STREAM_BATCH):
            yield from self.link_many(batch, kind)

    def concept(self, cui: str) -> Concept | None:
        """The concept with UMLS CUI `cui`, if the index has it."""
        cid = self._cid(cui)
        row = self._db.execute(_CONCEPT, (cid,)).fetchone() if cid is not None else None
        if row is None:
            return None
        return self._reader.card(row).result(cui, "drug", 1.0).concept

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

    def concept_keys(self, cui: str) -> set[str]:
        """The lookup keys (`normalize_key` of every synonym) of the concept `cui`."""
        cid = self._cid(cui)
        if cid is None:
            return set()
        return {row[0] for row in self._db.execute(_KEYS_OF, (cid,))}

    def _cid(self, cui: str) -> int | None:
        digits = cui[1:] if self._umls and cui[:1] == "C" else cui
        return int(digits) if digits.isdigit() else None

    def _card(self, cid: int) -> Card:
        card = self._cards.get(cid)
        if card is None:
            row = self._db.execute(_CARDS.format("?"), (cid,)).fetchone()
            card = self._cards.put(cid, self._reader.card(row))
        return card

    def _remember(self, row: CardRow) -> Card:
        """The card of `row`, cached (or the one cached)."""
        return self._cards.get(row[0]) or self._cards.put(row[0], self._reader.card(row))

    def _load_cards(self, cids: Iterable[int], cards: dict[int, Card]) -> None:
        """Add the cards of `cids` to `cards`, reading those not cached in one query per 500."""
        missing = []
        for cid in cids:
            card = self._cards.get(cid)
            if card is None:
                missing.append(cid)
            else:
                cards[cid] = card
        for start in range(0, len(missing), _CHUNK):
            chunk = missing[start : start + _CHUNK]
            for row in self._db.execute(_CARDS.format(",".join("?" * len(chunk))), chunk):
                cards[row[0]] = self._cards.put(row[0], self._reader.card(row))

    def _search(self, key: str, kind: Kind, k: int) -> Hits:
        """Exact hits of `key`, then approximate ones up to `k` in all."""
        hits: list[tuple[int, float]] = []
        for row in self._db.execute(_EXACT, (key, KIND_BITS[kind], k)):
            self._remember(row)
            hits.append((row[0], 1.0))
        if len(hits) < k and kind in self.manifest.approx_kinds:
            hits = _best(hits, self._approx.match(key, kind), k)
        return tuple(hits)

    def _search_many(self, keys: list[str], kind: Kind, cards: dict[int, Card]) -> dict[str, Hits]:
        """The best hit of each key (cached), its card added to `cards`: exact ones, then
        approximate ones for the rest, each kind of search for all keys at once."""
        best = self._exact_many(keys, kind)
        missed = [key for key in keys if key not in best]
        approx = {}
        if missed and kind in self.manifest.approx_kinds:
            approx = self._approx.match_many(missed, kind)
        found: dict[str, Hits] = {}
        for key in keys:
            cid = best.get(key)
            found[key] = ((cid, 1.0),) if cid is not None else tuple(approx.get(key, ())[:1])
        self._best[kind].put_all(found)
        self._load_cards({hits[0][0] for hits in found.values() if hits} - cards.keys(), cards)
        return found

    def _exact_many(self, keys: list[str], kind: Kind) -> dict[str, int]:
        """The concept id of each key's exact hit (`_EXACT`'s first): from the kind's hash
        arrays, or from `terms` for the rare keys whose hashes collide."""
        best, ask = self._exact[kind].lookup(keys)
        for start in range(0, len(ask), _CHUNK):
            chunk = ask[start : start + _CHUNK]
            sql = _EXACT_MANY.format(",".join("?" * len(chunk)))
            best.update(self._db.execute(sql, (*chunk, KIND_BITS[kind])))
        return best


def _best(
    hits: list[tuple[int, float]], approximate: list[tuple[int, float]], k: int
) -> list[tuple[int, float]]:
    """`hits` then the approximate hits of other concepts, up to `k` in all."""
    seen = {cid for cid, _ in hits}
    for cid, score in approximate:
        if len(hits) >= k:
            break
        if cid not in seen:
            seen.add(cid)
            hits.append((cid, score))
    return hits


def open_index(path: str | Path, settings: MatchSettings | None = None) -> TerminologyIndex:
    """Open the index directory written by `pvkg terminology build`."""
    return TerminologyIndex(Path(path), settings)


def link(index: TerminologyIndex, text: str, kind: Kind) -> LinkResult:
    """Link one mention to its best concept (or an empty result)."""
    return index.link(text, kind)


def link_all(index_dir: Path, texts: Iterable[str], kind: Kind) -> Iterator[LinkResult]:
    """Open the index at `index_dir` and link the texts in batches (streaming)."""
    with open_index(index_dir) as index:
        yield from index.link_stream(texts, kind)
