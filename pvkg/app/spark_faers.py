"""FDA's quarterly ASCII files read by Spark into link rows, for `pvkg signals --engine
spark --faers DIR`: all of FAERS without loading it into a store.

Each table is read as raw lines (`textFile` without decoding, so a Latin-1 line decodes as
the local reader decodes it), numbered by `zipWithIndex` so that problems name their file
and line. `loaders.faers.AsciiQuarter` parses the lines on the executors and, after the
shuffle by primaryid, joins each report's rows, so the reports are those `read_faers_ascii`
yields and the bad rows are the ones it reports. A report's link rows are numbered by its
demographics line, quarter by quarter and before any notes' rows: drug and event names are
those of the first report, as when the quarters are loaded into a store before the notes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.spark_counts import LINK_SCHEMA, links_of
from loaders.faers import AsciiQuarter, ascii_quarter
from pvkg.errors import InputError
from pvkg.problems import ErrorHandler, report

if TYPE_CHECKING:
    from pyspark import RDD
    from pyspark.sql import DataFrame, SparkSession

# Quarter k's rows are numbered from (k - 2^20) * 2^40: below every note's (0 and up).
_QUARTER_SPAN = 1 << 40
_QUARTERS = 1 << 20
Keyed = tuple[str | None, tuple[Any, ...]]
"""(primaryid, (table, line, item)) of a row, or (None, (file, line, reason)) of a problem."""
Tagged = tuple[Any, ...]
"""("link", LinkRow) or ("problem", file, line, reason)."""


def faers_links(
    session: SparkSession,
    folders: Sequence[str | Path],
    *,
    roles: Collection[str] | None = None,
    active_ingredient: bool = False,
    on_error: ErrorHandler | None = None,
) -> DataFrame:
    """Link rows (`kg.spark_counts.LINK_SCHEMA`) of the quarters in `folders`; bad rows go
    to `on_error` (by file and line) once the rows are read."""
    from pyspark import StorageLevel

    if len(folders) >= _QUARTERS:
        raise InputError(f"at most {_QUARTERS - 1} quarters at once, not {len(folders)}")
    context = session.sparkContext
    parts = []
    for k, folder in enumerate(folders):
        quarter = ascii_quarter(folder, roles=roles, active_ingredient=active_ingredient)
        items = context.union([_table(session, quarter, table) for table in range(3)])
        first = (k - _QUARTERS) * _QUARTER_SPAN
        parts.append(items.groupByKey().mapPartitions(partial(_join, quarter, first)))
    tagged = context.union(parts).persist(StorageLevel.MEMORY_AND_DISK)
    problems = tagged.filter(lambda row: row[0] == "problem").map(lambda row: row[1:]).collect()
    for file, line, reason in sorted(problems):
        report(InputError(reason, file=file, line=line), on_error)
    links = tagged.filter(lambda row: row[0] == "link").map(lambda row: row[1])
    # The rows are ours, of LINK_SCHEMA's types: checking each in Python cost 18% of the
    # read at 200k reports.
    return session.createDataFrame(links, LINK_SCHEMA, verifySchema=False)


def _table(session: SparkSession, quarter: AsciiQuarter, table: int) -> RDD[Keyed]:
    return numbered_lines(session, quarter.files[table]).mapPartitions(
        partial(_parse, quarter, table)
    )


def numbered_lines(session: SparkSession, path: Path) -> RDD[tuple[bytes, int]]:
    """(raw line, index from 0) of the file at `path`, in file order."""
    from pyspark.sql import functions as F

    # The text source keeps a line's bytes as they are (RDD textFile would decode them),
    # and a single file's splits come in file order, as zipWithIndex numbers them.
    text = session.read.text(str(path)).select(F.col("value").cast("binary"))
    return text.rdd.map(lambda row: bytes(row[0])).zipWithIndex()


def _parse(
    quarter: AsciiQuarter, table: int, lines: Iterable[tuple[bytes, int]]
) -> Iterator[Keyed]:
    # Problems travel with the rows, under the key None, so each file is read once.
    problems: list[InputError] = []
    numbered = ((index + 1, raw) for raw, index in lines if index)  # line 1 is the header
    for report_id, line_no, item in quarter.items(table, numbered, problems.append):
        yield report_id, (table, line_no, item)
        yield from ((None, problem) for problem in _problems(problems))
    yield from ((None, problem) for problem in _problems(problems))


def _join(
    quarter: AsciiQuarter, first: int, groups: Iterable[tuple[str | None, Iterable[Any]]]
) -> Iterator[Tagged]:
    problems: list[InputError] = []
    for report_id, found in groups:
        if report_id is None:
            yield from (("problem", *problem) for problem in found)
            continue
        case = quarter.case(report_id, found, problems.append)
        yield from (("problem", *problem) for problem in _problems(problems))
        if case is not None:
            line_no, record = case
            for row in links_of([record], first + line_no):
                yield "link", row


def _problems(problems: list[InputError]) -> Iterator[tuple[str | None, int | None, str]]:
    for problem in problems:
        yield problem.file, problem.line, problem.reason
    problems.clear()
