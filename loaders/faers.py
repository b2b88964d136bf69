"""FAERS case reports to CaseReports: FDA's quarterly ASCII files and DiAna's cleaned tables.

Both join three tables on ``primaryid``: demographics (one row per report: sex, age), drugs
(``role_cod`` PS primary suspect, SS secondary suspect, C concomitant, I interacting) and
reactions (MedDRA preferred terms). The drug and reaction tables are held in memory, grouped
by primaryid (tuples of strings, roughly 100 bytes a row), while the demographics stream:
one report per demographics row, in file order, with whatever drugs and reactions it has.
Drug or reaction rows whose primaryid has no demographics row are reported as bad input
after the last report. A drug row without a name (DiAna leaves substances it could not map
empty) names no drug and is skipped.

Reports are not deduplicated: every primaryid is one report, as DiAna counts them by
default (its ``RB_duplicates`` columns are a separate, optional restriction), and FDA's
several versions of a case (``caseid``/``caseversion``) are left to the caller.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from loaders._rows import Record, csv_rows, dollar_rows, map_rows, with_header
from pvkg.errors import ConfigError, InputError
from pvkg.problems import ErrorHandler, report
from pvkg.records import CaseReport, ReportedDrug, ReportedEvent

ROLES = frozenset({"PS", "SS", "C", "I"})
ASCII_TABLES = ("DEMO", "DRUG", "REAC")
# FAERS age_cod units in years; DEC is a decade.
AGE_UNITS = {"DEC": 10.0, "YR": 1.0, "MON": 1 / 12, "WK": 7 / 365.25, "DY": 1 / 365.25,
             "HR": 1 / 8766}  # fmt: skip
_PRIMARYID = re.compile(r"(\d+)(?:\.0*)?")


Item = tuple[str, int, tuple[str, ...] | None]
"""(primaryid, line, what the row holds): None for a drug row whose role is not kept."""
RowReader = Callable[[Path, tuple[str, ...], ErrorHandler | None], Iterator[Record]]


@dataclass(frozen=True)
class _Layout:
    """How one flavour of the tables is read and where it keeps a CaseReport's fields."""

    read_rows: RowReader
    demo_columns: tuple[str, ...]
    drug_columns: tuple[str, ...]
    drug_name: Callable[[dict[str, str]], str]
    age: Callable[[dict[str, str]], float | None]

    def tables(
        self, paths: list[Path], on_error: ErrorHandler | None
    ) -> tuple[Iterator[Record], ...]:
        columns = (self.demo_columns, self.drug_columns, ("primaryid", "pt"))
        return tuple(
            self.read_rows(path, cols, on_error) for path, cols in zip(paths, columns, strict=True)
        )


@dataclass
class _Grouped:
    """Rows of one table grouped by primaryid, with the first line of each group."""

    path: Path
    items: dict[str, list[tuple[str, ...]]]
    first_line: dict[str, int]


def read_faers_ascii(
    folder: str | Path,
    *,
    roles: Collection[str] | None = None,
    active_ingredient: bool = False,
    source: str = "faers",
    on_error: ErrorHandler | None = None,
) -> Iterator[CaseReport]:
    """Read one quarter as FDA publishes it: DEMOyyQq.txt, DRUGyyQq.txt, REACyyQq.txt.

    ``folder`` holds the files (or an ``ASCII`` folder that does). Drugs are named by
    ``drugname`` as reported, or by ``prod_ai`` (the active ingredient, where FDA filled it
    in) with ``active_ingredient=True``. Age becomes years from ``age`` and ``age_cod``; an
    age without a unit is unknown. ``roles`` keeps only drugs of those roles (default all).
    """
    layout = _ascii_layout(active_ingredient)
    return _join(ascii_files(folder), layout, _check_roles(roles), source, on_error)


def read_diana_tables(
    folder: str | Path,
    *,
    prefix: str = "sample_",
    roles: Collection[str] | None = None,
    source: str = "faers",
    on_error: ErrorHandler | None = None,
) -> Iterator[CaseReport]:
    """Read DiAna's cleaned tables ``{prefix}Demo.csv``, ``{prefix}Drug.csv``, ``{prefix}Reac.csv``.

    Drugs are DiAna's standardised ``substance``; age is ``age_in_days`` / 365 in years
    (DiAna made days as years * 365); ``primaryid`` "4329569.0" becomes "4329569".
    """
    folder = Path(folder)
    paths = [folder / f"{prefix}{table}.csv" for table in ("Demo", "Drug", "Reac")]
    layout = _Layout(
        read_rows=_csv_rows,
        demo_columns=("primaryid", "sex", "age_in_days"),
        drug_columns=("primaryid", "role_cod", "substance"),
        drug_name=lambda row: row["substance"],
        age=_diana_age,
    )
    return _join(paths, layout, _check_roles(roles), source, on_error)


def ascii_files(folder: str | Path) -> list[Path]:
    """The DEMO, DRUG and REAC files of the quarter in ``folder`` (or its ``ASCII`` folder)."""
    inner = _ascii_folder(Path(folder))
    return [_one_file(inner, table) for table in ASCII_TABLES]


def _ascii_layout(active_ingredient: bool) -> _Layout:
    return _Layout(
        read_rows=_ascii_rows,
        demo_columns=("primaryid", "sex", "age", "age_cod"),
        drug_columns=("primaryid", "role_cod", "drugname", "prod_ai"),
        drug_name=_prod_ai_or_drugname if active_ingredient else _drugname,
        age=_ascii_age,
    )


def _ascii_folder(folder: Path) -> Path:
    """FDA's zips unpack to an ``ASCII`` (sometimes ``ascii``) folder; accept its parent."""
    inner = [p for p in folder.glob("*") if p.is_dir() and p.name.lower() == "ascii"]
    return inner[0] if len(inner) == 1 else folder


def _one_file(folder: Path, table: str) -> Path:
    pattern = re.compile(rf"{table}\d\dQ[1-4]\.txt", re.IGNORECASE)
    found = sorted(p for p in folder.glob("*") if pattern.fullmatch(p.name))
    if len(found) != 1:
        raise InputError(f"expected one {table}yyQq.txt file, found {len(found)}", file=folder)
    return found[0]


def _ascii_rows(
    path: Path, columns: tuple[str, ...], on_error: ErrorHandler | None
) -> Iterator[Record]:
    return with_header(dollar_rows(path), path, columns, on_error)[1]


def _csv_rows(
    path: Path, columns: tuple[str, ...], on_error: ErrorHandler | None
) -> Iterator[Record]:
    return with_header(csv_rows(path, on_error), path, columns, on_error)[1]


def _check_roles(roles: Collection[str] | None) -> frozenset[str]:
    if roles is None:
        return ROLES
    chosen = frozenset(role.upper() for role in roles)
    unknown = chosen - ROLES
    if unknown or not chosen:
        raise ConfigError(
            f"unknown drug role(s): {', '.join(sorted(unknown)) or '(none given)'}",
            hint="roles are PS, SS, C and I",
        )
    return chosen


def _drugname(row: dict[str, str]) -> str:
    return row["drugname"]


def _prod_ai_or_drugname(row: dict[str, str]) -> str:
    return row["prod_ai"].strip() or row["drugname"]


def _ascii_age(row: dict[str, str]) -> float | None:
    value, unit = row["age"].strip(), row["age_cod"].strip().upper()
    if not value or not unit:
        return None
    if unit not in AGE_UNITS:
        raise InputError(f"unknown age unit {unit!r}")
    return _number(value, "age") * AGE_UNITS[unit]


def _diana_age(row: dict[str, str]) -> float | None:
    value = row["age_in_days"].strip()
    return _number(value, "age_in_days") / 365 if value else None


def _number(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{name} {text!r} is not a number") from None


def _primaryid(row: dict[str, str]) -> str:
    match = _PRIMARYID.fullmatch(row["primaryid"].strip())
    if match is None:
        raise InputError(f"primaryid {row['primaryid']!r} is not a number")
    return match.group(1)


def _items(
    path: Path,
    rows: Iterable[Record],
    parse: Callable[[dict[str, str]], tuple[str, ...] | None],
    on_error: ErrorHandler | None,
) -> Iterator[Item]:
    for line_no, row in rows:
        try:
            report_id, item = _primaryid(row), parse(row)
        except InputError as exc:
            report(InputError(exc.reason, file=path, line=line_no), on_error)
            continue
        yield report_id, line_no, item


def _group(
    path: Path,
    rows: Iterator[Record],
    parse: Callable[[dict[str, str]], tuple[str, ...] | None],
    on_error: ErrorHandler | None,
) -> _Grouped:
    grouped = _Grouped(path, {}, {})
    for report_id, line_no, item in _items(path, rows, parse, on_error):
        grouped.first_line.setdefault(report_id, line_no)
        if item is not None:
            grouped.items.setdefault(report_id, []).append(tuple(map(sys.intern, item)))
    return grouped


def _drug_parser(
    layout: _Layout, roles: frozenset[str]
) -> Callable[[dict[str, str]], tuple[str, ...] | None]:
    def parse(row: dict[str, str]) -> tuple[str, ...] | None:
        role, name = row["role_cod"].strip().upper(), layout.drug_name(row).strip()
        if role not in ROLES:
            raise InputError(f"unknown role_cod {row['role_cod']!r}")
        return (name, role) if name and role in roles else None

    return parse


def _reaction(row: dict[str, str]) -> tuple[str, ...]:
    term = row["pt"].strip()
    if not term:
        raise InputError("empty pt")
    return (term,)


def _join(
    paths: list[Path],
    layout: _Layout,
    roles: frozenset[str],
    source: str,
    on_error: ErrorHandler | None,
) -> Iterator[CaseReport]:
    demo_path, drug_path, reac_path = paths
    demo_rows, drug_rows, reac_rows = layout.tables(paths, on_error)
    drugs = _group(drug_path, drug_rows, _drug_parser(layout, roles), on_error)
    reactions = _group(reac_path, reac_rows, _reaction, on_error)
    seen: set[str] = set()
    for line_no, row in demo_rows:
        try:
            case = _report(row, layout, source, drugs, reactions, seen)
        except InputError as exc:
            report(InputError(exc.reason, file=demo_path, line=line_no), on_error)
            continue
        yield case
    for table in (drugs, reactions):
        for report_id, line_no in table.first_line.items():
            if report_id not in seen:
                reason = f"primaryid {report_id} has no demographics row"
                report(InputError(reason, file=table.path, line=line_no), on_error)


def _report(
    row: dict[str, str],
    layout: _Layout,
    source: str,
    drugs: _Grouped,
    reactions: _Grouped,
    seen: set[str],
) -> CaseReport:
    report_id = _primaryid(row)
    if report_id in seen:
        raise InputError(f"primaryid {report_id} repeats")
    age = layout.age(row)
    seen.add(report_id)
    drug_rows = drugs.items.pop(report_id, [])
    return _case(report_id, row, age, source, drug_rows, reactions.items.pop(report_id, []))


def _case(
    report_id: str,
    row: dict[str, str],
    age: float | None,
    source: str,
    drug_rows: Iterable[tuple[str, ...]],
    reaction_rows: Iterable[tuple[str, ...]],
) -> CaseReport:
    # dict.fromkeys drops repeated rows (one drug_seq split into equal substances, ...).
    return CaseReport(
        id=report_id,
        source=source,
        sex=row["sex"].strip() or None,
        age=age,
        drugs=tuple(ReportedDrug(name=name, role=role) for name, role in dict.fromkeys(drug_rows)),
        events=tuple(ReportedEvent(name=term) for (term,) in dict.fromkeys(reaction_rows)),
    )


@dataclass(frozen=True)
class AsciiQuarter:
    """One quarter read in pieces, for engines that split the files themselves (Spark).

    Wherever a table's lines are read, `items` makes them (primaryid, line, item); `case`
    joins all the items of one primaryid into its report, or reports why there is none,
    exactly as `read_faers_ascii` does over the whole files.
    """

    files: tuple[Path, ...]
    headers: tuple[tuple[str, ...], ...]
    roles: frozenset[str]
    active_ingredient: bool
    source: str

    def items(
        self, table: int, lines: Iterable[tuple[int, bytes]], on_error: ErrorHandler | None
    ) -> Iterator[Item]:
        """The items of numbered raw lines of table `table` (0 DEMO, 1 DRUG, 2 REAC),
        header excluded; bad rows go to `on_error`."""
        path, layout = self.files[table], _ascii_layout(self.active_ingredient)
        fields = ((line_no, _decode(raw).split("$")) for line_no, raw in lines)
        rows = map_rows(fields, list(self.headers[table]), path, on_error)
        return _items(path, rows, self._parser(table, layout), on_error)

    def case(
        self, report_id: str, found: Iterable[tuple[int, int, tuple[str, ...] | None]],
        on_error: ErrorHandler | None,
    ) -> tuple[int, CaseReport] | None:  # fmt: skip
        """The report of `report_id` and its demographics line, from its (table, line,
        item) triples in any order; None, with the reasons reported, where there is none."""
        by_table: list[list[tuple[int, tuple[str, ...] | None]]] = [[], [], []]
        for table, line_no, item in sorted(found, key=lambda x: (x[0], x[1])):
            by_table[table].append((line_no, item))
        demos, drugs, reactions = by_table
        layout, case = _ascii_layout(self.active_ingredient), None
        for line_no, item in demos:
            try:
                if case is not None:
                    raise InputError(f"primaryid {report_id} repeats")
                row = dict(zip(layout.demo_columns, item or (), strict=True))
                case = line_no, _case(report_id, row, layout.age(row), self.source,
                                      _kept(drugs), _kept(reactions))  # fmt: skip
            except InputError as exc:
                report(InputError(exc.reason, file=self.files[0], line=line_no), on_error)
        if case is None:
            for path, rows in zip(self.files[1:], (drugs, reactions), strict=True):
                if rows:
                    reason = f"primaryid {report_id} has no demographics row"
                    report(InputError(reason, file=path, line=rows[0][0]), on_error)
        return case

    def _parser(
        self, table: int, layout: _Layout
    ) -> Callable[[dict[str, str]], tuple[str, ...] | None]:
        if table == 0:
            return lambda row: tuple(row[name] for name in layout.demo_columns)
        return _drug_parser(layout, self.roles) if table == 1 else _reaction


def ascii_quarter(
    folder: str | Path,
    *,
    roles: Collection[str] | None = None,
    active_ingredient: bool = False,
    source: str = "faers",
) -> AsciiQuarter:
    """The quarter in `folder` (as `read_faers_ascii` takes it), its headers read and checked."""
    files = ascii_files(folder)
    layout = _ascii_layout(active_ingredient)
    columns = (layout.demo_columns, layout.drug_columns, ("primaryid", "pt"))
    headers = []
    for path, required in zip(files, columns, strict=True):
        rows = dollar_rows(path)
        try:
            headers.append(tuple(with_header(rows, path, required, None)[0]))
        finally:
            rows.close()
    return AsciiQuarter(tuple(files), tuple(headers), _check_roles(roles), active_ingredient,
                        source)  # fmt: skip


def _kept(rows: list[tuple[int, tuple[str, ...] | None]]) -> list[tuple[str, ...]]:
    return [item for _, item in rows if item is not None]


def _decode(raw: bytes) -> str:
    """As `dollar_rows` decodes a line: UTF-8 where it can, else Latin-1."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        line = raw.decode("latin-1")
    return line.rstrip("\r\n")
