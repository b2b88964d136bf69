"""The normalize stage: link a triple's drug and adverse-event mentions to concepts through
the terminology index, and parse its dose.

Roll-ups travel in the concept's codes under two pvkg vocabularies: `RXNORM_IN` (the
ingredient RXCUIs a drug rolls up to) and `MDR_PT` (the MedDRA preferred term of an event),
which the graph keys Drug and AdverseEvent nodes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from normalize import parse_dose
from pvkg.app.tally import Tally
from pvkg.errors import InputError
from pvkg.jsonl import read_jsonl, write_jsonl
from pvkg.records import Concept, Concepts, NormalizedTriple, Span, Triple

if TYPE_CHECKING:
    from normalize import Kind, LinkResult, TerminologyIndex

INGREDIENT_VOCABULARY = "RXNORM_IN"
MEDDRA_PT_VOCABULARY = "MDR_PT"
LINK_CACHE_SIZE = 65_536


@dataclass
class NormalizeSummary(Tally):
    """Triples normalized, and how many drug and event mentions found a concept."""

    triples: int = 0
    drugs_linked: int = 0
    drugs_unlinked: int = 0
    events_linked: int = 0
    events_unlinked: int = 0

    def count(self, triple: NormalizedTriple) -> None:
        self.triples += 1
        if triple.concepts.drug is None:
            self.drugs_unlinked += 1
        else:
            self.drugs_linked += 1
        if triple.adverse_event is not None:
            if triple.concepts.adverse_event is None:
                self.events_unlinked += 1
            else:
                self.events_linked += 1


def concept_of(result: LinkResult) -> Concept | None:
    """The linked concept with its roll-ups added to its codes."""
    concept = result.concept
    if concept is None:
        return None
    codes = dict(concept.codes)
    if result.ingredient_rxcui:
        codes[INGREDIENT_VOCABULARY] = list(result.ingredient_rxcui)
    if result.meddra_pt:
        codes[MEDDRA_PT_VOCABULARY] = [result.meddra_pt]
    return concept.model_copy(update={"codes": codes})


class Normalizer:
    """Links mentions (cached: notes repeat the same drug names) and parses doses."""

    def __init__(self, index: TerminologyIndex) -> None:
        self.index = index
        self._link = lru_cache(maxsize=LINK_CACHE_SIZE)(self._link_uncached)

    def _link_uncached(self, text: str, kind: Kind) -> Concept | None:
        result = self.index.link(text, kind)
        if kind == "drug" and result.ingredient_rxcui and len(result.ingredient_rxcui) == 1:
            # A brand, salt or clinical drug is linked as its one ingredient; the mention's
            # own words stay in the triple's span.
            ingredient = self.index.ingredient(result.ingredient_rxcui[0])
            if ingredient is not None and ingredient.cui is not None:
                score = result.score if result.score is not None else 1.0
                result = ingredient._replace(text=text, score=score)
        return concept_of(result)

    def link_span(self, span: Span, kind: Kind) -> Concept | None:
        """The concept of a mention; an abbreviation ("VPA") is linked through the long form
        it stands for (`Span.expansion`), its own text if that finds nothing."""
        expansion = span.expansion
        linked = self._link(expansion, kind) if expansion is not None else None
        return linked if linked is not None else self._link(span.text, kind)

    def normalize(self, triple: Triple) -> NormalizedTriple:
        event = triple.adverse_event
        return NormalizedTriple.from_triple(
            triple,
            concepts=Concepts(
                drug=self.link_span(triple.drug, "drug"),
                adverse_event=self.link_span(event, "adverse_event") if event else None,
            ),
            parsed_dose=parse_dose(triple.dose.text) if triple.dose else None,
        )

    def normalize_all(self, triples: Iterable[Triple]) -> Iterator[NormalizedTriple]:
        for triple in triples:
            yield self.normalize(triple)


def normalize_file(
    triples_path: str | Path,
    index_dir: str | Path,
    output: str | Path,
    *,
    on_error: Callable[[InputError], None] | None = None,
) -> NormalizeSummary:
    """Read Triple JSONL, write NormalizedTriple JSONL (streaming); bad lines are reported
    through `on_error` and skipped."""
    from normalize import open_index

    summary = NormalizeSummary()
    with open_index(Path(index_dir)) as index:
        normalizer = Normalizer(index)

        def counted() -> Iterator[NormalizedTriple]:
            for triple in normalizer.normalize_all(
                read_jsonl(triples_path, Triple, on_error=on_error)
            ):
                summary.count(triple)
                yield triple

        write_jsonl(output, counted())
    return summary
