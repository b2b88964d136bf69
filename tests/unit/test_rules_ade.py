"""The rule baseline on the real ADE corpus: terms learned from the train split, test scored.

Measured (seed DEFAULT_SEED, 30% of PubMed ids held out, 4,325 test sentences): drug–ADE
strict P 0.438 R 0.358 F1 0.394, lenient F1 0.507. The floors sit a few points below.
"""

from __future__ import annotations

from pathlib import Path

from extract.rules import RuleExtractor, learn_terms
from extract.scoring import score_documents, split_documents
from loaders import ade_corpus
from pvkg.errors import InputError
from pvkg.records import Mention, Triple

STRICT_FLOOR = 0.36
LENIENT_FLOOR = 0.47


def test_rule_baseline_on_the_ade_test_split(shared_data: Path) -> None:
    problems: list[InputError] = []
    documents = ade_corpus.iter_documents(shared_data / "ade_corpus_v2", on_error=problems.append)
    split = split_documents(documents)
    extractor = RuleExtractor(learn_terms(split.train))
    results = list(extractor.extract_many(d.note for d in split.test))
    predicted = [t for result in results for t in result.triples]
    evaluation = score_documents(split.test, predicted)
    assert evaluation.problems == ()
    strict = evaluation.strict.types["drug-adverse_event"]
    lenient = evaluation.lenient.types["drug-adverse_event"]
    assert strict.f1 >= STRICT_FLOOR, strict
    assert lenient.f1 >= LENIENT_FLOOR, lenient
    assert strict.precision >= 0.4 and strict.recall >= 0.32, strict


def test_rule_records_pass_validation(shared_data: Path) -> None:
    """The extractor builds its records unvalidated (their spans are slices of the note at
    their own offsets): every one of them must still be valid, spans checked on the note."""
    documents = list(ade_corpus.iter_documents(shared_data / "ade_corpus_v2"))[:3000]
    extractor = RuleExtractor(learn_terms(documents))
    notes = {d.note.id: d.note for d in documents}
    checked = 0
    for result in extractor.extract_many(notes.values()):
        for triple in result.triples:
            Triple.model_validate(triple.model_dump(), context={"notes": notes})
            checked += 1
        for mention in result.mentions:
            valid = Mention.model_validate(mention.model_dump())
            valid.span.check_against(notes[result.note_id].text)
    assert checked > 1000
