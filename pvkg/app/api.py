"""The Python API: one function per CLI command, same names and options.

import pvkg
pvkg.build_index("umls/META", "index")
pvkg.run(["notes/"], index="index", output="out")
for signal in pvkg.signals(min_count=3)[:10]:
    print(signal.drug, signal.event, signal.a, signal.prr, signal.eb05)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, get_args, get_origin, get_type_hints

from pvkg.config import DEFAULT_STORE
from pvkg.errors import ConfigError
from pvkg.stages import check_stage_packages

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from extract.finetune import ModelCard
    from extract.options import ExtractOptions
    from kg.disproportionality import Signal
    from kg.load import LoadSummary
    from kg.options import SignalOptions, StoreOptions
    from loaders.notes import NoteColumns
    from normalize import BuildOptions, LinkResult, Manifest
    from pvkg.app.extracting import ExtractSummary
    from pvkg.app.loading import LoadFormat
    from pvkg.app.normalizing import NormalizeSummary
    from pvkg.app.pipeline import FinishSummary, RunSummary
    from pvkg.app.reporting import ReportOptions, ReportSummary
    from pvkg.spark import EngineOptions

# The API's start-up: before any stage is imported by a call below.
check_stage_packages()

StorePath = str | Path
R = TypeVar("R", bound="DataclassInstance")


def build_index(
    rrf_dir: str | Path, output: str | Path, options: BuildOptions | None = None
) -> Manifest:
    """`pvkg terminology build`: index a UMLS or RxNorm release for linking (`options`:
    which atoms, how many malformed lines, progress bars; the command's flags)."""
    from normalize import build_index as build

    return build(Path(rrf_dir), Path(output), options)


def link(index: str | Path, text: str, kind: str = "drug") -> LinkResult:
    """`pvkg terminology link`: the best concept for one mention (`drug`/`adverse_event`)."""
    from normalize import KINDS, open_index

    chosen = next((known for known in KINDS if known == kind), None)
    if chosen is None:
        raise ConfigError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    with open_index(Path(index)) as opened:
        return opened.link(text, chosen)


def extract(
    notes: str | Path,
    output: str | Path,
    options: ExtractOptions | None = None,
    *,
    columns: NoteColumns | None = None,
    **changes: Any,
) -> ExtractSummary:
    """`pvkg extract`: triples of every note to a JSONL file. `options` (or its fields as
    keyword arguments: extractor, terms, terminology, model_path, llm, ...) and `columns`
    (the note id and text fields of a JSONL or CSV) are the command's flags."""
    from extract.factory import build_extractor
    from extract.options import ExtractOptions
    from loaders.notes import NoteColumns
    from pvkg.app.extracting import extract_notes

    chosen = build_extractor(_options(ExtractOptions, options, changes))
    return extract_notes(notes, output, chosen, columns=columns or NoteColumns())


def train(
    gold: str | Path | Sequence[str | Path],
    output: str | Path,
    *,
    kind: str = "encoder",
    base_model: str | Path | None = None,
    test_fraction: float = 0.0,
    **options: Any,
) -> ModelCard:
    """`pvkg train`: fine-tune an `encoder` or a `lora` adapter on gold annotations; other
    keyword arguments are `extract.finetune.TrainOptions` fields (epochs, seed, ...)."""
    from extract.finetune import TrainOptions
    from pvkg.app.training import train as train_on

    paths = [gold] if isinstance(gold, str | Path) else list(gold)
    chosen = TrainOptions(
        kind=kind,  # type: ignore[arg-type]  # TrainOptions checks the choice
        output=Path(output),
        base_model=base_model,  # a str may name a packaged model
        **options,
    )
    return train_on([Path(p) for p in paths], chosen, test_fraction=test_fraction)


def normalize(triples: str | Path, index: str | Path, output: str | Path) -> NormalizeSummary:
    """`pvkg normalize`: link a triples file's mentions and parse its doses."""
    from pvkg.app.normalizing import normalize_file

    return normalize_file(triples, index, output)


def load(path: str | Path, format: LoadFormat, store: StorePath = DEFAULT_STORE) -> LoadSummary:
    """`pvkg load`: triples, FAERS or openEBGM reports into the graph store."""
    from pvkg.app.loading import load_file

    return load_file(path, format, store)


def signals(
    store: StorePath = DEFAULT_STORE,
    options: SignalOptions | None = None,
    *,
    output: str | Path | None = None,
    engine: EngineOptions | None = None,
    links: Sequence[str | Path] = (),
    faers: Sequence[str | Path] = (),
    **changes: Any,
) -> list[Signal]:
    """`pvkg signals`: disproportionality of every drug–event pair, over unique reports.
    `options` (or its fields as keyword arguments: methods, min_count, mode, ...) are the
    command's flags; Neo4j credentials come from NEO4J_USER / NEO4J_PASSWORD. With a
    Spark `engine`, the pairs are counted on Spark over `links` (folders `run` wrote) and
    `faers` (quarters in FDA's ASCII layout) instead of the store."""
    from kg.options import SignalOptions
    from pvkg.app.signaling import spark_signal_table, store_signals

    chosen = _options(SignalOptions, options, changes)
    if engine is not None and engine.engine == "spark":
        return spark_signal_table(engine, chosen, output, links=links, faers=faers).signals()
    if links or faers:
        raise ConfigError("links and faers are inputs of the Spark engine",
                          hint="pass engine=EngineOptions(engine='spark')")  # fmt: skip
    return store_signals(_connection(store), chosen, output)


def report(
    store: StorePath = DEFAULT_STORE,
    output: str | Path = "report.html",
    options: ReportOptions | None = None,
    **changes: Any,
) -> ReportSummary:
    """`pvkg report`: the self-contained HTML signal report (`options` or its fields: top,
    sentences_per_signal, signals)."""
    from pvkg.app.reporting import ReportOptions, write_report

    connection = _connection(store)
    chosen = _options(ReportOptions, options, changes)
    return write_report(connection.store, output, chosen, user=connection.user,
                        password=connection.password)  # fmt: skip


def export(store: StorePath, format: str, output: str | Path) -> int:
    """`pvkg export`: triples (csv, jsonl) or the graph (ttl, nt, jsonld, graphml)."""
    from pvkg.app.exporting import export_store

    return export_store(store, format, output)


def run(
    notes: Sequence[str | Path] | str | Path,
    index: str | Path,
    output: str | Path = "pvkg-output",
    *,
    store: StorePath = DEFAULT_STORE,
    extraction: ExtractOptions | None = None,
    signals: SignalOptions | None = None,
    columns: NoteColumns | None = None,
    engine: EngineOptions | None = None,
    **changes: Any,
) -> tuple[list[RunSummary], FinishSummary]:
    """`pvkg run`: extract, normalize, load, score, report; resumable. `extraction` (or its
    fields as keyword arguments) as for `extract`, `signals` as for `signals`; the rules
    also match the index's terms. A Spark `engine` extracts and normalizes on Spark (one
    summary for all the notes) and writes its Parquet outputs under `output`/spark."""
    from extract.factory import build_extractor
    from extract.options import ExtractOptions
    from kg.options import SignalOptions
    from loaders.notes import NoteColumns
    from pvkg.app.pipeline import FinishOptions, RunOptions, finish_run, run_pipeline

    paths = [notes] if isinstance(notes, str | Path) else list(notes)
    chosen_options = _options(ExtractOptions, extraction, {**changes, "terminology": index})
    runs = [RunOptions(notes=Path(p), index=Path(index), output=Path(output),
                       connection=_connection(store), columns=columns or NoteColumns())
            for p in paths]  # fmt: skip
    if engine is not None and engine.engine == "spark":
        from pvkg.app.spark_pipeline import run_spark_pipeline

        summaries = [run_spark_pipeline(runs, chosen_options, engine)]
    else:
        chosen = build_extractor(chosen_options)
        summaries = [run_pipeline(options, chosen) for options in runs]
    finish = FinishOptions(signals=signals or SignalOptions())
    return summaries, finish_run(runs[-1], finish)


def _connection(store: StorePath) -> StoreOptions:
    """The store, with Neo4j credentials from the environment as the CLI reads them."""
    from kg.options import StoreOptions

    return StoreOptions(str(store), os.environ.get("NEO4J_USER"), os.environ.get("NEO4J_PASSWORD"))


def _options(record: type[R], given: R | None, changes: dict[str, Any]) -> R:
    """`given` (or the defaults) with `changes`; text becomes a path where a path is due."""
    hints = get_type_hints(record)
    paths = {name: _as_field(hints[name], value) for name, value in changes.items()
             if name in hints}  # fmt: skip
    unknown = set(changes) - set(hints)
    if unknown:
        raise ConfigError(f"{record.__name__} has no option {', '.join(sorted(unknown))}")
    return replace(given if given is not None else record(), **paths)


def _as_field(hint: Any, value: Any) -> Any:
    """Text becomes a path where a path is due; any sequence a tuple where a tuple is."""
    if isinstance(value, str) and Path in get_args(hint):
        return Path(value)
    if get_origin(hint) is tuple and not isinstance(value, str | tuple):
        return tuple(value)
    return value
