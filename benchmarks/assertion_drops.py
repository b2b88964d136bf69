"""ConText assertion on gold spans: what the rules drop on ADE, and how they agree with PHEE.

    .venv/bin/python benchmarks/assertion_drops.py [--data ../shared/data] [--rules FILE]

The rules (`extract.rules.context`, or `--rules` for another rule file) run on the GOLD
mentions, so extraction errors play no part: each adverse event is asserted in its sentence
with every gold drug, dose and event mention occupied, as the rule extractor does with its
own mentions.

- ADE (Gurulingappa et al. 2012): every DRUG-AE row states an observed adverse effect, so
  each gold drug–event pair should come out present. Counted: pairs the rules mark
  anything else, by the trigger that decided it.
- PHEE (Sun et al. 2022): each adverse event's rule assertion against its event's
  Negated / Speculated label (negated first, as the loader reads them). Accuracy counts
  historical or family for a present event as wrong; P / R / F1 per label.

Each figure is given for the whole corpus and for the train and test parts of
`split_documents` (the rule changes were made looking at the whole corpus: the split shows
whether they carry over).
"""

from __future__ import annotations

import argparse
import bisect
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from extract.rules.context import ContextMatcher, ContextRule, load_context_rules
from extract.rules.tokens import Tokens, tokenize
from extract.scoring import split_documents
from extract.scoring.scores import score
from extract.text import sentences
from loaders import ade_corpus, phee
from pvkg.gold import GoldDocument, span_fragments
from pvkg.records import Assertion, Span

ROOT = Path(__file__).resolve().parent.parent
TOP_TRIGGERS = 25


@dataclass(frozen=True)
class Asserted:
    """One gold adverse event (of one triple): its gold and rule assertions."""

    gold: Assertion
    rule: Assertion
    trigger: ContextRule | None
    sentence: str


def tokens_of(tokens: Tokens, span: Span) -> tuple[int, int]:
    """The tokens a span touches (at least one)."""
    first = bisect.bisect_right(tokens.ends, span.start)
    return first, max(first + 1, bisect.bisect_left(tokens.starts, span.end))


def asserted(matcher: ContextMatcher, document: GoldDocument) -> Iterator[Asserted]:
    """The rule assertion of each gold triple's adverse event."""
    text = document.note.text
    for window in sentences(text):
        tokens = tokenize(text, window.start, window.end)
        inside = [m for m in document.mentions if window.start <= m.span.start < window.end]
        occupied = [tokens_of(tokens, m.span) for m in inside]
        triples = [
            t
            for t in document.triples
            if t.adverse_event is not None and window.start <= t.adverse_event.start < window.end
        ]
        events = [tokens_of(tokens, t.adverse_event) for t in triples if t.adverse_event]
        decisions = matcher.decisions(tokens.words, events, occupied)
        sentence = text[window.start : window.end]
        for triple, (rule, trigger) in zip(triples, decisions, strict=True):
            yield Asserted(triple.assertion, rule, trigger, sentence)


def unique_events(documents: Sequence[GoldDocument]) -> list[GoldDocument]:
    """The documents with one triple per adverse event (the first), as evaluation keys
    assertions: PHEE's labels belong to events, not drug–event pairs."""
    kept = []
    for document in documents:
        seen: set[object] = set()
        triples = []
        for triple in document.triples:
            if triple.adverse_event is None:
                continue
            key = span_fragments(triple.adverse_event)
            if key not in seen:
                seen.add(key)
                triples.append(triple)
        kept.append(document.model_copy(update={"triples": tuple(triples)}))
    return kept


def ade_report(matcher: ContextMatcher, parts: dict[str, Sequence[GoldDocument]]) -> None:
    print("## ADE: gold drug–event pairs the rules do not mark present")
    print("| documents | pairs | not present | negated | speculated | historical | family |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    triggers: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], str] = {}
    for name, documents in parts.items():
        found = [a for d in documents for a in asserted(matcher, d)]
        dropped = [a for a in found if a.rule != "present"]
        by = Counter(a.rule for a in dropped)
        cells = [name, f"{len(found):,}", f"{len(dropped):,} ({len(dropped) / len(found):.1%})"]
        cells += [str(by[c]) for c in ("negated", "speculated", "historical", "family")]
        print("| " + " | ".join(cells) + " |")
        if name == "all":
            for a in dropped:
                if a.trigger is not None:
                    key = (a.trigger.trigger, a.rule)
                    triggers[key] += 1
                    examples.setdefault(key, a.sentence)
    print()
    print("| trigger (all documents) | category | pairs | first example |")
    print("| --- | --- | --- | --- |")
    for (trigger, category), count in triggers.most_common(TOP_TRIGGERS):
        example = examples[(trigger, category)]
        print(f"| {trigger} | {category} | {count} | {example[:110]} |")


def label_score(found: Sequence[Asserted], label: Assertion) -> str:
    tp = sum(a.gold == label and a.rule == label for a in found)
    fp = sum(a.gold != label and a.rule == label for a in found)
    fn = sum(a.gold == label and a.rule != label for a in found)
    s = score(tp, fp, fn)
    return f"{s.precision:.3f} / {s.recall:.3f} / {s.f1:.3f} ({tp}/{fp}/{fn})"


def phee_report(matcher: ContextMatcher, parts: dict[str, Sequence[GoldDocument]]) -> None:
    print()
    print("## PHEE: rule assertion of each gold adverse event against its labels")
    head = ["documents", "events", "gold negated / speculated", "accuracy"]
    head += ["negated P / R / F1 (tp/fp/fn)", "speculated P / R / F1 (tp/fp/fn)"]
    head += ["rules non-present on gold present"]
    print("| " + " | ".join(head) + " |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    wrong: Counter[tuple[str, str, str]] = Counter()
    for name, documents in parts.items():
        found = [a for d in unique_events(documents) for a in asserted(matcher, d)]
        correct = sum(a.gold == a.rule for a in found)
        gold = Counter(a.gold for a in found)
        extra = sum(a.gold == "present" and a.rule != "present" for a in found)
        cells = [name, f"{len(found):,}", f"{gold['negated']} / {gold['speculated']}"]
        cells += [f"{correct / len(found):.3f} ({correct}/{len(found)})"]
        cells += [label_score(found, "negated"), label_score(found, "speculated"), str(extra)]
        print("| " + " | ".join(cells) + " |")
        if name == "all":
            for a in found:
                if a.gold != a.rule:
                    trigger = a.trigger.trigger if a.trigger is not None else "-"
                    wrong[(a.gold, a.rule, trigger)] += 1
    print()
    print("| gold | rules | trigger | events (all documents) |")
    print("| --- | --- | --- | --- |")
    for (gold_label, rule, trigger), count in wrong.most_common(TOP_TRIGGERS):
        print(f"| {gold_label} | {rule} | {trigger} | {count} |")


def parts(documents: list[GoldDocument]) -> dict[str, Sequence[GoldDocument]]:
    split = split_documents(documents)
    return {"all": documents, "train": split.train, "test": split.test}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--rules", type=Path, default=None, help="a context rules JSON file")
    args = parser.parse_args()
    matcher = ContextMatcher(load_context_rules(args.rules))
    print(f"context rules version {matcher.rules.version}, {len(matcher.rules.rules)} rules\n")
    ade_report(matcher, parts(list(ade_corpus.iter_documents(args.data / "ade_corpus_v2"))))
    phee_report(matcher, parts(list(phee.iter_documents(args.data / "phee" / "phee.jsonl"))))


if __name__ == "__main__":
    main()
