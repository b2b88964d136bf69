"""Streaming readers for UMLS / RxNorm RRF files (MRCONSO, MRSTY, MRREL, MRSAB, RXN*).

Rows are read one line at a time; a malformed line (wrong field count, bad UTF-8) is
reported to an `ErrorBudget` with its file and line, then skipped. The budget fails the
run only once more than `max_errors` lines were bad.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from loaders._mrfiles import columns_for
from pvkg.errors import InputError, TerminologyError
from pvkg.problems import ErrorHandler
from pvkg.textfiles import Progress, read_lines

SUPPRESSED_DEFAULT = frozenset({"O", "E", "Y"})
_SAMPLES_KEPT = 20


@dataclass
class ErrorBudget:
    """Counts malformed lines and raises once there are more than `max_errors`."""

    max_errors: int = 0
    on_error: ErrorHandler | None = None
    count: int = 0
    samples: list[str] = field(default_factory=list)

    def report(self, error: InputError) -> None:
        self.count += 1
        if len(self.samples) < _SAMPLES_KEPT:
            self.samples.append(str(error))
        if self.on_error is not None:
            self.on_error(error)
        if self.count > self.max_errors:
            raise TerminologyError(
                f"{self.count} malformed lines, more than the {self.max_errors} allowed "
                f"(last: {error})",
                hint="fix the release files or allow more malformed lines "
                "(`BuildOptions.max_errors`)",
            )


@dataclass(frozen=True)
class AtomFilter:
    """Which MRCONSO atoms to keep: languages and sources (None = all), suppress flags to drop."""

    languages: frozenset[str] | None = frozenset({"ENG"})
    sources: frozenset[str] | None = None
    suppressed: frozenset[str] = SUPPRESSED_DEFAULT

    def keeps(self, lat: str, sab: str, suppress: str) -> bool:
        return (
            (self.languages is None or lat in self.languages)
            and (self.sources is None or sab in self.sources)
            and suppress not in self.suppressed
        )


# Rows are NamedTuples, not dataclasses: millions are made per build and tuples are cheapest.
class Atom(NamedTuple):
    """One MRCONSO / RXNCONSO row, reduced to the columns the index uses."""

    cui: str
    lat: str
    ts: str
    stt: str
    ispref: str
    sab: str
    tty: str
    code: str
    text: str
    suppress: str


_ATOM_COLUMNS = ("CUI", "LAT", "TS", "STT", "ISPREF", "SAB", "TTY", "CODE", "STR", "SUPPRESS")


class SemanticTypeRow(NamedTuple):
    """One MRSTY / RXNSTY row."""

    cui: str
    tui: str
    sty: str


class Relation(NamedTuple):
    """One MRREL / RXNREL row. UMLS reads it as: `cui2` has relation `rela` to `cui1`."""

    cui1: str
    rel: str
    cui2: str
    rela: str
    sab: str
    suppress: str


class Source(NamedTuple):
    """One MRSAB / RXNSAB row: a source vocabulary and its version."""

    rsab: str
    vsab: str
    son: str
    sver: str
    lat: str
    curver: str


def read_rrf(
    path: Path, errors: ErrorBudget, progress: Progress | None = None
) -> Iterator[list[str]]:
    """Yield each well-formed row of `path` as its fields; the last is empty (rows end in `|`)."""
    columns = columns_for(path)
    expected = len(columns) + 1
    for line_no, line in read_lines(path, errors.report, progress=progress):
        fields = line.split("|")
        if len(fields) != expected or fields[-1]:
            reason = f"expected {len(columns)} '|'-terminated fields, found {len(fields) - 1}"
            errors.report(InputError(reason, file=path, line=line_no))
            continue
        yield fields


def _indexes(path: Path, names: Iterable[str]) -> list[int]:
    columns = columns_for(path)
    missing = [n for n in names if n not in columns]
    if missing:
        raise InputError(f"layout lacks columns {', '.join(missing)}", file=path)
    return [columns.index(n) for n in names]


def read_conso(
    path: Path,
    errors: ErrorBudget,
    keep: AtomFilter | None = None,
    progress: Progress | None = None,
) -> Iterator[Atom]:
    """Atoms of MRCONSO.RRF or RXNCONSO.RRF that pass `keep` (default: ENG, unsuppressed)."""
    keep = keep or AtomFilter()
    idx = _indexes(path, _ATOM_COLUMNS)
    lat_i, sab_i, sup_i = idx[1], idx[5], idx[9]
    pick = itemgetter(*idx)
    make = tuple.__new__  # builds the NamedTuple from a tuple in C: this loop runs 20M times
    for f in read_rrf(path, errors, progress):
        if keep.keeps(f[lat_i], f[sab_i], f[sup_i]):
            yield make(Atom, pick(f))


def read_sty(path: Path, errors: ErrorBudget) -> Iterator[SemanticTypeRow]:
    """Rows of MRSTY.RRF or RXNSTY.RRF."""
    cui, tui, sty = _indexes(path, ("CUI", "TUI", "STY"))
    for f in read_rrf(path, errors):
        yield SemanticTypeRow(f[cui], f[tui], f[sty])


def read_rel(
    path: Path,
    errors: ErrorBudget,
    *,
    sources: frozenset[str] | None = None,
    relas: frozenset[str] | None = None,
    progress: Progress | None = None,
) -> Iterator[Relation]:
    """Rows of MRREL.RRF or RXNREL.RRF, optionally only from `sources` with a RELA in `relas`."""
    idx = _indexes(path, ("CUI1", "REL", "CUI2", "RELA", "SAB", "SUPPRESS"))
    rela_i, sab_i = idx[3], idx[4]
    for f in read_rrf(path, errors, progress):
        if (sources is None or f[sab_i] in sources) and (relas is None or f[rela_i] in relas):
            yield Relation(*[f[i] for i in idx])


def read_sab(path: Path, errors: ErrorBudget) -> Iterator[Source]:
    """Rows of MRSAB.RRF or RXNSAB.RRF."""
    idx = _indexes(path, ("RSAB", "VSAB", "SON", "SVER", "LAT", "CURVER"))
    for f in read_rrf(path, errors):
        yield Source(*[f[i] for i in idx])
