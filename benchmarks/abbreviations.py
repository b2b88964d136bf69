"""Abbreviations on the ADE corpus: how many gold drug mentions are short forms defined in
their sentence, and what expanding them does to the rule extractor.

    .venv/bin/python benchmarks/abbreviations.py [--data ../shared/data]

Counts run over every ADE document (one sentence each; gold drug mentions are those in a
DRUG-AE or DRUG-DOSE row). "Abbreviation-shaped" is a context figure: one word of 2-10
characters with at least two capitals and more capitals than lower-case letters ("MTX",
"5-FU", "AmB"), defined in the sentence or not. Scores are the rule extractor on the ADE
and PHEE test splits of `split_documents` (as in extraction_quality.py and
test_rules_ade.py), with `expand_abbreviations` off and on.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from extract.abbreviations import abbreviations
from extract.rules import RuleExtractor, TermKind, learn_terms
from extract.scoring import score_documents, split_documents
from loaders import ade_corpus, phee
from pvkg.gold import GoldDocument

ROOT = Path(__file__).resolve().parent.parent


def shaped(text: str) -> bool:
    upper = sum(c.isupper() for c in text)
    lower = sum(c.islower() for c in text)
    return " " not in text and 2 <= len(text) <= 10 and upper >= 2 and upper > lower


def gold_counts(documents: Sequence[GoldDocument]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for document in documents:
        found = abbreviations(document.note.text)
        defining = {(d.short_start, d.short_end) for d in found.definitions}
        later = {(o.start, o.end) for o in found.occurrences}
        counts["definitions found"] += len(found.definitions)
        for mention in document.mentions:
            if mention.kind != "drug":
                continue
            where = (mention.span.start, mention.span.end)
            counts["gold drug mentions"] += 1
            counts["short form in its definition"] += where in defining
            counts["short form after its definition"] += where in later
            counts["abbreviation-shaped"] += shaped(mention.span.text)
            undefined = shaped(mention.span.text) and where not in defining | later
            counts["abbreviation-shaped, not defined in the sentence"] += undefined
    return counts


def scores(
    terms: list[tuple[str, TermKind]], test: Sequence[GoldDocument], expand: bool
) -> list[str]:
    extractor = RuleExtractor(terms, expand_abbreviations=expand)
    results = list(extractor.extract_many(d.note for d in test))
    evaluation = score_documents(test, [t for r in results for t in r.triples])
    expanded = sum(1 for r in results for m in r.mentions if m.span.expansion is not None)
    strict = evaluation.strict.types["drug-adverse_event"]
    lenient = evaluation.lenient.types["drug-adverse_event"]
    drug = evaluation.strict.types["drug"]
    return [
        "on" if expand else "off",
        f"{strict.precision:.3f} / {strict.recall:.3f} / {strict.f1:.4f}",
        f"{strict.tp} / {strict.fp} / {strict.fn}",
        f"{lenient.f1:.4f}",
        f"{drug.f1:.4f} ({drug.tp} / {drug.fp} / {drug.fn})",
        str(expanded),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    documents = list(ade_corpus.iter_documents(args.data / "ade_corpus_v2"))
    for name, count in gold_counts(documents).items():
        print(f"{name}: {count:,}")
    ade = split_documents(documents)
    phe = split_documents(phee.iter_documents(args.data / "phee" / "phee.jsonl"))
    head = ["test split", "terms", "abbreviations", "drug–ADE strict P / R / F1", "TP / FP / FN"]
    head += ["drug–ADE lenient F1", "drug F1 (TP / FP / FN)", "mentions expanded"]
    print("| " + " | ".join(head) + " |")
    print("| " + " | ".join(["---"] * len(head)) + " |")
    both, ade_only = learn_terms([*ade.train, *phe.train]), learn_terms(ade.train)
    runs = (
        ("ADE", "ADE+PHEE train", both, ade.test),
        ("ADE", "ADE train", ade_only, ade.test),
        ("PHEE", "ADE+PHEE train", both, phe.test),
    )
    for data, label, terms, test in runs:
        for expand in (False, True):
            print("| " + " | ".join([data, label, *scores(terms, test, expand)]) + " |")


if __name__ == "__main__":
    main()
