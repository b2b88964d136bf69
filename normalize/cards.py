"""Concept cards: what a link result shows about a concept, parsed once and cached.

The index stores each linkable concept's card as one JSON row (see normalize.schema);
`Card.result` makes the per-mention `LinkResult` from it without touching the database.
"""

from __future__ import annotations

import json
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple

from normalize.kinds import Kind
from normalize.link import Codes, LinkResult
from pvkg.records import SemanticType


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
        return LinkResult(
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
        )


# The build writes compact JSON: raw_decode skips `json.loads`'s whitespace scans, a third
# of its cost on a card.
_decode = json.JSONDecoder().raw_decode


@lru_cache(maxsize=4096)
def _semantic_type(tui: str, name: str) -> SemanticType:
    return SemanticType(tui=tui, name=name)  # a few hundred exist: validate each once


def parse_card(cid: int, text: str, umls: bool) -> Card:
    """A card from its stored JSON (see normalize.schema.CARD_JSON: codes come sorted)."""
    (name, stys, codes, ingredients, meddra_pt), _ = _decode(text)
    return Card(
        f"C{cid:07d}" if umls else None,
        name,
        tuple([_semantic_type(t, n) for t, n in stys]),
        MappingProxyType({sab: tuple(listed) for sab, listed in codes.items()}),
        tuple(ingredients),
        meddra_pt,
    )
