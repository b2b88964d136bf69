"""`pvkg run`: extract -> normalize -> load -> signals -> report and exports, streaming.

Notes flow through in batches: each batch is extracted, normalized, appended to the output
JSONL files and loaded into the store in one transaction, and only then are its note ids
added to the run's ledger. A re-run skips ledgered notes, so an interrupted run resumes
where it stopped; loads are idempotent, so a batch cut short by a crash is simply loaded
again. Memory holds one batch, never the whole corpus.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from extract.base import ExtractionResult, Extractor
from kg.causality_graph import rescore
from kg.load import load
from kg.options import SignalOptions, StoreOptions
from kg.store import GraphStore, open_store
from loaders.notes import NoteColumns, read_notes
from pvkg.app.normalizing import Normalizer, NormalizeSummary
from pvkg.app.tally import ExtractionTally
from pvkg.batching import chunked
from pvkg.errors import InputError
from pvkg.records import CaseReport, Note

if TYPE_CHECKING:
    from kg.disproportionality import Signal
    from kg.export import ExportFormat
    from kg.signal_table import SignalTable

LEDGER = "notes-done.txt"
TRIPLES = "triples.jsonl"
NORMALIZED = "normalized.jsonl"
DEFAULT_BATCH = 100
TOP = 10


@dataclass
class RunSummary(ExtractionTally):
    """Totals of a run; `skipped` notes were done by an earlier run."""

    skipped: int = 0
    bad_notes: int = 0
    linking: NormalizeSummary = field(default_factory=NormalizeSummary)
    nodes: int = 0
    rels: int = 0
    outputs: dict[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class RunOptions:
    notes: Path
    index: Path
    output: Path
    connection: StoreOptions = StoreOptions()
    batch_size: int = DEFAULT_BATCH
    columns: NoteColumns = NoteColumns()


class Ledger:
    """The ids of notes whose triples are loaded; appended and flushed per batch."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: set[str] = set()
        if path.exists():
            self.done = {line for line in path.read_text("utf-8").splitlines() if line}

    def add(self, ids: Iterable[str]) -> None:
        fresh = [i for i in ids if i not in self.done]
        with self.path.open("a", encoding="utf-8") as handle:
            handle.writelines(f"{i}\n" for i in fresh)
        self.done.update(fresh)


def run_pipeline(
    options: RunOptions,
    extractor: Extractor,
    *,
    on_error: Callable[[InputError], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> RunSummary:
    """Extract, normalize and load every note not done yet; see the module doc."""
    from normalize import open_index

    options.output.mkdir(parents=True, exist_ok=True)
    summary = RunSummary()
    ledger = Ledger(options.output / LEDGER)
    for name in (TRIPLES, NORMALIZED):
        _drop_unledgered(options.output / name, ledger)
    store = _open(options.connection)
    try:
        with open_index(options.index) as index, _outputs(options.output) as files:
            normalizer = Normalizer(index)
            for batch in chunked(_pending(options, ledger, summary, on_error), options.batch_size):
                _run_batch(batch, extractor, normalizer, store, files, summary)
                ledger.add(note.id for note in batch)
                if on_batch is not None:
                    on_batch(len(batch))
        rescore(store)
    finally:
        store.close()
    summary.outputs = {"triples": options.output / TRIPLES,
                       "normalized": options.output / NORMALIZED}  # fmt: skip
    return summary


def _drop_unledgered(path: Path, ledger: Ledger) -> None:
    """Remove lines a crashed run wrote for notes it never finished, so the re-run's lines
    for those notes are not duplicates."""
    if not path.exists():
        return
    kept = path.with_name(path.name + ".tmp")
    with path.open(encoding="utf-8") as source, kept.open("w", encoding="utf-8") as target:
        for line in source:
            if json.loads(line).get("note_id") in ledger.done:
                target.write(line)
    kept.replace(path)


def _pending(
    options: RunOptions,
    ledger: Ledger,
    summary: RunSummary,
    on_error: Callable[[InputError], None] | None,
) -> Iterator[Note]:
    def bad(error: InputError) -> None:
        summary.bad_notes += 1
        if on_error is not None:
            on_error(error)

    columns = options.columns
    for note in read_notes(options.notes, on_error=bad, id_field=columns.id_field,
                           text_field=columns.text_field):  # fmt: skip
        if note.id in ledger.done:
            summary.skipped += 1
        else:
            yield note


class _Files:
    def __init__(self, triples: TextIO, normalized: TextIO) -> None:
        self.triples = triples
        self.normalized = normalized

    def __enter__(self) -> _Files:
        return self

    def __exit__(self, *exc: object) -> None:
        self.triples.close()
        self.normalized.close()


def _outputs(directory: Path) -> _Files:
    return _Files(
        (directory / TRIPLES).open("a", encoding="utf-8"),
        (directory / NORMALIZED).open("a", encoding="utf-8"),
    )


def _run_batch(
    batch: list[Note],
    extractor: Extractor,
    normalizer: Normalizer,
    store: GraphStore,
    files: _Files,
    summary: RunSummary,
) -> None:
    results: list[ExtractionResult] = list(extractor.extract_many(batch))
    normalized = []
    for result in results:
        summary.add(result)
        for triple in result.triples:
            done = normalizer.normalize(triple)
            summary.linking.count(done)
            files.triples.write(triple.model_dump_json() + "\n")
            files.normalized.write(done.model_dump_json() + "\n")
            normalized.append(done)
    # Every note is a report, with or without triples: N counts them all.
    reports = [CaseReport(id=note.id, source="note") for note in batch]
    # Causality is rescored against the graph once, after the last batch (run_pipeline).
    loaded = load(store, [*reports, *normalized], batch_size=len(reports) + len(normalized) + 1,
                  rescore_causality=False)  # fmt: skip
    files.triples.flush()
    files.normalized.flush()
    summary.nodes += loaded.nodes
    summary.rels += loaded.rels


@dataclass(frozen=True)
class FinishOptions:
    """What to compute after loading: the signal table and report, and the exports."""

    signals: SignalOptions = SignalOptions()
    exports: tuple[ExportFormat, ...] = ("csv", "ttl")


@dataclass(frozen=True)
class FinishSummary:
    pairs: int
    signals: int
    outputs: dict[str, Path]
    top: tuple[Signal, ...] = ()


def finish_run(
    options: RunOptions,
    finish: FinishOptions = FinishOptions(),
    on_stage: Callable[[str], None] | None = None,
) -> FinishSummary:
    """Signals table, HTML report and exports of the store the run loaded."""
    from kg.counts import pair_table
    from kg.disproportionality import compute_signal_table
    from kg.export import export
    from pvkg.app.reporting import ReportOptions, write_report

    stage = on_stage or (lambda name: None)
    out = options.output
    outputs = {"signals": out / "signals.csv", "report": out / "report.html"}
    chosen = finish.signals
    store = _open(options.connection)
    try:
        stage("signals")
        pairs = pair_table(store, chosen.counting())
        signals = compute_signal_table(pairs, chosen.methods, chosen.min_count)
        signals.write_csv(outputs["signals"])
        stage("report")
        report_options = ReportOptions(signals=chosen)
        report = write_report(store, outputs["report"], report_options)
        for fmt in finish.exports:
            stage(f"export {fmt}")
            target = out / ("triples.csv" if fmt == "csv" else f"graph.{fmt}")
            export(store, fmt, target)
            outputs[f"export-{fmt}"] = target
    finally:
        store.close()
    return FinishSummary(pairs=len(signals), signals=report.signals, outputs=outputs,
                         top=tuple(_top(signals)))  # fmt: skip


def _open(connection: StoreOptions) -> GraphStore:
    return open_store(connection.store, user=connection.user, password=connection.password)


def _top(signals: SignalTable) -> list[Signal]:
    """The TOP signals by a, then PRR, drug and event. The table is sorted by a (largest
    first), so they are among its first rows whose a reaches the TOP-th largest: only those
    become objects."""
    counts = signals.columns["a"]
    candidates = int((counts >= counts[TOP - 1]).sum()) if len(counts) > TOP else None
    rows = signals.signals(candidates)
    return sorted(rows, key=lambda s: (-s.a, -(s.prr or 0.0), s.drug, s.event))[:TOP]
