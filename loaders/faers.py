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
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from loaders._rows import Record, csv_rows, dollar_rows, with_header
from pvkg.errors import ConfigError, InputError
from pvkg.problems import ErrorHandler, report
from pvkg.records import CaseReport, ReportedDrug, ReportedEvent

ROLES = frozenset({"PS", "SS", "C", "I"})
# FAERS age_cod units in years; DEC is a decade.
AGE_UNITS = {"DEC": 10.0, "YR": 1.0, "MON": 1 / 12, "WK": 7 / 365.25, "DY": 1 / 365.25,
             "HR": 1 / 8766}  # fmt: skip
_PRIMARYID = re.compile(r"(\d+)(?:\.0*)?")


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
    folder = _ascii_folder(Path(folder))
    paths = [_one_file(folder, table) for table in ("DEMO", "DRUG", "REAC")]
    layout = _Layout(
        read_rows=_ascii_rows,
        demo_columns=("primaryid", "sex", "age", "age_cod"),
        drug_columns=("primaryid", "role_cod", "drugname", "prod_ai"),
        drug_name=_prod_ai_or_drugname if active_ingredient else _drugname,
        age=_ascii_age,
    )
    return _join(paths, layout, _check_roles(roles), source, on_error)


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


def _group(
    path: Path,
    rows: Iterator[Record],
    parse: Callable[[dict[str, str]], tuple[str, ...] | None],
    on_error: ErrorHandler | None,
) -> _Grouped:
    grouped = _Grouped(path, {}, {})
    for line_no, row in rows:
        try:
            report_id, item = _primaryid(row), parse(row)
        except InputError as exc:
            report(InputError(exc.reason, file=path, line=line_no), on_error)
            continue
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
    # dict.fromkeys drops repeated rows (one drug_seq split into equal substances, ...).
    drug_rows = dict.fromkeys(drugs.items.pop(report_id, []))
    reaction_rows = dict.fromkeys(reactions.items.pop(report_id, []))
    return CaseReport(
        id=report_id,
        source=source,
        sex=row["sex"].strip() or None,
        age=age,
        drugs=tuple(ReportedDrug(name=name, role=role) for name, role in drug_rows),
        events=tuple(ReportedEvent(name=term) for (term,) in reaction_rows),
    )
