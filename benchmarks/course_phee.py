"""Severity of adverse events against PHEE's Severity arguments, and how often dechallenge
and rechallenge statements occur (PHEE and the ADE corpus mark neither).

    .venv/bin/python benchmarks/course_phee.py [--data ../shared/data]

Gold: each PHEE Adverse_event with one Effect; it has a severity when the event has a
Severity argument, whose class is read with the rules' own word lists (a Severity the lists
do not know, such as "acute", is counted as gold without a class). Predicted:
`CourseMatcher.severity` at the Effect's start in the sentence. Detection P / R / F1 is over
events (severity stated or not); class accuracy is over events where both have a class.

Then the causality the graph would store (`kg.causality.assess`) for every triple the rule
extractor finds in the ADE corpus with terms learned from both corpora, one PubMed
abstract a note (its sentences joined), so that statements in later sentences reach it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.course import CourseMatcher  # noqa: E402
from extract.rules import RuleExtractor  # noqa: E402
from extract.rules.learn import learn_terms  # noqa: E402
from kg.causality import assess  # noqa: E402
from loaders import ade_corpus, phee  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    course = CourseMatcher()
    classes = {w.casefold(): level for level, ws in course.rules.severity.items() for w in ws}
    tally: Counter[str] = Counter()
    unknown: Counter[str] = Counter()
    sentences: list[str] = []
    for line in (args.data / "phee" / "phee.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        text = record["context"]
        sentences.append(text)
        for annotation in record["annotations"]:
            for event in annotation["events"]:
                effect = event.get("Effect")
                if (
                    event["event_type"] != "Adverse_event"
                    or not effect
                    or len(effect["start"]) != 1
                ):
                    continue
                start = effect["start"][0][0]
                severity = event.get("Severity")
                gold_text = " ".join(severity["text"][0]).casefold() if severity else None
                gold = classes.get(gold_text) if gold_text else None
                if gold_text and gold is None:
                    unknown[gold_text] += 1
                found = course.severity(text, start)
                tally["events"] += 1
                tally["gold"] += gold_text is not None
                tally["predicted"] += found is not None
                tally["tp"] += gold_text is not None and found is not None
                if gold is not None and found is not None:
                    tally["both classed"] += 1
                    tally["same class"] += gold == found
    p = tally["tp"] / tally["predicted"] if tally["predicted"] else 0.0
    r = tally["tp"] / tally["gold"] if tally["gold"] else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(f"PHEE adverse events {tally['events']}: gold severity {tally['gold']}, predicted "
          f"{tally['predicted']}, both {tally['tp']}: P {p:.3f} R {r:.3f} F1 {f:.3f}; class "
          f"{tally['same class']} of {tally['both classed']} "
          f"({tally['same class'] / max(tally['both classed'], 1):.3f})")  # fmt: skip
    print(f"gold severities the lists do not class: {unknown.most_common(10)}")
    ade = [d.note.text for d in ade_corpus.iter_documents(args.data / "ade_corpus_v2")]
    for name, texts in (("PHEE", sentences), ("ADE corpus", ade)):
        counts = Counter((course.dechallenge(t), course.rechallenge(t)) for t in texts)
        dechallenge = sum(n for (d, _), n in counts.items() if d)
        rechallenge = sum(n for (_, r), n in counts.items() if r)
        print(
            f"{name}: {len(texts)} sentences, dechallenge stated in {dechallenge}, "
            f"rechallenge in {rechallenge}: {dict(counts)}"
        )
        outcomes = Counter(o for t in texts if (o := course.outcome(t)) is not None)
        print(f"{name}: outcome stated in {sum(outcomes.values())} sentences: {dict(outcomes)}")
    causality_report(args.data)


def causality_report(data: Path) -> None:
    from pvkg.records import Note

    documents = list(ade_corpus.iter_documents(data / "ade_corpus_v2"))
    learned = learn_terms(documents + list(phee.iter_documents(data / "phee" / "phee.jsonl")))
    rules = RuleExtractor(learned)
    abstracts: dict[str, list[str]] = {}
    for d in documents:
        abstracts.setdefault(str(d.note.metadata["pmid"]), []).append(d.note.text)
    who: Counter[str] = Counter()
    naranjo: Counter[int] = Counter()
    for pmid, texts in abstracts.items():
        for triple in rules.extract(Note(id=pmid, text="\n".join(texts))).triples:
            found = assess(triple)
            if found is not None:
                who[found.who_umc] += 1
                naranjo[found.naranjo] += 1
    total = sum(who.values())
    print(
        f"ADE corpus, {len(abstracts)} abstracts: {total} assessed triples; WHO-UMC "
        f"{dict(who.most_common())}; Naranjo {dict(sorted(naranjo.items()))}"
    )


if __name__ == "__main__":
    main()
