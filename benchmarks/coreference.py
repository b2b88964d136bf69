"""Drug anaphora ("the drug", "this agent") resolved by the rule extractor: how many triples
change, and a seeded sample of the new ones to read.

    .venv/bin/python benchmarks/coreference.py [--data ../shared/data] [--examples 10]

Notes: one PubMed abstract each (the ADE corpus's sentences of a PubMed id joined in the
loader's order), so that an anaphor can reach a drug named in an earlier sentence. Terms are
learned from the ADE corpus and PHEE. Triples with a resolved anaphor carry it in their drug
span's attributes; the count is of those triples, which exist only through the resolution.
Neither corpus annotates relations across sentences, so there is no F1 here.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.rules import RuleExtractor  # noqa: E402
from extract.rules.coreference import ANAPHOR, ANAPHOR_START  # noqa: E402
from extract.rules.learn import learn_terms  # noqa: E402
from loaders import ade_corpus, phee  # noqa: E402
from pvkg.records import Note  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--examples", type=int, default=10)
    args = parser.parse_args()
    documents = list(ade_corpus.iter_documents(args.data / "ade_corpus_v2"))
    rules = RuleExtractor(learn_terms(documents + list(
        phee.iter_documents(args.data / "phee" / "phee.jsonl"))))  # fmt: skip
    abstracts: dict[str, list[str]] = {}
    for d in documents:
        abstracts.setdefault(str(d.note.metadata["pmid"]), []).append(d.note.text)
    total, resolved = 0, []
    for pmid, texts in abstracts.items():
        note = Note(id=pmid, text="\n".join(texts))
        for triple in rules.extract(note).triples:
            total += 1
            if ANAPHOR in triple.drug.attributes:
                resolved.append((note, triple))
    print(f"{len(abstracts)} abstracts: {total} triples, {len(resolved)} through a resolved "
          f"drug anaphor ({len(resolved) / total:.2%})")  # fmt: skip
    rng = random.Random(20240501)  # noqa: S311 (a reproducible sample, not a secret)
    for note, triple in rng.sample(resolved, min(args.examples, len(resolved))):
        at = int(str(triple.drug.attributes[ANAPHOR_START]))
        event = triple.adverse_event.text if triple.adverse_event else None
        sentence = triple.evidence.text[:150] if triple.evidence else ""
        print(
            f"  {triple.drug.text} <- {triple.drug.attributes[ANAPHOR]!r}@{at} in {note.id}: "
            f"{event} | {sentence}"
        )


if __name__ == "__main__":
    main()
