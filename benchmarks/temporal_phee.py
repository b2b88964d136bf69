"""Temporal expressions against PHEE's Time_elapsed and Duration arguments: strict and
lenient span F1, and the accuracy of the ISO-8601 values on a hand-normalized sample.

    .venv/bin/python benchmarks/temporal_phee.py [--data ../shared/data] [--examples 10]

Gold: every Time_elapsed and Duration argument of a Treatment in PHEE (Sun et al. 2022), a
multi-part argument as the span covering its parts. Predictions: `extract.temporal.
find_times` on each sentence, kinds duration, elapsed and day (dates are not PHEE
arguments). Strict: both boundaries equal; lenient: the spans overlap. A prediction is
matched to at most one gold span. PHEE marks only the times tied to a treatment, so a time
the sentence gives for something else ("followed up for 2 years") counts against precision.

Values: `benchmarks/data/phee_time_values.tsv` holds a seeded sample of 60 gold spans
(sentence id, start, text) with the ISO-8601 value written by hand, TimeML style (P4D,
PT48H, PXM for "several months", low/high for a range, "-" where the text has no amount,
such as "long-term"). A sample span is correct when the prediction overlapping it has the
same value (or the same low and high).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.temporal import TimeExpression, find_times, time_to_onset  # noqa: E402

VALUES = ROOT / "benchmarks" / "data" / "phee_time_values.tsv"
KINDS = ("duration", "elapsed", "day")


@dataclass(frozen=True)
class Gold:
    sentence: str
    start: int
    end: int
    text: str
    role: str  # Time_elapsed or Duration


def gold_spans(path: Path) -> tuple[dict[str, str], list[Gold]]:
    texts: dict[str, str] = {}
    spans: list[Gold] = []
    seen: set[tuple[str, int, int]] = set()
    for line in path.open(encoding="utf-8"):
        record = json.loads(line)
        texts[record["id"]] = text = record["context"]
        for annotation in record["annotations"]:
            for event in annotation["events"]:
                treatment = event.get("Treatment", {})
                for role in ("Time_elapsed", "Duration"):
                    for parts, starts in zip(treatment.get(role, {}).get("text", []),
                                             treatment.get(role, {}).get("start", []),
                                             strict=True):  # fmt: skip
                        first = min(starts)
                        last = max(s + len(p) for p, s in zip(parts, starts, strict=True))
                        key = (record["id"], first, last)
                        if key not in seen:
                            seen.add(key)
                            spans.append(Gold(record["id"], first, last, text[first:last], role))
    return texts, spans


def match(
    gold: list[Gold], predicted: dict[str, list[TimeExpression]], strict: bool
) -> tuple[int, dict[int, TimeExpression]]:
    """True positives, and for each matched gold span (by index) its prediction."""
    used: set[tuple[str, int]] = set()
    matched: dict[int, TimeExpression] = {}
    for i, g in enumerate(gold):
        for p in predicted.get(g.sentence, []):
            key = (g.sentence, p.start)
            hit = (
                (p.start, p.end) == (g.start, g.end)
                if strict
                else p.start < g.end and g.start < p.end
            )
            if hit and key not in used:
                used.add(key)
                matched[i] = p
                break
    return len(matched), matched


def f1(tp: int, predicted: int, gold: int) -> str:
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"{p:.3f} | {r:.3f} | {f:.3f}"


def value_accuracy(gold: list[Gold], predicted: dict[str, list[TimeExpression]]) -> str:
    if not VALUES.exists():
        return "no hand-normalized sample"
    right = total = 0
    wrong: list[str] = []
    with VALUES.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            total += 1
            start, end = int(row["start"]), int(row["start"]) + len(row["text"])
            found = [p for p in predicted.get(row["id"], []) if p.start < end and start < p.end]
            want = row["value"]
            got = [_written(p) for p in found]
            if want in got:
                right += 1
            else:
                wrong.append(f"{row['text']!r}: want {want}, got {got or 'nothing'}")
    for line in wrong:
        print(f"  value miss: {line}")
    return f"{right} of {total} ({right / total:.3f})"


def _written(p: TimeExpression) -> str:
    if p.low is not None:
        return f"{p.low}/{p.high}"
    return p.value or "-"


def onset_pairs(path: Path) -> list[tuple[str, tuple[int, int], tuple[int, int], Gold]]:
    """Each Adverse_event with one drug, one effect and one Time_elapsed: the sentence, the
    drug and effect spans, and the gold time."""
    pairs = []
    for line in path.open(encoding="utf-8"):
        record = json.loads(line)
        for annotation in record["annotations"]:
            for event in annotation["events"]:
                treatment = event.get("Treatment", {})
                parts = [treatment.get("Drug"), event.get("Effect"), treatment.get("Time_elapsed")]
                if event["event_type"] != "Adverse_event" or not all(parts):
                    continue
                if any(len(p["start"]) != 1 or len(p["start"][0]) != 1 for p in parts):
                    continue
                drug, effect, elapsed = ((p["start"][0][0], p["text"][0][0]) for p in parts)
                pairs.append((record["id"], (drug[0], drug[0] + len(drug[1])),
                              (effect[0], effect[0] + len(effect[1])),
                              Gold(record["id"], elapsed[0], elapsed[0] + len(elapsed[1]),
                                   elapsed[1], "Time_elapsed")))  # fmt: skip
    return pairs


def onset_report(path: Path, texts: dict[str, str]) -> None:
    pairs = onset_pairs(path)
    right = found = 0
    for sentence, drug, effect, gold in pairs:
        chosen = time_to_onset(find_times(texts[sentence]), drug, effect)
        if chosen is None:
            continue
        found += 1
        right += chosen.start < gold.end and gold.start < chosen.end
    print(
        f"time to onset of gold (drug, event) pairs with one Time_elapsed: {len(pairs)} pairs, "
        f"a time given for {found} ({found / len(pairs):.3f}), the gold one (overlap) for "
        f"{right} ({right / len(pairs):.3f} of all, {right / max(found, 1):.3f} of given)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--examples", type=int, default=0)
    args = parser.parse_args()
    texts, gold = gold_spans(args.data / "phee" / "phee.jsonl")
    predicted = {i: [t for t in find_times(text) if t.kind in KINDS] for i, text in texts.items()}
    n_predicted = sum(len(p) for p in predicted.values())
    roles = Counter(g.role for g in gold)
    print(f"{len(texts)} sentences; gold {len(gold)} ({dict(roles)}); predicted {n_predicted}")
    print("| match | gold | predicted | TP | P | R | F1 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for strict in (True, False):
        tp, matched = match(gold, predicted, strict)
        name = "strict" if strict else "lenient"
        print(f"| {name} | {len(gold)} | {n_predicted} | {tp} | {f1(tp, n_predicted, len(gold))} |")
        for role in roles:
            found = sum(1 for i in matched if gold[i].role == role)
            print(f"|   {name} recall, {role} | {roles[role]} | | {found} | | "
                  f"{found / roles[role]:.3f} | |")  # fmt: skip
    print(f"values (hand-normalized sample): {value_accuracy(gold, predicted)}")
    onset_report(args.data / "phee" / "phee.jsonl", texts)
    if args.examples:
        _, matched = match(gold, predicted, False)
        missed = [g for i, g in enumerate(gold) if i not in matched][: args.examples]
        for g in missed:
            print(f"  missed {g.role}: {g.text!r} in {texts[g.sentence][:120]!r}")


if __name__ == "__main__":
    main()
