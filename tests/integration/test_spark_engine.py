"""`--engine spark` on Spark local mode with 2 cores: the same signals as the local engine
(notes, FAERS quarters and both), idempotent re-runs, and a worker killed mid-task retried
without duplicates."""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path

import pytest

import pvkg
from extract.base import ExtractionResult
from extract.factory import build_extractor
from extract.options import ExtractOptions
from kg.options import StoreOptions
from normalize import build_index
from pvkg.app.pipeline import RunOptions
from pvkg.records import ExtractorInfo, Note
from pvkg.spark import EngineOptions
from tests.conftest import ROOT, Cli
from tests.faers_quarters import FIXTURE, broken_quarter

pytestmark = pytest.mark.integration
pyspark = pytest.importorskip("pyspark")

EXAMPLES = ROOT / "examples"
NOTES = (EXAMPLES / "notes-extra.jsonl", EXAMPLES / "notes-extra.csv")
# 2 cores; a task may fail 3 times. One session serves the module (Spark keeps the first
# session's master), so every test uses this one.
MASTER = "local[2,3]"
SPARK = ("--engine", "spark", "--spark-master", MASTER)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("spark") / "index"
    build_index(EXAMPLES / "terminology", out)
    return out


def run_args(index: Path, store: Path, output: Path) -> tuple[str | Path, ...]:
    return ("run", *NOTES, "-t", index, "--store", store, "-o", output)


def test_spark_run_and_signals_give_the_local_engines_table(
    cli: Cli, index: Path, tmp_path: Path
) -> None:
    local = cli(*run_args(index, tmp_path / "g-local", tmp_path / "local"))
    assert local.exit_code == 0, local.stderr
    spark = cli(*run_args(index, tmp_path / "g-spark", tmp_path / "spark"), *SPARK)
    assert spark.exit_code == 0, spark.stderr
    expected = (tmp_path / "local" / "signals.csv").read_bytes()
    assert expected.count(b"\n") > 10  # the demo's pairs, header included
    assert (tmp_path / "spark" / "signals.csv").read_bytes() == expected
    summary = next(line for line in spark.stderr.splitlines() if line.startswith("notes "))
    assert "notes 6 (skipped as done 0, bad 0); triples 19" in summary
    links = tmp_path / "spark" / "spark" / "links"
    counted = cli("signals", *SPARK, "--links", links, "-o", tmp_path / "counted.csv")
    assert counted.exit_code == 0, counted.stderr
    assert (tmp_path / "counted.csv").read_bytes() == expected


def test_a_spark_rerun_adds_nothing(cli: Cli, index: Path, tmp_path: Path) -> None:
    args = (*run_args(index, tmp_path / "graph", tmp_path / "out"), *SPARK)
    first = cli(*args)
    assert first.exit_code == 0, first.stderr
    assert "loaded 0 nodes" not in first.stderr
    again = cli(*args)
    assert again.exit_code == 0, again.stderr
    assert "loaded 0 nodes, 0 relationships" in again.stderr
    triples = pyspark.sql.SparkSession.builder.getOrCreate().read.parquet(
        str(tmp_path / "out" / "spark" / "triples")
    )
    assert triples.count() == 19 == triples.select("note_id", "at").distinct().count()


def test_spark_signals_explain_what_they_need(cli: Cli, tmp_path: Path) -> None:
    missing = cli("signals", *SPARK)
    assert missing.exit_code != 0
    assert "--links" in missing.stderr and "--faers" in missing.stderr
    absent = cli("signals", *SPARK, "--links", tmp_path / "nothing")
    assert absent.exit_code != 0 and "no link rows" in absent.stderr
    no_quarter = cli("signals", *SPARK, "--faers", tmp_path)
    assert no_quarter.exit_code != 0 and "expected one DEMOyyQq.txt file" in no_quarter.stderr
    local = cli("signals", "--store", tmp_path / "g", "--faers", FIXTURE)
    assert local.exit_code != 0 and "pvkg load -f faers" in local.stderr


def skipped(stderr: str) -> list[str]:
    return sorted(line for line in stderr.splitlines() if line.startswith("skipped "))


def test_spark_reads_a_faers_quarter_as_the_local_loader_does(cli: Cli, tmp_path: Path) -> None:
    quarter = broken_quarter(tmp_path)
    loaded = cli("load", quarter, "-f", "faers", "--store", tmp_path / "graph")
    assert loaded.exit_code == 0, loaded.stderr
    local = cli("signals", "--store", tmp_path / "graph", "-o", tmp_path / "local.csv")
    assert local.exit_code == 0, local.stderr
    spark = cli("signals", *SPARK, "--faers", quarter, "-o", tmp_path / "spark.csv")
    assert spark.exit_code == 0, spark.stderr
    expected = (tmp_path / "local.csv").read_bytes()
    assert "ACÉTYLSALICYLIQUE".encode() in expected  # the Latin-1 line, decoded
    assert (tmp_path / "spark.csv").read_bytes() == expected
    problems = skipped(spark.stderr)
    assert len(problems) == 7 and problems == skipped(loaded.stderr)
    assert any("REAC24Q1.txt:9: primaryid 100000099 has no demographics row" in p for p in problems)
    # The API raises on the first bad row (no on_error); the bad rows held no report.
    engine = EngineOptions(engine="spark", spark_master=MASTER)
    api = pvkg.signals(engine=engine, faers=[FIXTURE], output=tmp_path / "api.csv")
    assert (tmp_path / "api.csv").read_bytes() == expected and len(api) == expected.count(b"\n") - 1


def ascii_from_diana(diana: Path, folder: Path) -> Path:
    """DiAna's sample tables rewritten in FDA's ASCII layout: 1,000 real reports."""
    tables = (("Demo", "DEMO", ("primaryid", "sex", "age", "age_cod")),
              ("Drug", "DRUG", ("primaryid", "role_cod", "drugname", "prod_ai")),
              ("Reac", "REAC", ("primaryid", "pt")))  # fmt: skip
    folder.mkdir()
    for name, table, header in tables:
        with (diana / f"sample_{name}.csv").open(encoding="utf-8", newline="") as source:
            rows = list(csv.DictReader(source))
        renamed = {"drugname": "substance", "age": "", "age_cod": "", "prod_ai": ""}
        lines = ["$".join(header)] + [
            "$".join(row.get(renamed.get(col, col), "") for col in header) for row in rows
        ]
        (folder / f"{table}04Q1.txt").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return folder


def test_spark_counts_quarters_and_notes_as_one_store_holding_them(
    cli: Cli, index: Path, shared_data: Path, tmp_path: Path
) -> None:
    quarters = (ascii_from_diana(shared_data / "faers_sample", tmp_path / "diana"), FIXTURE)
    for quarter in quarters:
        loaded = cli("load", quarter, "-f", "faers", "--store", tmp_path / "graph")
        assert loaded.exit_code == 0, loaded.stderr
    local = cli(*run_args(index, tmp_path / "graph", tmp_path / "local"))
    assert local.exit_code == 0, local.stderr
    spark = cli(*run_args(index, tmp_path / "g-spark", tmp_path / "spark"), *SPARK)
    assert spark.exit_code == 0, spark.stderr
    links = tmp_path / "spark" / "spark" / "links"
    inputs = ("--links", links, "--faers", quarters[0], "--faers", quarters[1])
    counted = cli("signals", *SPARK, *inputs, "-o", tmp_path / "both.csv")
    assert counted.exit_code == 0, counted.stderr
    expected = (tmp_path / "local" / "signals.csv").read_bytes()
    assert expected.count(b"\n") > 1_000  # the sample's pairs as well as the notes'
    assert (tmp_path / "both.csv").read_bytes() == expected


class DiesOnFirstAttempt:
    """The rules, but the Python worker running partition 0 exits on the task's first
    attempt: a real crash of the process, which Spark must retry (no mock can stand in)."""

    def __init__(self, index: Path, crashed: Path) -> None:
        self.rules = build_extractor(ExtractOptions(terminology=index))
        self.crashed = crashed

    @property
    def info(self) -> ExtractorInfo:
        return self.rules.info

    def extract(self, note: Note) -> ExtractionResult:
        return next(self.extract_many([note]))

    def extract_many(self, notes: Iterable[Note]) -> Iterator[ExtractionResult]:
        context = pyspark.TaskContext.get()
        if context is not None and context.partitionId() == 0 and context.attemptNumber() == 0:
            self.crashed.touch()
            os._exit(1)
        return self.rules.extract_many(notes)


def test_a_killed_worker_is_retried_without_duplicates(index: Path, tmp_path: Path) -> None:
    import cloudpickle  # type: ignore[import-untyped]

    from pvkg.app.spark_pipeline import ExtractorFactory, run_spark_pipeline

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    engine = EngineOptions(engine="spark", spark_master=MASTER, spark_partitions=2)
    runs = [RunOptions(notes=path, index=index, output=tmp_path / "out",
                       connection=StoreOptions(store=str(tmp_path / "graph")))
            for path in NOTES]  # fmt: skip
    crashed = tmp_path / "crashed"
    dies: ExtractorFactory = partial(DiesOnFirstAttempt, index, crashed)
    summary = run_spark_pipeline(runs, ExtractOptions(), engine, make_extractor=dies)
    assert crashed.exists()  # the first attempt's worker did die
    assert (summary.notes, summary.triples) == (6, 19)
    session = pyspark.sql.SparkSession.builder.getOrCreate()
    triples = session.read.parquet(str(summary.outputs["triples"]))
    assert triples.count() == 19 == triples.select("note_id", "at").distinct().count()
    links = session.read.parquet(str(summary.outputs["links"]))
    assert links.where("kind = 'report'").count() == 6


def test_lines_are_numbered_in_file_order_across_splits(tmp_path: Path) -> None:
    from pvkg.app.spark_faers import numbered_lines
    from pvkg.spark import spark_session

    lines = [f"{i}$row {i}".encode() for i in range(5000)] + [b"caf\xe9$latin-1"]
    path = tmp_path / "table.txt"
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    session = spark_session(EngineOptions(engine="spark", spark_master=MASTER))
    session.conf.set("spark.sql.files.maxPartitionBytes", "4096")
    try:
        numbered = numbered_lines(session, path)
        assert numbered.getNumPartitions() > 10
        assert numbered.collect() == [(line, i) for i, line in enumerate(lines)]
    finally:
        session.conf.unset("spark.sql.files.maxPartitionBytes")
