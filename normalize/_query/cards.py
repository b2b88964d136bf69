"""Concept cards: what a link result shows about a concept, read once and cached.

The index stores each linkable concept's card as one row of plain columns (see
normalize._common.schema.CARD_COLUMNS): name, semantic-type TUIs, ingredient RXCUIs, MedDRA PT, and
the codes as JSON. `CardReader.card` makes a `Card` from a row without parsing JSON: codes
are decoded on first read (`StoredCodes`), as most links never read them, and semantic
types come from the index's small table of them. `Card.result` makes the per-mention
`LinkResult` without touching the database.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from normalize._common.kinds import Kind
from normalize._query.result import Codes, LinkResult
from pvkg.records import SemanticType

# (cid, name, TUIs, ingredient RXCUIs, MedDRA PT or None, codes JSON)
CardRow = tuple[int, str, str, str, str | None, str]

# The build writes compact JSON: raw_decode skips `json.loads`'s whitespace scans.
_decode = json.JSONDecoder().raw_decode


class StoredCodes(Mapping[str, tuple[str, ...]]):
    """A concept's codes per vocabulary (sorted), decoded from their JSON on first read."""

    __slots__ = ("_codes", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._codes: dict[str, tuple[str, ...]] | None = None

    def _decoded(self) -> dict[str, tuple[str, ...]]:
        if self._codes is None:
            self._codes = {sab: tuple(codes) for sab, codes in _decode(self._text)[0].items()}
        return self._codes

    def __getitem__(self, sab: str) -> tuple[str, ...]:
        return self._decoded()[sab]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __repr__(self) -> str:
        return repr(self._decoded())


class Card(NamedTuple):
    cui: str | None
    name: str
    semantic_types: tuple[SemanticType, ...]
    codes: Codes
    ingredient_rxcui: tuple[str, ...]
    meddra_pt: str | None

    def result(self, text: str, kind: Kind, score: float) -> LinkResult:
        """The link result of mention `text`."""
        drug = kind == "drug"
        exact = score == 1.0
        # tuple.__new__: no Python-level __new__ (or _make) call per mention.
        return tuple.__new__(
            LinkResult,
            (
                text,
                kind,
                self.cui,
                self.name,
                1.0 if exact else round(score, 4),
                "exact" if exact else "approximate",
                self.semantic_types,
                self.codes,
                list(self.ingredient_rxcui) or None if drug else None,
                None if drug else self.meddra_pt,
            ),
        )


class CardReader:
    """Cards from rows of one index, with its semantic types read once."""

    def __init__(self, db: sqlite3.Connection, umls: bool) -> None:
        self._umls = umls
        self._types = {
            tui: SemanticType(tui=tui, name=name)
            for tui, name in db.execute("SELECT tui, name FROM semantic_types")
        }
        # A few thousand combinations of semantic types exist in all of UMLS.
        self._combinations: dict[str, tuple[SemanticType, ...]] = {}

    def card(self, row: CardRow) -> Card:
        cid, name, tuis, ingredients, meddra_pt, codes = row
        types = self._combinations.get(tuis)
        if types is None:
            types = self._combinations[tuis] = tuple(
                [self._types[tui] for tui in tuis.split(" ") if tui]
            )
        return tuple.__new__(
            Card,
            (
                f"C{cid:07d}" if self._umls else None,
                name,
                types,
                StoredCodes(codes),
                tuple(ingredients.split(" ")) if ingredients else (),
                meddra_pt,
            ),
        )
