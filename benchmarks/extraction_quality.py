"""Extraction quality: every available extractor on a fixed document-level split of ADE and PHEE.

    .venv/bin/python benchmarks/extraction_quality.py [--data ../shared/data] [--record]

The split is `pvkg.app.evaluation.split_documents` with its default seed and test fraction, by
PubMed id, so no abstract is on both sides. Everything an extractor is shown comes from the
training part only: the rule extractor's term list (`learn_terms` over the ADE and PHEE
training documents) and the LLM's few-shot examples (the ADE training documents, written
to a JSONL in a temporary directory). Rows:

1. rules on the whole ADE and PHEE test parts;
2. the packaged SmolLM2-135M (few-shot, CPU) on a fixed sample of the ADE test part: the
   first `--llm-with` test documents by note id that have a gold triple plus the first
   `--llm-without` that have none; one note is timed first, and the sample shrinks (same
   ratio) when the rest would not fit in `--llm-budget-s`. The rules are scored on the same
   sample, so the two compare on equal terms;
3. an OpenAI-compatible server, when PVKG_BENCH_LLM_URL and PVKG_BENCH_LLM_MODEL are set
   (PVKG_BENCH_LLM_ALLOW_REMOTE=1 for a server not on this machine), on the same sample.

Scores are `score_documents`' strict and lenient F1 per relation and entity type. Notes per
second is wall time of extraction only (model loading excluded and reported apart). The
hallucinated-span rate is what the LLM extractor drops because the quoted text is not in
the note, over what it returned; the rules only ever report spans of the note, so theirs is
0 by construction. `--record` appends the table to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from extract.base import ExtractionResult
from extract.llm import LLMExtractor, LLMOptions, build_llm_extractor
from extract.rules import RuleExtractor, learn_terms
from extract.scoring import DEFAULT_SEED, Evaluation, Split, score_documents, split_documents
from loaders import ade_corpus, phee
from pvkg.gold import GoldDocument
from pvkg.records import Note, Triple

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "## Extraction quality (ADE, PHEE)"
COLUMNS = (
    ("drug–ADE", "drug-adverse_event"),
    ("drug–dose", "drug-dose"),
    ("drug", "drug"),
    ("adverse event", "adverse_event"),
    ("dose", "dose"),
)
URL_ENV, MODEL_ENV, REMOTE_ENV = (
    "PVKG_BENCH_LLM_URL",
    "PVKG_BENCH_LLM_MODEL",
    "PVKG_BENCH_LLM_ALLOW_REMOTE",
)


@dataclass(frozen=True)
class Row:
    """One table row: an extractor on one document set, scored, or why it was not run."""

    extractor: str
    data: str
    evaluation: Evaluation | None = None
    notes_per_s: float | None = None
    hallucinated: str = ""
    note: str = ""


@dataclass(frozen=True)
class Run:
    triples: list[Triple]
    seconds: float
    returned: int
    dropped: int
    done: int


def run_extractor(
    extract: Callable[[Note], ExtractionResult],
    documents: Sequence[GoldDocument],
    deadline: float = float("inf"),
) -> Run:
    """Extract every document, or those begun before `deadline` (seconds from the start)."""
    triples: list[Triple] = []
    returned = dropped = done = 0
    started = time.perf_counter()
    for document in documents:
        if time.perf_counter() - started > deadline:
            break
        done += 1
        result = extract(document.note)
        triples.extend(result.triples)
        returned += result.returned_spans
        dropped += result.dropped_spans
    return Run(triples, time.perf_counter() - started, returned, dropped, done)


def scored(
    extractor: str, data: str, documents: Sequence[GoldDocument], run: Run, hallucinated: str
) -> Row:
    return Row(
        extractor=extractor,
        data=data,
        evaluation=score_documents(documents, run.triples),
        notes_per_s=len(documents) / run.seconds if run.seconds else None,
        hallucinated=hallucinated,
    )


def llm_rate(run: Run) -> str:
    if not run.returned:
        return "n/a (0 spans returned)"
    return f"{run.dropped / run.returned:.1%} ({run.dropped}/{run.returned})"


def sample(test: Sequence[GoldDocument], with_triples: int, without: int) -> list[GoldDocument]:
    """The first `with_triples` test documents by id with a gold triple, then `without`
    without one: fixed by the split alone."""
    ordered = sorted(test, key=lambda d: d.note.id)
    positive = [d for d in ordered if d.triples][:with_triples]
    negative = [d for d in ordered if not d.triples][:without]
    return sorted([*positive, *negative], key=lambda d: d.note.id)


def write_examples(documents: Sequence[GoldDocument], folder: Path) -> Path:
    path = folder / "examples.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for document in documents:
            handle.write(document.model_dump_json() + "\n")
    return path


def smollm2_rows(
    args: argparse.Namespace, train: Sequence[GoldDocument], test: Sequence[GoldDocument]
) -> tuple[list[GoldDocument], list[Row], list[str]]:
    """SmolLM2 on the sample (shrunk to fit the budget); the sample and its rows and notes."""
    chosen = sample(test, args.llm_with, args.llm_without)
    try:
        import torch
    except ImportError as exc:
        return (
            chosen,
            [
                Row(
                    "LLM few-shot, SmolLM2-135M (CPU)",
                    "ADE test sample",
                    note=f"not run: {exc.name} is missing (pip install 'pvkg[hf]')",
                )
            ],
            [],
        )
    torch.set_num_threads(args.torch_threads)
    with tempfile.TemporaryDirectory() as tmp:
        options = LLMOptions(
            model="smollm2",
            prompt="few-shot",
            examples=write_examples(train, Path(tmp)),
            examples_k=2,
            concurrency=1,
            max_tokens=args.llm_max_tokens,
            use_cache=False,
        )
        started = time.perf_counter()
        try:
            extractor = build_llm_extractor(options, device="cpu")
        except Exception as exc:  # the row says why
            name = "LLM few-shot, SmolLM2-135M (CPU)"
            return chosen, [Row(name, "ADE test sample", note=f"not run: {exc}")], []
        load = time.perf_counter() - started
        first = run_extractor(extractor.extract, chosen[:1])
        fit = max(1, int(args.llm_budget_s / max(first.seconds, 1e-3)))
        notes = [
            f"SmolLM2: model load {load:.0f} s; first sample note {first.seconds:.1f} s; "
            f"{torch.get_num_threads()} torch thread(s), max_tokens {args.llm_max_tokens}"
        ]
        if fit < len(chosen):
            total = args.llm_with + args.llm_without
            with_triples = max(1, round(fit * args.llm_with / total))
            chosen = sample(test, with_triples, max(0, fit - with_triples))
            notes.append(
                f"sample shrunk from {total} to {len(chosen)} notes to fit the "
                f"{args.llm_budget_s:.0f} s budget"
            )
        # The timed note is extracted again with the rest (no cache): simple and fair.
        run = run_extractor(extractor.extract, chosen, 1.5 * args.llm_budget_s)
        if run.done < len(chosen):
            notes.append(
                f"stopped at 1.5x the budget: scored on the {run.done} of {len(chosen)} "
                "sample notes done"
            )
            chosen = chosen[: run.done]
        stats = extractor.stats
        extractor.close()
    notes.append(
        f"SmolLM2: {len(chosen)} sample notes in {run.seconds:.0f} s "
        f"({run.seconds / max(len(chosen), 1):.1f} s a note), "
        f"{stats.requests} requests, {stats.repairs} repairs, "
        f"{stats.failed_replies} failed replies, {stats.prompt_tokens:,} prompt and "
        f"{stats.completion_tokens:,} completion tokens"
    )
    row = scored(
        "LLM few-shot k=2, SmolLM2-135M (CPU)", "ADE test sample", chosen, run, llm_rate(run)
    )
    return chosen, [row], notes


def server_row(
    args: argparse.Namespace, train: Sequence[GoldDocument], chosen: Sequence[GoldDocument]
) -> tuple[Row, list[str]]:
    url, model = os.environ.get(URL_ENV), os.environ.get(MODEL_ENV)
    name = "LLM few-shot k=2, OpenAI-compatible server"
    if not url or not model:
        return Row(name, "ADE test sample", note=f"not run: no server given ({URL_ENV})"), []
    with tempfile.TemporaryDirectory() as tmp:
        options = LLMOptions(
            llm_url=url,
            model=model,
            allow_remote=os.environ.get(REMOTE_ENV) == "1",
            prompt="few-shot",
            examples=write_examples(train, Path(tmp)),
            examples_k=2,
            concurrency=1,
            use_cache=False,
        )
        try:
            extractor: LLMExtractor = build_llm_extractor(options)
            run = run_extractor(extractor.extract, chosen)
            extractor.close()
        except Exception as exc:  # the row says why
            return Row(f"{name} ({model})", "ADE test sample", note=f"failed: {exc}"), []
    note = f"server {model}: {extractor.stats.requests} requests, {extractor.stats.repairs} repairs"
    return scored(f"{name} ({model})", "ADE test sample", chosen, run, llm_rate(run)), [note]


def cell(evaluation: Evaluation, kind: str) -> str:
    strict, lenient = evaluation.strict.types[kind], evaluation.lenient.types[kind]
    if not strict.gold and not strict.predicted:
        return "– (none)"
    return f"{strict.f1:.3f} / {lenient.f1:.3f}"


def _rate(value: float | None) -> str:
    if not value:
        return "–"
    return f"{value:,.1f}" if value >= 10 else f"{value:.3f}"


def table(rows: Sequence[Row]) -> list[str]:
    head = [
        "extractor",
        "data",
        *(f"{label} F1 s / l" for label, _ in COLUMNS),
        "notes/s",
        "hallucinated spans",
    ]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(["---"] * len(head)) + " |"]
    for row in rows:
        if row.evaluation is None:
            cells = [row.extractor, row.data, *([row.note] + [""] * (len(head) - 3))]
        else:
            rate = _rate(row.notes_per_s)
            cells = [
                row.extractor,
                row.data,
                *(cell(row.evaluation, k) for _, k in COLUMNS),
                rate,
                row.hallucinated,
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def anchors() -> list[str]:
    return [
        "| SpERT (Eberts & Ulges 2020), fine-tuned | full ADE corpus, own 10-fold CV | "
        "0.792 (79.2, strict) | | | | | | |",
        "| table-sequence (Wang & Lu 2020), fine-tuned | full ADE corpus, own 10-fold CV | "
        "0.801 (80.1, strict) | | | | | | |",
        "| REBEL (Huguet Cabot & Navigli 2021), fine-tuned | full ADE corpus, own split | "
        "0.822 (82.2, strict) | | | | | | |",
        "| GPT-4 few-shot (as reported in the literature) | full ADE corpus | well below the "
        "fine-tuned models | | | | | | |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--llm-with", type=int, default=25)
    parser.add_argument("--llm-without", type=int, default=5)
    parser.add_argument("--llm-max-tokens", type=int, default=256)
    parser.add_argument("--llm-budget-s", type=float, default=600.0)
    parser.add_argument("--torch-threads", type=int, default=1)
    parser.add_argument("--skip-smollm2", action="store_true")
    parser.add_argument("--record", action="store_true", help="append to RESULTS.md")
    args = parser.parse_args()
    started, load_start = time.perf_counter(), os.getloadavg()[0]

    ade = split_documents(ade_corpus.iter_documents(args.data / "ade_corpus_v2"))
    phe = split_documents(phee.iter_documents(args.data / "phee" / "phee.jsonl"))
    terms = learn_terms([*ade.train, *phe.train])
    rules = RuleExtractor(terms)
    rows: list[Row] = []
    for data, split in (("ADE test", ade), ("PHEE test", phe)):
        run = run_extractor(rules.extract, split.test)
        rows.append(
            scored(
                "rules (terms from train)",
                f"{data} ({len(split.test):,} docs)",
                split.test,
                run,
                "0 (by construction)",
            )
        )
        print(*table(rows[-1:])[2:], flush=True)

    notes: list[str] = []
    if args.skip_smollm2:
        chosen = sample(ade.test, args.llm_with, args.llm_without)
        llm_rows = [
            Row(
                "LLM few-shot k=2, SmolLM2-135M (CPU)",
                "ADE test sample",
                note="not run: --skip-smollm2",
            )
        ]
    else:
        chosen, llm_rows, notes = smollm2_rows(args, ade.train, ade.test)
    with_triples = sum(1 for d in chosen if d.triples)
    label = (
        f"ADE test sample, {len(chosen)} docs ({with_triples} with triples + "
        f"{len(chosen) - with_triples} without)"
    )
    rule_run = run_extractor(rules.extract, chosen)
    rows.append(scored("rules (terms from train)", label, chosen, rule_run, "0 (by construction)"))
    server, server_notes = server_row(args, ade.train, chosen)
    for row in (*llm_rows, server):
        rows.append(
            Row(
                row.extractor,
                label if row.evaluation else row.data,
                row.evaluation,
                row.notes_per_s,
                row.hallucinated,
                row.note,
            )
        )
    notes.extend(server_notes)

    elapsed = time.perf_counter() - started
    lines = [*table(rows), *anchors()]
    print("\n".join(lines))
    print("\n".join(notes))
    print(
        f"{len(terms):,} terms; {elapsed:.0f} s in all; load {load_start:.1f} -> "
        f"{os.getloadavg()[0]:.1f}"
    )
    if args.record:
        record(lines, notes, ade, phe, len(terms), elapsed, load_start)


def record(
    lines: list[str],
    notes: list[str],
    ade: Split,
    phe: Split,
    terms: int,
    elapsed: float,
    load_start: float,
) -> None:
    today = datetime.date.today().isoformat()
    machine = (
        f"{platform.machine()} with {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {load_start:.1f} at the start and {os.getloadavg()[0]:.1f} at the end "
        "(shared with a CI run)"
    )
    text = [
        "",
        SECTION,
        "",
        f"`.venv/bin/python benchmarks/extraction_quality.py {' '.join(sys.argv[1:])}` on "
        f"{today}, {machine}; {elapsed:.0f} s in all.",
        "",
        f"Split: `split_documents` (seed {DEFAULT_SEED}, test fraction 0.3, by PubMed id). ADE "
        f"(Gurulingappa et al. 2012): {len(ade.train):,} train / {len(ade.test):,} test sentences; "
        f"PHEE (Sun et al. 2022): {len(phe.train):,} train / {len(phe.test):,} test sentences. "
        f"Rules: {terms:,} terms learned from the ADE and PHEE training parts only. LLM: "
        "few-shot examples (k=2, TF-IDF nearest) from the ADE training part only. Cells are "
        "strict / lenient F1 from `score_documents`; entity F1 counts the spans of predicted "
        "triples. Notes/s is extraction wall time only. Hallucinated spans: LLM spans dropped "
        "because the quoted text is not in the note / spans returned; the rules only report "
        "spans of the note, so 0 by construction.",
        "",
        *lines,
        "",
        *(f"- {note}" for note in notes),
        "- Anchors are published drug–ADE relation F1 on the full ADE corpus with their own "
        "splits (and averaging); ours are on the ~70% development subset shipped in "
        "shared/data with our split, and on a small sample for the LLM rows, so they are "
        "context, not a like-for-like comparison.",
        "",
    ]
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(text))


if __name__ == "__main__":
    main()
