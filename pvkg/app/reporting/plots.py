"""The report's two plots as inline SVG: a forest plot of PRR and ROR with 95% intervals for
the top pairs, and effect size against the number of reports for every pair."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Sequence

from kg.disproportionality import Signal
from pvkg.app.reporting.format import shown
from pvkg.app.reporting.model import Row
from pvkg.app.reporting.svg import (
    LogScale,
    figure,
    line,
    linear_scale,
    log_scale,
    text,
    tick_label,
    tooltip,
)
from pvkg.app.reporting.table import interval_text

ROW_HEIGHT = 26
LABEL_CHARS = 42
# (field, label, marker class, vertical offset within the row)
MEASURES = (("prr", "PRR", "m-prr", -5), ("ror", "ROR", "m-ror", 5))


def _name(signal: Signal) -> str:
    return f"{signal.drug} — {signal.event}"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def forest_plot(rows: Sequence[Row], methods: Collection[str]) -> str:
    """PRR (squares) and ROR (circles) with 95% intervals on a log axis, one row per pair."""
    chosen = {"ror" if m == "ror_exact" else m for m in methods}
    measures = [m for m in MEASURES if m[0] in chosen]
    width, left, right, top = 960, 380, 820, 34
    height = top + ROW_HEIGHT * len(rows) + 44
    values = [
        v
        for row in rows
        for field, *_ in measures
        for v in (getattr(row.signal, field), *_interval(row.signal, field))
        if v is not None
    ]
    x = log_scale(values, left, right)
    axis_y = top + ROW_HEIGHT * len(rows) + 6

    def body() -> Iterator[str]:
        for label, (_, name, cls, _) in enumerate(measures):
            yield _legend_marker(left + 150 * label, 14, cls, name + " (95% CI)")
        for tick in x.ticks():
            yield line(x(tick), top - 6, x(tick), axis_y, "grid")
            yield text(x(tick), axis_y + 16, tick_label(tick), "tick", "middle")
        for ref, cls in ((1.0, "ref"), (2.0, "ref2")):
            if x.contains(ref):
                yield line(x(ref), top - 6, x(ref), axis_y, cls)
        yield line(left, axis_y, right, axis_y, "axis")
        yield text((left + right) / 2, axis_y + 34, "ratio (log scale)", "axis-label", "middle")
        for i, row in enumerate(rows):
            yield from _forest_row(row, top + ROW_HEIGHT * i + ROW_HEIGHT / 2, x, measures)

    label = "Forest plot of PRR and ROR with 95% confidence intervals for the top pairs"
    return figure(width, height, label, body())


def _interval(signal: Signal, field: str) -> tuple[float | None, float | None]:
    lo: float | None = getattr(signal, f"{field}_lo")
    hi: float | None = getattr(signal, f"{field}_hi")
    return lo, hi


def _forest_row(
    row: Row, y: float, scale: LogScale, measures: Sequence[tuple[str, str, str, int]]
) -> Iterator[str]:
    signal = row.signal
    name = _name(signal)
    anchor = f'<a href="#{row.anchor}">' if row.anchor else ""
    yield f'<g class="{"signal" if row.flags.any else "pair"}">{tooltip(name)}{anchor}'
    yield text(scale.start - 10, y + 4, _short(name), "row-label", "end")
    yield "</a>" if row.anchor else ""
    notes = [f"a = {signal.a}"]
    for field, label, cls, offset in measures:
        value: float | None = getattr(signal, field)
        lo, hi = _interval(signal, field)
        tip = f"{label} {shown(value)} (95% CI {interval_text(lo, hi)})"
        if lo is not None and hi is not None and scale.contains(lo) and scale.contains(hi):
            yield line(scale(lo), y + offset, scale(hi), y + offset, f"ci {cls}")
        if value is not None and scale.contains(value):
            yield _marker(scale(value), y + offset, cls, f"{name}: {tip}")
        else:
            notes.append(f"{label} {shown(value)}")
    yield text(scale.end + 12, y + 4, " · ".join(notes), "row-note")
    yield "</g>"


def _marker(cx: float, cy: float, cls: str, tip: str) -> str:
    if cls == "m-prr":
        return (
            f'<rect x="{cx - 4:.1f}" y="{cy - 4:.1f}" width="8" height="8" class="{cls}">'
            f"{tooltip(tip)}</rect>"
        )
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" class="{cls}">{tooltip(tip)}</circle>'


def _legend_marker(x: float, y: float, cls: str, label: str) -> str:
    return _marker(x + 5, y - 4, cls, label) + text(x + 16, y, label, "legend")


AXIS_LABELS = {"IC": "IC = log2((a+0.5)/(E+0.5))", "log2 EBGM": "log2 EBGM",
               "log2(a/E)": "log2(a/E), observed over expected"}  # fmt: skip


def effect_measure(methods: Collection[str]) -> str:
    """The effect size the scatter plot shows: IC, else log2 EBGM, else log2 of a/E."""
    return "IC" if "ic" in methods else "log2 EBGM" if "ebgm" in methods else "log2(a/E)"


def _effect(signal: Signal, measure: str) -> float:
    if measure == "IC" and signal.ic is not None:
        return signal.ic
    if measure == "log2 EBGM" and signal.ebgm is not None and signal.ebgm > 0:
        return math.log2(signal.ebgm)
    return math.log2(signal.a / signal.expected) if signal.expected > 0 else math.nan


STATUS = (  # drawn in this order, signals on top
    ("none", "no signal"),
    ("eb05", "EB05 ≥ 2 only"),
    ("evans", "Evans only"),
    ("both", "Evans and EB05 ≥ 2"),
)


def _status(row: Row) -> str:
    if row.flags.evans and row.flags.eb05:
        return "both"
    return "evans" if row.flags.evans else "eb05" if row.flags.eb05 else "none"


def effect_plot(rows: Sequence[Row], methods: Collection[str]) -> str:
    """Effect size against a (log axis), one point per pair, coloured by signal status."""
    measure = effect_measure(methods)
    width, height, left, right, top, bottom = 960, 440, 70, 930, 40, 380
    points = [(row, float(row.signal.a), _effect(row.signal, measure)) for row in rows]
    points = [p for p in points if math.isfinite(p[2])]
    # Points sit 10 px inside the axes so that none lies on an axis line.
    x = log_scale([a for _, a, _ in points] or [1.0], left + 10, right - 10)
    y = linear_scale([e for *_, e in points], bottom, top)

    def body() -> Iterator[str]:
        for i, (status, label) in enumerate(STATUS):
            yield f'<circle cx="{left + 10 + 170 * i}" cy="16" r="5" class="pt {status}"/>'
            yield text(left + 20 + 170 * i, 20, label, "legend")
        for tick in x.ticks():
            yield line(x(tick), top, x(tick), bottom, "grid")
            yield text(x(tick), bottom + 16, tick_label(tick), "tick", "middle")
        for tick in y.ticks():
            yield line(left, y(tick), right, y(tick), "ref" if tick == 0 else "grid")
            yield text(left - 8, y(tick) + 4, tick_label(tick), "tick", "end")
        yield line(left, bottom, right, bottom, "axis")
        x_label = "a: reports with the drug and the event (log scale)"
        yield text((left + right) / 2, bottom + 36, x_label, "axis-label", "middle")
        yield (
            f'<text transform="translate(18 {(top + bottom) / 2:.0f}) rotate(-90)" '
            f'text-anchor="middle" class="axis-label">{AXIS_LABELS[measure]}</text>'
        )
        for status, _ in STATUS:
            for row, a, effect in points:
                if _status(row) == status:
                    yield _point(row, x(a), y(effect), status, f"{measure} {effect:.3g}")

    label = f"{measure} against the number of reports a, one point per pair"
    return figure(width, height, label, body())


def _point(row: Row, cx: float, cy: float, status: str, effect: str) -> str:
    s = row.signal
    tip = f"{_name(s)}: a = {s.a}, E = {shown(s.expected)}, {effect}"
    if s.eb05 is not None:
        tip += f", EB05 {shown(s.eb05)}"
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" class="pt {status}">{tooltip(tip)}</circle>'
