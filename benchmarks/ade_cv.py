"""ADE cross-validation: the fine-tuned encoder under the published anchors' protocol.

    flock /tmp/pvkg-bench.lock .venv/bin/python benchmarks/ade_cv.py --protocol anchor \\
        --folds 10 --fold 1 --results ade_cv.jsonl [--base-model all-mpnet-base-v2] \\
        [--epochs N] [--max-minutes 55] [--threads 2] [--device cpu] [--precision auto]
    .venv/bin/python benchmarks/ade_cv.py --protocol fixed [--sentences all] --results FILE
    .venv/bin/python benchmarks/ade_cv.py --summarize ade_cv.jsonl
    .venv/bin/python benchmarks/ade_cv.py --smoke

Protocols:

- anchor: the published drug–ADE strict F1 (SpERT 79.2, TANL 80.6, REBEL 82.2) is on the
  sentences with at least one drug–AE relation, in 10-fold cross-validation. Ours takes the
  same sentences of the shared ADE corpus (a ~70% subset, so context, not like-for-like)
  and deals its PubMed ids, shuffled with `--seed`, round-robin into `--folds` folds: no
  PMID is in two folds. `--fold K` (1-based) runs fold K alone, so folds can run one at a
  time; without it every fold runs in turn.
- fixed: the fixed PMID-level split of the other benchmarks (`split_documents`, seed
  20240501, 30% test), on the positive sentences or, with `--sentences all`, on every
  sentence including the ADE-NEG negatives.

Per fold: finetune_encoder.py's `train` (pvkg's TrainOptions and train_model; validation is
split off the training side by document), `load_finetuned`, extraction of the held-out
side, and `score_documents`' strict and lenient drug–ADE and drug–dose micro P/R/F1, beside
the rules with terms learned from the same training documents. Training takes the PHEE
sentences of every abstract off the test side as well (multi-task: doses, routes,
frequencies, durations; `--no-phee` leaves them out); the ADE corpus comes first, so its
adverse-event extents are the ones learned (see extract/finetune/encoder/extents.py).
Then: recall by how often each gold ADE's lower-cased text is annotated on the training
side (0 = unseen, 1–2, 3–10, >10); P/R/F1 with the predicted triples filtered by
`confidence` at 0.5 (the model's own threshold) … 0.95, no retraining; the figure against
SpERT's 0.792, the target 0.70 and the rules' 0.285 of RESULTS.md. Each fold's record is
appended as a JSON line to `--results`; `--summarize FILE` prints the mean ± sd of the
strict drug–ADE F1 over the folds recorded. `--smoke`: 40 documents (one sentence each of
40 PubMed ids), 1 epoch, at most 2 minutes.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import statistics
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extraction_quality import Row, Run, llm_rate, run_extractor, scored, table
from finetune_encoder import RULES, add_train_arguments, extract_all, model_label, train
from span_quality import describe

from extract.finetune import ModelCard, load_finetuned
from extract.rules import RuleExtractor, learn_terms
from extract.scoring import DEFAULT_SEED, Evaluation, score_documents, split_documents
from extract.scoring.split import split_group
from loaders import ade_corpus, phee
from pvkg.gold import GoldDocument, make_document
from pvkg.records import Triple

ROOT = Path(__file__).resolve().parent.parent
ADE, DOSE = "drug-adverse_event", "drug-dose"
ANCHORS = (("SpERT", 0.792), ("TANL", 0.806), ("REBEL", 0.822))
BASELINES = (
    ("SpERT (published, 10-fold CV)", 0.792),
    ("target", 0.70),
    ("rules (RESULTS.md: fixed split, all sentences)", 0.285),
)
# (label, fewest, most) training occurrences of the ADE's lower-cased text.
BANDS = (("0 (unseen)", 0, 0), ("1–2", 1, 2), ("3–10", 3, 10), (">10", 11, None))
RECALLS = ("strict_recall", "lenient_recall", "ade_mention_recall")
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)  # 0.5: the pair classifier's own decision threshold
NONE_MADE_UP = "0 (by construction)"  # the rules only report spans of the note
SMOKE_DOCUMENTS, SMOKE_EPOCHS, SMOKE_MINUTES = 40, 1, 2.0


@dataclass(frozen=True)
class Fold:
    """One train/test partition: fold `index` of `folds`, or the fixed split (None)."""

    index: int | None
    folds: int | None
    train: tuple[GoldDocument, ...]
    test: tuple[GoldDocument, ...]

    @property
    def label(self) -> str:
        return "fixed 30% split" if self.index is None else f"fold {self.index} of {self.folds}"


def has_relation(document: GoldDocument) -> bool:
    return any(t.adverse_event is not None for t in document.triples)


def corpus(args: argparse.Namespace) -> list[GoldDocument]:
    """The ADE sentences the protocol uses: positive only, or all; a sample for smoke."""
    documents = list(ade_corpus.iter_documents(args.data / "ade_corpus_v2"))
    if args.sentences == "positive":
        documents = [d for d in documents if has_relation(d)]
    return smoke_sample(documents, args.seed) if args.smoke else documents


def smoke_sample(documents: Sequence[GoldDocument], seed: int) -> list[GoldDocument]:
    """The first sentence of 40 PubMed ids picked with `seed`: 40 groups, so that a fold's
    training side still has groups to split validation off (the first 40 sentences of the
    corpus come from a handful of abstracts)."""
    first: dict[str, GoldDocument] = {}
    for document in documents:
        first.setdefault(split_group(document), document)
    groups = sorted(first)
    random.Random(seed).shuffle(groups)  # noqa: S311
    return [first[group] for group in groups[:SMOKE_DOCUMENTS]]


def cv_folds(documents: Sequence[GoldDocument], k: int, seed: int) -> list[list[GoldDocument]]:
    """`k` folds of whole PubMed ids: the ids shuffled with `seed`, dealt round-robin."""
    groups = sorted({split_group(d) for d in documents})
    random.Random(seed).shuffle(groups)  # noqa: S311
    fold_of = {group: n % k for n, group in enumerate(groups)}
    folds: list[list[GoldDocument]] = [[] for _ in range(k)]
    for document in documents:
        folds[fold_of[split_group(document)]].append(document)
    return folds


def plan(args: argparse.Namespace, documents: Sequence[GoldDocument]) -> Iterator[Fold]:
    if args.protocol == "fixed":
        split = split_documents(documents, 0.3, DEFAULT_SEED)
        yield Fold(None, None, split.train, split.test)
        return
    folds = cv_folds(documents, args.folds, args.seed)
    chosen = [args.fold] if args.fold is not None else range(1, args.folds + 1)
    for index in chosen:
        rest = [d for n, fold in enumerate(folds, start=1) if n != index for d in fold]
        yield Fold(index, args.folds, tuple(rest), tuple(folds[index - 1]))


def normalized(text: str) -> str:
    return " ".join(text.lower().split())


def ade_counts(documents: Sequence[GoldDocument]) -> Counter[str]:
    """How often each lower-cased ADE text is annotated (each mention once)."""
    counts: Counter[str] = Counter()
    for document in documents:
        events = [t.adverse_event for t in document.triples if t.adverse_event is not None]
        counts.update(normalized(text) for _, _, text in {(e.start, e.end, e.text) for e in events})
    return counts


def band_of(count: int) -> str:
    return next(
        label for label, low, high in BANDS if low <= count and (high is None or count <= high)
    )


def band_recall(
    test: Sequence[GoldDocument], triples: Sequence[Triple], counts: Counter[str]
) -> list[dict[str, Any]]:
    """Recall of the gold drug–ADE relations (and ADE mentions) in each frequency band:
    the gold cut down to the band's triples, scored against every prediction; None for a
    band without gold."""
    rows = []
    for label, _, _ in BANDS:
        gold = [
            make_document(d.note, [t for t in d.triples if _in_band(t, label, counts)])
            for d in test
        ]
        evaluation = score_documents(gold, triples)
        strict, lenient = evaluation.strict.types, evaluation.lenient.types
        values = (strict[ADE].recall, lenient[ADE].recall, strict["adverse_event"].recall)
        empty = strict[ADE].gold == 0
        recalls = {k: None if empty else v for k, v in zip(RECALLS, values, strict=True)}
        rows.append({"band": label, "gold": strict[ADE].gold, **recalls})
    return rows


def _in_band(triple: Triple, label: str, counts: Counter[str]) -> bool:
    event = triple.adverse_event
    return event is not None and band_of(counts[normalized(event.text)]) == label


def threshold_sweep(
    test: Sequence[GoldDocument], triples: Sequence[Triple]
) -> list[dict[str, Any]]:
    """Drug–ADE scores keeping only the triples with at least each confidence."""
    rows = []
    for threshold in THRESHOLDS:
        kept = [t for t in triples if t.confidence >= threshold]
        evaluation = score_documents(test, kept)
        strict = evaluation.strict.types[ADE]
        rows.append(
            {
                "threshold": threshold,
                "triples": len(kept),
                "precision": strict.precision,
                "recall": strict.recall,
                "f1": strict.f1,
                "lenient_f1": evaluation.lenient.types[ADE].f1,
            }
        )
    return rows


def relation_scores(evaluation: Evaluation | None) -> dict[str, Any]:
    if evaluation is None:
        return {}
    return {
        mode: {kind: getattr(evaluation, mode).types[kind].model_dump() for kind in (ADE, DOSE)}
        for mode in ("strict", "lenient")
    }


def phee_side(fold: Fold, phee_documents: Sequence[GoldDocument]) -> list[GoldDocument]:
    """The PHEE sentences of abstracts not in the fold's test side: PHEE annotates the same
    case reports, so its sentences of a test abstract would leak the test into training."""
    held_out = {split_group(d) for d in fold.test}
    return [d for d in phee_documents if split_group(d) not in held_out]


def run_fold(
    fold: Fold, args: argparse.Namespace, phee_documents: Sequence[GoldDocument]
) -> dict[str, Any]:
    """Train on the fold's training side, score on its test side, print and return it all."""
    side = phee_side(fold, phee_documents)
    extra = side if args.with_phee else []
    print(
        f"\n{fold.label}: {len(fold.train):,} ADE + {len(extra):,} PHEE train / "
        f"{len(fold.test):,} test",
        flush=True,
    )
    sources = [
        f"ade_corpus_v2 {fold.label}",
        *(["phee (abstracts off the test side)"] * bool(extra)),
    ]
    with tempfile.TemporaryDirectory(prefix="pvkg-ade-cv-") as tmp:
        card = train([*fold.train, *extra], Path(tmp) / "model", args, sources)
        run = extract_all(load_finetuned(Path(tmp) / "model", device=args.device), fold.test)
    rules = RuleExtractor(learn_terms([*fold.train, *side]))
    data = f"ADE {fold.label} ({len(fold.test):,} docs)"
    rows = [
        scored(RULES, data, fold.test, run_extractor(rules.extract, fold.test), NONE_MADE_UP),
        scored(model_label(card, args.device), data, fold.test, run, llm_rate(run)),
    ]
    record = _record(fold, args, card, rows, run)
    _print(rows, record)
    return record


def _record(
    fold: Fold,
    args: argparse.Namespace,
    card: ModelCard,
    rows: Sequence[Row],
    run: Run,
) -> dict[str, Any]:
    return {
        "benchmark": "ade_cv",
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "protocol": args.protocol,
        "sentences": args.sentences,
        "folds": fold.folds,
        "fold": fold.index,
        "seed": args.seed,
        "smoke": args.smoke,
        "base_model": card.base_model,
        "epochs": args.epochs,
        "max_minutes": args.max_minutes,
        "train_documents": len(fold.train),
        "with_phee": args.with_phee,
        "test_documents": len(fold.test),
        "test_pmids": len({split_group(d) for d in fold.test}),
        "fine_tuned": relation_scores(rows[1].evaluation),
        "rules": relation_scores(rows[0].evaluation),
        "bands": band_recall(fold.test, run.triples, ade_counts(fold.train)),
        "thresholds": threshold_sweep(fold.test, run.triples),
        "lowest_confidence": min((t.confidence for t in run.triples), default=None),
        "span_quality": describe(fold.test, run.triples),
        "training": {
            "best_epoch": card.best_epoch,
            "epochs_run": len(card.history),
            "stopped": card.stopped,
            "seconds": card.seconds,
            "hardware": card.hardware,
            "hyperparameters": card.hyperparameters,
        },
        "extract_seconds": round(run.seconds, 1),
        "command": " ".join(["benchmarks/ade_cv.py", *sys.argv[1:]]),
    }


def _print(rows: Sequence[Row], record: dict[str, Any]) -> None:
    print("\n".join(table(rows)))
    print("\n| ADE seen in training | gold drug–ADE | strict R | lenient R | ADE mention R |")
    print("| --- | --- | --- | --- | --- |")
    for band in record["bands"]:
        recalls = (band[k] for k in RECALLS)
        print(f"| {band['band']} | {band['gold']:,} | " + " | ".join(map(_ratio, recalls)) + " |")
    print("\n| confidence ≥ | triples | strict P | strict R | strict F1 | lenient F1 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in record["thresholds"]:
        print(
            f"| {row['threshold']:.1f} | {row['triples']:,} | {row['precision']:.3f} | "
            f"{row['recall']:.3f} | {row['f1']:.3f} | {row['lenient_f1']:.3f} |"
        )
    print(f"lowest predicted confidence: {_ratio(record['lowest_confidence'])}")
    print(record["span_quality"])
    print("\n".join(baselines(record["fine_tuned"]["strict"][ADE]["f1"])))


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def baselines(f1: float) -> list[str]:
    return [f"strict drug–ADE F1 {f1:.3f}"] + [
        f"  / {name} {value:.3f}: {f1 / value:.2f}" for name, value in BASELINES
    ]


def append(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")


# What makes records folds of one run (besides the fold): the protocol and training settings.
RUN_KEYS = (
    "protocol",
    "sentences",
    "folds",
    "seed",
    "base_model",
    "epochs",
    "max_minutes",
    "smoke",
)
SUMMARY = (
    ("fine-tuned", "fine_tuned", "strict", ADE),
    ("fine-tuned", "fine_tuned", "lenient", ADE),
    ("fine-tuned", "fine_tuned", "strict", DOSE),
    ("rules, same folds", "rules", "strict", ADE),
)


def summarize(path: Path) -> None:
    """Mean ± sample sd of each run's micro F1 over its folds (a fold's last record)."""
    runs: dict[tuple[Any, ...], dict[Any, dict[str, Any]]] = defaultdict(dict)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            runs[tuple(record.get(key) for key in RUN_KEYS)][record["fold"]] = record
    for key, by_fold in runs.items():
        run = dict(zip(RUN_KEYS, key, strict=True))
        done = [by_fold[fold] for fold in sorted(by_fold, key=lambda fold: fold or 0)]
        folds = ", ".join(str(r["fold"]) for r in done)
        print(
            f"{run['protocol']} ({run['sentences']} sentences, {run['base_model']}, seed "
            f"{run['seed']}, epochs {run['epochs']}, max minutes {run['max_minutes']}"
            f"{', smoke' if run['smoke'] else ''}): "
            + (f"folds {folds} of {run['folds']}" if run["folds"] else "the fixed split")
        )
        for label, side, mode, kind in SUMMARY:
            values = [r[side][mode][kind]["f1"] for r in done]
            print(f"  {label}: {mode} {kind} micro F1 {_mean_sd(values)}")
        mean = statistics.fmean(r["fine_tuned"]["strict"][ADE]["f1"] for r in done)
        print("\n".join("  " + line for line in baselines(mean)[1:]))
        print("  anchors: " + ", ".join(f"{name} {value:.3f}" for name, value in ANCHORS))


def _mean_sd(values: Sequence[float]) -> str:
    mean = f"{statistics.fmean(values):.3f}"
    if len(values) < 2:
        return mean
    return f"{mean} ± {statistics.stdev(values):.3f} (n={len(values)})"


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--protocol", choices=("anchor", "fixed"), default="anchor")
    parser.add_argument("--sentences", choices=("positive", "all"), default="positive")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--fold", type=int, default=None, help="run only fold K (1-based)")
    parser.add_argument(
        "--results", type=Path, default=Path(tempfile.gettempdir()) / "ade_cv.jsonl"
    )
    parser.add_argument("--summarize", type=Path, default=None, metavar="FILE")
    parser.add_argument("--smoke", action="store_true", help="40 documents, 1 epoch, 2 min")
    parser.add_argument(
        "--no-phee",
        dest="with_phee",
        action="store_false",
        help="train on the ADE side alone (default: with PHEE sentences off the test side)",
    )
    add_train_arguments(parser, max_minutes=55.0)
    args = parser.parse_args(argv)
    if args.folds < 2:
        parser.error("--folds must be at least 2")
    if args.fold is not None and not 1 <= args.fold <= args.folds:
        parser.error(f"--fold must be between 1 and {args.folds}")
    if args.smoke:
        args.epochs, args.max_minutes = SMOKE_EPOCHS, SMOKE_MINUTES
        args.fold = 1 if args.fold is None and args.protocol == "anchor" else args.fold
    return args


def main() -> None:
    args = parse()
    if args.summarize is not None:
        if not args.summarize.is_file():
            sys.exit(f"no results file {args.summarize}")
        summarize(args.summarize)
        return
    documents = corpus(args)
    phee_documents = list(phee.iter_documents(args.data / "phee" / "phee.jsonl"))
    if args.smoke:
        phee_documents = phee_documents[:SMOKE_DOCUMENTS]
    print(f"{len(documents):,} ADE sentences ({args.sentences}); protocol {args.protocol}")
    for fold in plan(args, documents):
        append(args.results, run_fold(fold, args, phee_documents))
        print(f"appended to {args.results}", flush=True)


if __name__ == "__main__":
    main()
