"""Link results: what a mention of a drug or adverse event was linked to.

`LinkResult` is a named tuple, not a pydantic record or frozen dataclass: linking makes one
per mention, and either cost more than the lookup. Its codes are a read-only mapping of
tuples, shared with the index's cache.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from normalize._common.kinds import Kind
from pvkg.records import Concept, Record, SemanticType

MatchType = Literal["exact", "approximate"]
Codes = Mapping[str, tuple[str, ...]]
NO_CODES: Codes = MappingProxyType({})


class CodeRef(Record):
    """One code of a concept in one vocabulary, with its term type (MDR PT vs LLT, RxNorm IN)."""

    sab: str
    code: str
    tty: str


class LinkResult(NamedTuple):
    """A mention and the concept it was linked to; concept fields are None when none matched.

    `cui` is the UMLS CUI (None for an index built from a standalone RxNorm release, whose
    concepts are RXCUIs: see `codes["RXNORM"]`). `ingredient_rxcui` is set for drugs,
    `meddra_pt` for adverse events. `score` is in [0, 1].
    """

    text: str
    kind: Kind
    cui: str | None = None
    name: str | None = None
    score: float | None = None
    match: MatchType | None = None
    semantic_types: tuple[SemanticType, ...] = ()
    codes: Codes = NO_CODES
    ingredient_rxcui: list[str] | None = None
    meddra_pt: str | None = None

    @property
    def concept(self) -> Concept | None:
        """The linked concept as a `pvkg.records.Concept`, when it has a UMLS CUI."""
        if self.cui is None or self.name is None:
            return None
        return Concept(
            cui=self.cui,
            name=self.name,
            semantic_types=self.semantic_types,
            codes={sab: list(codes) for sab, codes in self.codes.items()},
            score=self.score if self.score is not None else 1.0,
        )

    def to_json_dict(self) -> dict[str, Any]:
        """The printed form: the roll-up field of the other kind is left out."""
        out: dict[str, Any] = {
            "text": self.text,
            "cui": self.cui,
            "name": self.name,
            "score": self.score,
            "match": self.match,
            "semantic_types": [{"tui": s.tui, "name": s.name} for s in self.semantic_types],
            "codes": {sab: list(codes) for sab, codes in self.codes.items()},
        }
        if self.kind == "drug":
            out["ingredient_rxcui"] = self.ingredient_rxcui
        else:
            out["meddra_pt"] = self.meddra_pt
        return out
