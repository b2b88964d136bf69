"""Stream RRF rows into the index's staging tables, in big executemany batches.

MRCONSO is sorted by CUI in every release, so atoms are grouped per run of one concept
(best name, distinct keys and codes) before they are written; an unsorted file is still
correct, since the final GROUP BY merges runs of the same concept.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loaders.release import ReleaseKind
from loaders.rrf import Atom, AtomFilter, ErrorBudget, read_conso, read_rel, read_sty
from normalize._builder.rollup import ALL_RELAS, ROLLUP_SOURCES
from normalize._common.keys import normalize_key
from pvkg.errors import InputError
from pvkg.textfiles import Progress

_BATCH = 50_000
_NOT_PREFERRED = 100
_OTHER_TTY = 50
# Which atom names a concept when no atom is the UMLS preferred one (TS=P, STT=PF, ISPREF=Y):
# RxNorm has no such flags, and a --sab filter can drop the preferred atom.
_TTY_RANK = {
    ("RXNORM", "IN"): 1,
    ("RXNORM", "PIN"): 2,
    ("RXNORM", "MIN"): 3,
    ("RXNORM", "BN"): 4,
    ("RXNORM", "SCD"): 5,
    ("RXNORM", "SBD"): 6,
    ("SNOMEDCT_US", "PT"): 1,
    ("MDR", "PT"): 2,
    ("MSH", "MH"): 3,
}

IdParser = Callable[[str], int]


def id_parser(kind: ReleaseKind) -> IdParser:
    """Concept ids as integers: C0020649 -> 20649 (UMLS), RXCUI as is (RxNorm)."""

    def umls(cui: str) -> int:
        if len(cui) != 8 or cui[0] != "C" or not cui[1:].isdigit():
            raise ValueError(f"bad CUI {cui!r}")
        return int(cui[1:])

    def rxnorm(rxcui: str) -> int:
        if not rxcui.isdigit():
            raise ValueError(f"bad RXCUI {rxcui!r}")
        return int(rxcui)

    return umls if kind == "umls" else rxnorm


class Batch:
    """Rows bound for one INSERT, written every `_BATCH` rows."""

    def __init__(self, db: sqlite3.Connection, table: str, width: int) -> None:
        self.db = db
        self.sql = f"INSERT INTO {table} VALUES ({','.join('?' * width)})"  # noqa: S608
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        self.db.executemany(self.sql, self.rows)
        self.count += len(self.rows)
        self.rows.clear()


def name_rank(atom: Atom) -> int:
    """Lower is a better name for the atom's concept."""
    preferred = atom.ts == "P" and atom.stt == "PF" and atom.ispref == "Y"
    return (0 if preferred else _NOT_PREFERRED) + _TTY_RANK.get((atom.sab, atom.tty), _OTHER_TTY)


def _ids(
    rows: Iterator[Any], parse: IdParser, errors: ErrorBudget, path: Path
) -> Iterator[tuple[int, Any]]:
    for row in rows:
        try:
            yield parse(row.cui), row
        except ValueError as exc:
            errors.report(InputError(str(exc), file=path))


@dataclass
class _Run:
    """The atoms of one concept seen in a row."""

    cid: int = -1
    rank: int = 1 << 30
    name: str = ""
    keys: dict[str, int] = field(default_factory=dict)
    text_keys: dict[str, str] = field(default_factory=dict)
    codes: set[tuple[str, str, str]] = field(default_factory=set)


@dataclass(frozen=True)
class ConsoCounts:
    atoms: int
    runs: int


def ingest_conso(
    db: sqlite3.Connection,
    path: Path,
    parse: IdParser,
    errors: ErrorBudget,
    keep: AtomFilter,
    progress: Progress | None = None,
) -> ConsoCounts:
    """Load the kept atoms' names, keys and codes into the staging tables."""
    names, terms, codes, texts = (
        Batch(db, "stage.names", 3),
        Batch(db, "stage.terms", 3),
        Batch(db, "stage.codes", 4),
        Batch(db, "stage.atoms", 2),
    )

    def flush(run: _Run) -> None:
        names.rows.append((run.cid, run.rank, run.name))
        terms.rows.extend((key, run.cid, n) for key, n in run.keys.items())
        codes.rows.extend((run.cid, sab, tty, code) for sab, tty, code in run.codes)
        texts.rows.extend((run.cid, text) for text in run.text_keys)
        if len(terms.rows) >= _BATCH:
            for batch in (names, terms, codes, texts):
                batch.flush()

    run, atoms, last_cui = _Run(), 0, ""
    for atom in read_conso(path, errors, keep, progress):
        if atom.cui != last_cui:
            try:
                cid = parse(atom.cui)
            except ValueError as exc:
                errors.report(InputError(str(exc), file=path))
                continue
            last_cui = atom.cui
            if cid != run.cid:
                if run.cid >= 0:
                    flush(run)
                run = _Run(cid=cid)
        atoms += 1
        rank = name_rank(atom)
        if rank < run.rank:
            run.rank, run.name = rank, atom.text
        key = run.text_keys.get(atom.text)
        if key is None:
            key = run.text_keys[atom.text] = normalize_key(atom.text)
        if key:
            run.keys[key] = run.keys.get(key, 0) + 1
        run.codes.add((atom.sab, atom.tty, atom.code))
    if run.cid >= 0:
        flush(run)
    for batch in (names, terms, codes, texts):
        batch.flush()
    return ConsoCounts(atoms=atoms, runs=names.count)


def ingest_sty(db: sqlite3.Connection, path: Path, parse: IdParser, errors: ErrorBudget) -> int:
    """Load semantic types (TUI and name) per concept."""
    batch = Batch(db, "stage.sty", 3)
    for cid, row in _ids(read_sty(path, errors), parse, errors, path):
        batch.add((cid, row.tui, row.sty))
    batch.flush()
    return batch.count


def ingest_rel(
    db: sqlite3.Connection,
    path: Path,
    parse: IdParser,
    errors: ErrorBudget,
    suppressed: frozenset[str],
    progress: Progress | None = None,
) -> int:
    """Load the roll-up relations as edges src=CUI2 -> dst=CUI1 (see normalize._builder.rollup)."""
    batch = Batch(db, "stage.rel", 3)
    for row in read_rel(path, errors, relas=ALL_RELAS, progress=progress):
        if row.rela not in ROLLUP_SOURCES.get(row.sab, ()) or row.suppress in suppressed:
            continue
        try:
            batch.add((parse(row.cui2), row.rela, parse(row.cui1)))
        except ValueError as exc:
            errors.report(InputError(str(exc), file=path))
    batch.flush()
    return batch.count
