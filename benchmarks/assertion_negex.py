"""Assertion axes on the NegEx/ConText test set (Chapman et al.): negation, historical,
hypothetical and experiencer F1 of `pvkg assertion`, against a baseline rules file.

    .venv/bin/python benchmarks/assertion_negex.py rsAnnotations-1-120-random.txt \\
        [--baseline-rules OLD.json] [--work DIR] [--examples 10]

The test set is not in ../shared: it is `rsAnnotations-1-120-random.txt` of the NegEx
repository (github.com/chapmanbe/negex), one condition mention a line: line number,
condition, sentence, negation status (Affirmed / Negated / Possible), temporality (Recent /
Historical / Hypothetical or "Not particular"), experiencer (Patient / Other). Each line
becomes a note (the sentence) and a mention (the condition, found in the sentence case- and
whitespace-insensitively; lines whose condition is not in their sentence are counted and
left out). Both rule files run through `pvkg assertion`'s library function on the same
mentions.

Scores, one positive class each: negated (gold Negated), speculated (gold Possible),
historical (gold Historical), hypothetical (gold Hypothetical or Not particular), family
(gold experiencer Other), each against the axis of the same name; precision, recall, F1.
`--baseline-rules` defaults to the rules as they were before the axes (version 2,
`benchmarks/baselines/context_rules_v2.json`), the baseline of the issue (historical F1
0.52, negation 0.96).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pvkg.app.asserting import assert_mentions  # noqa: E402

# The ConText rules before the axes (version 2), as they were at commit a7dbd5c.
BASELINE_RULES = ROOT / "benchmarks" / "baselines" / "context_rules_v2.json"
TARGETS = {"historical": 0.75, "negated": 0.95}
BASELINE_REPORTED = {"historical": 0.52, "negated": 0.96}


@dataclass(frozen=True)
class Case:
    line: int
    sentence: str
    start: int
    end: int
    gold: dict[str, bool]


def gold_axes(negation: str, temporality: str, experiencer: str) -> dict[str, bool]:
    temporality = temporality.strip().lower()
    return {
        "negated": negation.strip().lower() == "negated",
        "speculated": negation.strip().lower() == "possible",
        "historical": temporality == "historical",
        "hypothetical": temporality in ("hypothetical", "not particular"),
        "family": experiencer.strip().lower() in ("other", "family member"),
    }


def find(condition: str, sentence: str) -> tuple[int, int] | None:
    words = condition.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    match = re.search(pattern, sentence, flags=re.IGNORECASE)
    return match.span() if match else None


def read_cases(path: Path) -> tuple[list[Case], int]:
    cases, missing = [], 0
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)
        for row in rows:
            if len(row) < 6:
                missing += 1
                continue
            number, condition, sentence, negation, temporality, experiencer = row[:6]
            span = find(condition, sentence)
            if span is None:
                missing += 1
                continue
            cases.append(Case(int(number), sentence, *span,
                              gold_axes(negation, temporality, experiencer)))  # fmt: skip
    return cases, missing


def predict(cases: list[Case], work: Path, rules: Path | None, name: str) -> list[dict[str, bool]]:
    notes, mentions, out = work / "notes.jsonl", work / "mentions.jsonl", work / f"{name}.jsonl"
    with notes.open("w", encoding="utf-8") as n, mentions.open("w", encoding="utf-8") as m:
        for c in cases:
            n.write(json.dumps({"id": f"L{c.line}", "text": c.sentence}) + "\n")
            span = {"text": c.sentence[c.start : c.end], "start": c.start, "end": c.end}
            m.write(json.dumps({"note_id": f"L{c.line}", "kind": "problem", "span": span}) + "\n")
    summary = assert_mentions([notes], mentions, out, rules=rules)
    if summary.mentions != len(cases):
        raise SystemExit(f"{name}: {summary.mentions} of {len(cases)} mentions asserted")
    return [json.loads(line)["context"] for line in out.read_text(encoding="utf-8").splitlines()]


def scores(cases: list[Case], predicted: list[dict[str, bool]], axis: str) -> dict[str, float]:
    tally = Counter((c.gold[axis], p[axis]) for c, p in zip(cases, predicted, strict=True))
    tp, fp, fn = tally[True, True], tally[False, True], tally[True, False]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"gold": tp + fn, "predicted": tp + fp, "P": precision, "R": recall, "F1": f1}


def show_errors(cases: list[Case], predicted: list[dict[str, bool]], axis: str, n: int) -> None:
    wrong = [(c, p) for c, p in zip(cases, predicted, strict=True) if c.gold[axis] != p[axis]]
    for kind, keep in (("FN", True), ("FP", False)):
        picked = [c for c, _ in wrong if c.gold[axis] == keep][:n]
        print(f"  {axis} {kind} ({sum(1 for c, _ in wrong if c.gold[axis] == keep)}):")
        for c in picked:
            mark = f"{c.sentence[: c.start]}[{c.sentence[c.start : c.end]}]{c.sentence[c.end :]}"
            print(f"    {c.line}: {' '.join(mark.split())[:200]}")


def table(cases: list[Case], runs: dict[str, list[dict[str, bool]]], title: str) -> None:
    print(f"\n{title}\n")
    print("| axis | gold + | rules | predicted + | P | R | F1 | F1 / baseline | target |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for axis in ("negated", "speculated", "historical", "hypothetical", "family"):
        base = scores(cases, runs["baseline"], axis)
        for name, predicted in runs.items():
            s = scores(cases, predicted, axis)
            ratio = f"{s['F1'] / base['F1']:.2f}" if base["F1"] else "n/a"
            target = f"≥ {TARGETS[axis]}" if axis in TARGETS and name == "pvkg" else ""
            print(f"| {axis} | {s['gold']} | {name} | {s['predicted']} | {s['P']:.3f} | "
                  f"{s['R']:.3f} | {s['F1']:.3f} | {ratio} | {target} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("test_set", type=Path)
    parser.add_argument("--baseline-rules", type=Path, default=None)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--examples", type=int, default=0)
    parser.add_argument("--held-out-after", type=int, default=None,
                        help="also score the lines after this one alone")  # fmt: skip
    args = parser.parse_args()
    cases, missing = read_cases(args.test_set)
    print(f"{len(cases)} mentions ({missing} lines left out: condition not in the sentence)")
    with tempfile.TemporaryDirectory() as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        runs = {
            "baseline": predict(cases, work, args.baseline_rules or BASELINE_RULES, "baseline"),
            "pvkg": predict(cases, work, None, "pvkg"),
        }  # fmt: skip
    table(cases, runs, "all lines")
    if args.held_out_after is not None:
        keep = [i for i, c in enumerate(cases) if c.line > args.held_out_after]
        table([cases[i] for i in keep],
              {name: [p[i] for i in keep] for name, p in runs.items()},
              f"lines after {args.held_out_after} ({len(keep)} mentions)")  # fmt: skip
    if args.examples:
        for axis in ("negated", "historical", "hypothetical"):
            show_errors(cases, runs["pvkg"], axis, args.examples)


if __name__ == "__main__":
    main()
