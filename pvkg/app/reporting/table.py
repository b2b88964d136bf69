"""The signal table: one row per pair, each number cell carrying its value in `data-v` for
the page's sort script (names sort by their text); columns only for the methods run."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from html import escape

from kg.disproportionality import Signal
from pvkg.app.reporting.format import shown, sortable
from pvkg.app.reporting.model import Row


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    help: str
    numeric: bool = True
    interval: str | None = None  # the field of the upper limit when `key` is a lower limit


COUNTS = (
    Column("drug", "Drug", "Drug (RxNorm ingredient when linked)", numeric=False),
    Column("event", "Event", "Adverse event (preferred name when linked)", numeric=False),
    Column("a", "a", "Reports with the drug and the event"),
    Column("b", "b", "Reports with the drug, without the event"),
    Column("c", "c", "Reports with the event, without the drug"),
    Column("d", "d", "Reports with neither"),
    Column("expected", "E", "Expected a: n_drug × n_event / N (or stratified)"),
)
BY_METHOD = {
    "prr": (
        Column("prr", "PRR", "Proportional reporting ratio (a/(a+b)) / (c/(c+d))"),
        Column("prr_lo", "PRR 95% CI", "Log-normal 95% interval; sorts by its lower limit",
               interval="prr_hi"),
        Column("chi2", "χ²", "Pearson χ² with Yates' correction, 1 df"),
    ),
    "ror": (
        Column("ror", "ROR", "Reporting odds ratio ad / bc"),
        Column("ror_lo", "ROR 95% CI", "95% interval; sorts by its lower limit",
               interval="ror_hi"),
    ),
    "ic": (
        Column("ic", "IC", "Information component log2((a+0.5)/(E+0.5))"),
        Column("ic025", "IC025", "Lower limit of the IC's 95% credibility interval"),
    ),
    "ebgm": (
        Column("ebgm", "EBGM", "Empirical Bayes geometric mean of a/E"),
        Column("eb05", "EB05", "5th percentile of the posterior of a/E"),
        Column("eb95", "EB95", "95th percentile of the posterior of a/E"),
    ),
}  # fmt: skip
FLAGS = Column("flags", "Signal", "Evans criteria (PRR ≥ 2, χ² ≥ 4, a ≥ 3); EB05 ≥ 2")


def columns(methods: Collection[str]) -> list[Column]:
    chosen = {"ror" if m == "ror_exact" else m for m in methods}
    return [*COUNTS, *(c for m in BY_METHOD if m in chosen for c in BY_METHOD[m]), FLAGS]


def signal_table(rows: Sequence[Row], methods: Collection[str], sorted_by: str) -> str:
    """The table, its rows in the order given (already sorted by `sorted_by`, descending)."""
    cols = columns(methods)
    head = "".join(_header(c, sorted_by) for c in cols)
    body = "\n".join(_row(row, cols) for row in rows)
    return (
        f'<table id="signals" data-sorted-by="{escape(sorted_by)}" data-sort-dir="desc">'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table>"
    )


def _header(column: Column, sorted_by: str) -> str:
    kind = "num" if column.numeric else "text"
    order = "descending" if column.key == sorted_by else "none"
    return (
        f'<th scope="col" data-col="{column.key}" data-type="{kind}" aria-sort="{order}" '
        f'title="{escape(column.help)}"><button type="button">{escape(column.label)}</button></th>'
    )


def _row(row: Row, cols: Sequence[Column]) -> str:
    flags = row.flags
    classes = " ".join(
        name for name, on in (("signal", flags.any), ("evans", flags.evans), ("eb05", flags.eb05))
        if on
    )  # fmt: skip
    cells = "".join(_cell(row, c) for c in cols)
    return f'<tr class="{classes}">{cells}</tr>'


def _cell(row: Row, column: Column) -> str:
    signal = row.signal
    if column.key in ("drug", "event"):
        name = escape(getattr(signal, column.key))
        return f'<td><a href="#{row.anchor}">{name}</a></td>' if row.anchor else f"<td>{name}</td>"
    if column is FLAGS:
        badges = badges_html(row)
        return f'<td data-v="{int(row.flags.evans) + int(row.flags.eb05)}">{badges}</td>'
    value = _value(signal, column.key)
    text = shown(value)
    if column.interval is not None:
        text = interval_text(value, _value(signal, column.interval))
    return f'<td data-v="{sortable(value)}">{text}</td>'


def interval_text(lo: float | None, hi: float | None) -> str:
    """'lo–hi', or one 'n/a' when a zero cell leaves both limits undefined."""
    low, high = shown(lo), shown(hi)
    return "n/a" if low == high == "n/a" else f"{low}–{high}"


def _value(signal: Signal, field: str) -> float | None:
    value: float | None = getattr(signal, field)
    return value


def badges_html(row: Row) -> str:
    """Badges for the signal criteria the row meets."""
    pairs = (("evans", "Evans", row.flags.evans), ("eb05", "EB05≥2", row.flags.eb05))
    return "".join(f'<span class="badge {cls}">{label}</span>' for cls, label, on in pairs if on)
