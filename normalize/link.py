"""Link results: what a mention of a drug or adverse event was linked to.

`link(index, text, kind)` is the one-call entry point; `normalize.index.open_index` opens
an index built by `pvkg terminology build`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from normalize.kinds import Kind
from pvkg.records import Concept, Probability, Record, SemanticType

if TYPE_CHECKING:
    from normalize.index import TerminologyIndex

MatchType = Literal["exact", "approximate"]


class CodeRef(Record):
    """One code of a concept in one vocabulary, with its term type (MDR PT vs LLT, RxNorm IN)."""

    sab: str
    code: str
    tty: str


class LinkResult(Record):
    """A mention and the concept it was linked to; concept fields are None when none matched.

    `cui` is the UMLS CUI (None for an index built from a standalone RxNorm release, whose
    concepts are RXCUIs: see `codes["RXNORM"]`). `ingredient_rxcui` is set for drugs,
    `meddra_pt` for adverse events.
    """

    text: str
    kind: Kind
    cui: str | None = None
    name: str | None = None
    score: Probability | None = None
    match: MatchType | None = None
    semantic_types: tuple[SemanticType, ...] = ()
    codes: dict[str, list[str]] = Field(default_factory=dict)
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
            codes=self.codes,
            score=self.score if self.score is not None else 1.0,
        )

    def to_json_dict(self) -> dict[str, Any]:
        """The printed form: the roll-up field of the other kind is left out."""
        other = "meddra_pt" if self.kind == "drug" else "ingredient_rxcui"
        return self.model_dump(mode="json", exclude={other, "kind"})


def link(index: TerminologyIndex, text: str, kind: Kind) -> LinkResult:
    """Link one mention to its best concept (or an empty result)."""
    return index.link(text, kind)


def link_all(index_dir: Path, texts: Iterable[str], kind: Kind) -> Iterator[LinkResult]:
    """Open the index at `index_dir` and link each text in turn (streaming)."""
    from normalize.index import open_index  # imported here: normalize.index imports this module

    with open_index(index_dir) as index:
        for text in texts:
            yield index.link(text, kind)
