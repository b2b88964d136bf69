"""Notes as a Spark DataFrame (`id`, `text`, `seq`) from Parquet, JSONL or CSV, read by
Spark itself so that no step holds the corpus on the driver.

The columns are found as `loaders.notes` finds them (id: the first of id, note_id, row_id
unless named; text: `text`), case-insensitively. `seq` is each note's place in the input,
which keeps "first wins" rules (duplicate ids, node names) the same as the local engine's.
Notes with a blank text or an id already seen are left out and reported, as locally.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING

from loaders.notes import CSV_SUFFIXES, ID_COLUMNS, JSONL_SUFFIXES, TEXT_COLUMN, NoteColumns
from pvkg.errors import InputError
from pvkg.options import ref

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

PARQUET_SUFFIXES = (".parquet", ".pq")
# seq of the notes of the k-th path start at k * PLACE_STRIDE; Spark's increasing ids stay
# below it up to 131,072 partitions a path.
PLACE_STRIDE = 2**50
MAX_REPORTED = 20


@dataclass(frozen=True)
class SparkNotes:
    """The notes to extract, and what was left out (`bad` in all, `problems` the first)."""

    frame: DataFrame
    bad: int
    problems: tuple[InputError, ...]


def read_note_frame(
    session: SparkSession, paths: Sequence[Path], columns: NoteColumns
) -> SparkNotes:
    """The notes of every path, one frame; an id seen in an earlier path is left out."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    frames = [_frame(session, path, columns, place) for place, path in enumerate(paths)]
    notes = reduce(lambda a, b: a.unionByName(b), frames)
    first = Window.partitionBy("id").orderBy("seq")
    notes = notes.withColumn("copy", F.row_number().over(first))
    no_id = F.col("id").isNull() | (F.col("id") == "")
    blank = no_id | F.col("text").isNull() | (F.trim("text") == "")
    left_out = notes.where(blank | (F.col("copy") > 1))
    bad = left_out.count()
    shown = left_out.orderBy("seq").limit(MAX_REPORTED).collect()
    problems = tuple(_problem(paths[row["place"]], row["id"], row["copy"]) for row in shown)
    kept = notes.where(~blank & (F.col("copy") == 1)).select("id", "text", "seq")
    return SparkNotes(kept, bad, problems)


def _frame(session: SparkSession, path: Path, columns: NoteColumns, place: int) -> DataFrame:
    from pyspark.sql import functions as F

    raw = _reader(session, path)
    id_column, text_column = _columns(path, raw.columns, columns)
    return raw.select(
        F.trim(F.col(id_column).cast("string")).alias("id"),
        F.col(text_column).cast("string").alias("text"),
        (F.lit(place * PLACE_STRIDE) + F.monotonically_increasing_id()).alias("seq"),
        F.lit(place).alias("place"),
    )


def _reader(session: SparkSession, path: Path) -> DataFrame:
    if not path.exists():
        raise InputError("no such file or folder", file=path)
    suffixes = (
        {p.suffix.lower() for p in path.rglob("*") if p.is_file()}
        if path.is_dir()
        else {path.suffix.lower()}
    )
    target = str(path)
    if suffixes & set(PARQUET_SUFFIXES):
        return session.read.parquet(target)
    if suffixes & set(JSONL_SUFFIXES):
        return session.read.option("mode", "PERMISSIVE").json(target)
    if suffixes & set(CSV_SUFFIXES):
        return session.read.csv(target, header=True, multiLine=True, escape='"')
    raise InputError(
        "the Spark engine reads Parquet, JSONL or CSV notes",
        file=path,
        hint="for a folder of .txt notes use --engine local",
    )


def _columns(path: Path, names: list[str], columns: NoteColumns) -> tuple[str, str]:
    by_lower = {name.strip().lstrip("\ufeff").lower(): name for name in names}
    wanted_ids = (columns.id_field.lower(),) if columns.id_field else ID_COLUMNS
    text_field = (columns.text_field or TEXT_COLUMN).lower()
    id_column = next((by_lower[n] for n in wanted_ids if n in by_lower), None)
    text_column = by_lower.get(text_field)
    if id_column is None or text_column is None:
        missing = " or ".join(wanted_ids) if id_column is None else text_field
        raise InputError(
            f"no column {missing}",
            file=path,
            hint=f"name the columns with {ref(NoteColumns, 'id_field')} and "
            f"{ref(NoteColumns, 'text_field')}",
        )
    return id_column, text_column


def _problem(path: Path, note_id: str | None, copy: int) -> InputError:
    if not note_id:
        return InputError("empty note id", file=path)
    if copy > 1:
        return InputError(f"note {note_id!r}: a second note with this id", file=path)
    return InputError(f"note {note_id!r}: blank text", file=path)
