"""All-pairs co-reported counts for millions of synthetic case reports: Spark SQL against the
embedded store.

    .venv/bin/python benchmarks/spark_counts.py write --reports 10000000 --folder /tmp/q
    .venv/bin/python benchmarks/spark_counts.py embedded --reports 10000000 --record FILE
    .venv/bin/python benchmarks/spark_counts.py spark --folder /tmp/q --master 'local[2]'

The reports are `graph_load.synthetic_reports` (about 2 drugs and 3 events each, Zipf-like
popularity), made in chunks of a million (chunk k: seed k + 1, ids from k million), so every
step sees the same reports without holding them all. `write` puts them in one FAERS quarter
in FDA's ASCII layout (DEMO, DRUG, REAC, `$`-delimited); `spark` reads that quarter natively
(`pvkg signals --engine spark --faers`), builds the link rows and counts on Spark, timing
the read-and-count and the count over link rows already on disk (Parquet) apart;
`embedded` loads the same reports into a fresh LadybugDB store in the store's batch size and
times the load and `pair_table` apart. Each step prints its seconds and a digest of the pair
table (drug, event, a, n_drug, n_event, N), so the engines can be compared; `--record FILE`
appends one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import platform
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from graph_load import synthetic_reports

from kg.counts import pair_table
from kg.load import batches
from kg.options import CountOptions
from kg.pair_table import PairTable
from kg.store import open_store
from pvkg.records import CaseReport
from pvkg.spark import EngineOptions

CHUNK = 1_000_000
DEMO = ("primaryid", "caseid", "caseversion", "age", "age_cod", "sex")
DRUG = ("primaryid", "caseid", "drug_seq", "role_cod", "drugname", "prod_ai")
REAC = ("primaryid", "caseid", "pt")


def reports(total: int) -> Iterator[CaseReport]:
    for k in range(0, total, CHUNK):
        yield from synthetic_reports(min(CHUNK, total - k), seed=k // CHUNK + 1, start=k)


def write_quarter(total: int, folder: Path) -> float:
    """FDA's three tables of `total` reports under `folder`; the seconds it took."""
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    files = [(folder / f"{name}26Q1.txt").open("w", encoding="utf-8", newline="\r\n")
             for name in ("DEMO", "DRUG", "REAC")]  # fmt: skip
    demo, drug, reac = files
    for handle, header in zip(files, (DEMO, DRUG, REAC), strict=True):
        handle.write("$".join(header) + "\n")
    for report in reports(total):
        pid = str(1_000_000_000 + int(report.id[1:]))
        demo.write(f"{pid}${pid}$1$$${report.sex}\n")
        for seq, item in enumerate(report.drugs, start=1):
            drug.write(f"{pid}${pid}${seq}$PS${item.name}$\n")
        for event in report.events:
            reac.write(f"{pid}${pid}${event.name}\n")
    for handle in files:
        handle.close()
    return time.perf_counter() - started


def table_digest(table: PairTable) -> str:
    rows = sorted(zip(table.drug, table.event, table.a.tolist(), table.n_drug.tolist(),
                      table.n_event.tolist(), table.n_reports.tolist(), strict=True))  # fmt: skip
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:12]


def run_embedded(total: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "graph")
        started = time.perf_counter()
        rels = 0
        stream = reports(total)
        while chunk := list(itertools.islice(stream, 50_000)):
            for batch in batches(chunk):
                rels += store.write_batch(batch).rels
        loaded = time.perf_counter() - started
        table = pair_table(store, CountOptions())
        counted = time.perf_counter() - started - loaded
        store.close()
    return {"engine": "embedded", "load_s": round(loaded, 1), "count_s": round(counted, 1),
            "rels": rels, "pairs": len(table), "digest": table_digest(table)}  # fmt: skip


def run_spark(folder: Path, master: str, partitions: int | None) -> dict[str, object]:
    from kg.spark_counts import spark_pair_table
    from pvkg.app.spark_faers import faers_links
    from pvkg.spark import spark_session

    engine = EngineOptions(engine="spark", spark_master=master, spark_partitions=partitions)
    started = time.perf_counter()
    session = spark_session(engine, app_name="spark_counts")
    up = time.perf_counter() - started
    problems: list[object] = []
    table = spark_pair_table(faers_links(session, [folder], on_error=problems.append))
    read_count = time.perf_counter() - started - up
    with tempfile.TemporaryDirectory() as tmp:
        links = Path(tmp) / "links"
        faers_links(session, [folder]).write.parquet(str(links))
        again = time.perf_counter()
        parquet_table = spark_pair_table(session.read.parquet(str(links)))
        parquet_count = time.perf_counter() - again
    session.stop()
    return {"engine": "spark", "master": master, "session_s": round(up, 1),
            "read_and_count_s": round(read_count, 1), "count_parquet_s": round(parquet_count, 1),
            "problems": len(problems), "pairs": len(table), "digest": table_digest(table),
            "parquet_digest": table_digest(parquet_table)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("step", choices=("write", "embedded", "spark"))
    parser.add_argument("--reports", type=int, default=10_000_000)
    parser.add_argument("--folder", type=Path, help="the quarter (write, spark)")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=None)
    parser.add_argument("--record", type=Path, default=None)
    args = parser.parse_args()
    if args.step != "embedded" and args.folder is None:
        parser.error(f"{args.step} needs --folder")
    if args.step == "write":
        seconds = write_quarter(args.reports, args.folder)
        result: dict[str, object] = {"engine": "write", "seconds": round(seconds, 1)}
    elif args.step == "embedded":
        result = run_embedded(args.reports)
    else:
        result = run_spark(args.folder, args.master, args.partitions)
    result.update(reports=args.reports, date=time.strftime("%Y-%m-%d"),
                  machine=f"{platform.machine()}, {os.cpu_count()} cores",
                  load_average="/".join(f"{x:.1f}" for x in os.getloadavg()))  # fmt: skip
    print(json.dumps(result))
    if args.record is not None:
        with args.record.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
