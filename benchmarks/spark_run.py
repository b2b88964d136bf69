"""`pvkg run` on Spark local mode against the local engine: notes per second, same triples.

    .venv/bin/python benchmarks/spark_run.py --engine local
    .venv/bin/python benchmarks/spark_run.py --engine spark --master 'local[2]'
    .venv/bin/python benchmarks/spark_run.py --engine spark --master 'local[1]'

Notes: every ADE corpus sentence (DRUG-AE, DRUG-DOSE and ADE-NEG: one note per PubMed id
and sentence), as JSONL. Extractor: the rules with the terms learned from all ADE and PHEE
gold documents (a TSV) and the demo terminology index. Each engine extracts, normalizes
and loads into a fresh embedded store; the time is the whole `run` stage (Spark: from
session start, JVM start-up included, to the last batch loaded), the finish stage (signals,
report) apart. One engine per process, since a Spark session keeps its first master. The
sorted triples are hashed (sha256 of their JSON lines), so runs on both engines can be
compared; `--record FILE` appends one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from extract.factory import build_extractor
from extract.options import ExtractOptions
from extract.rules import learn_terms
from kg.options import StoreOptions
from loaders import ade_corpus, phee
from normalize import build_index
from pvkg.app.pipeline import RunOptions, run_pipeline
from pvkg.spark import EngineOptions

ROOT = Path(__file__).resolve().parent.parent


def prepare(data: Path, work: Path) -> tuple[Path, Path, Path, int, int]:
    """The notes JSONL, the terms TSV and the demo index; notes and bytes of text."""
    ade = list(ade_corpus.iter_documents(data / "ade_corpus_v2"))
    terms = learn_terms([*ade, *phee.iter_documents(data / "phee" / "phee.jsonl")])
    notes, tsv, index = work / "notes.jsonl", work / "terms.tsv", work / "index"
    size = 0
    with notes.open("w", encoding="utf-8") as handle:
        for document in ade:
            note = document.note
            size += len(note.text.encode())
            handle.write(json.dumps({"id": note.id, "text": note.text}) + "\n")
    tsv.write_text("".join(f"{term}\t{kind}\n" for term, kind in terms), encoding="utf-8")
    build_index(ROOT / "examples" / "terminology", index)
    return notes, tsv, index, len(ade), size


def digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()[:12]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--engine", choices=("local", "spark"), default="local")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--record", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        notes, tsv, index, count, size = prepare(args.data, work)
        extraction = ExtractOptions(terms=tsv, terminology=index)
        run = RunOptions(notes=notes, index=index, output=work / "out",
                         connection=StoreOptions(store=str(work / "graph")))  # fmt: skip
        started = time.perf_counter()
        if args.engine == "local":
            summary = run_pipeline(run, build_extractor(extraction))
            seconds = time.perf_counter() - started
            lines = (work / "out" / "triples.jsonl").read_text("utf-8").splitlines()
        else:
            from pyspark.sql import SparkSession

            from pvkg.app.spark_pipeline import run_spark_pipeline

            engine = EngineOptions(engine="spark", spark_master=args.master)
            summary = run_spark_pipeline([run], extraction, engine)
            seconds = time.perf_counter() - started
            frame = SparkSession.builder.getOrCreate().read.parquet(str(summary.outputs["triples"]))
            lines = [row["triple"] for row in frame.select("triple").collect()]
    label = args.engine if args.engine == "local" else f"spark {args.master}"
    found = {
        "engine": label,
        "notes": count,
        "megabytes": round(size / 1e6, 2),
        "seconds": round(seconds, 1),
        "notes_per_s": round(count / seconds, 1),
        "triples": summary.triples,
        "rels": summary.rels,
        "triples_sha256": digest(lines),
        "cores": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 1),
        "machine": platform.machine(),
    }
    print(json.dumps(found))
    if args.record is not None:
        with args.record.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(found) + "\n")


if __name__ == "__main__":
    main()
