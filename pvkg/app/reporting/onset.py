"""The report's time-to-onset section: the Weibull shape test of each pair with enough
stated onset times (`kg.onset_signals`), and a dot plot of those times on a log axis."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from html import escape

from kg.onset_signals import OnsetSignal
from pvkg.app.reporting.svg import figure, line, log_scale, text, tick_label, tooltip

ROW_HEIGHT = 24
SHOWN = 20


def onset_section(found: Sequence[OnsetSignal]) -> str:
    if not found:
        return ""
    rows = "".join(
        f"<tr{' class=signal' if s.flagged else ''}><td>{escape(s.drug)}</td>"
        f"<td>{escape(s.event)}</td><td>{s.reports}</td><td>{s.median_days:.3g}</td>"
        f"<td>{s.shape:.2f} ({s.shape_lo:.2f}–{s.shape_hi:.2f})</td><td>{s.pattern}</td></tr>"
        for s in found[:SHOWN]
    )
    table = ("<table><thead><tr><th>drug</th><th>event</th><th>reports</th><th>median days"
             "</th><th>Weibull shape (95% CI)</th><th>pattern</th></tr></thead>"
             f"<tbody>{rows}</tbody></table>")  # fmt: skip
    note = (
        '<p class="note">Times to onset stated in the notes, the earliest per report. A '
        "pair is highlighted when the 95% interval of the Weibull shape excludes 1: early "
        "(shape below 1, the hazard falls after the start) or late (above 1, it rises); a "
        "shape near 1 is the constant hazard of an event unrelated to the drug's start "
        "(Cornelius et al. 2012).</p>"
    )
    plot = f"<figure>{onset_plot(found[:SHOWN])}</figure>"
    return f'<section id="onset"><h2>Time to onset</h2>{note}{table}{plot}</section>'


def onset_plot(found: Sequence[OnsetSignal]) -> str:
    """One row per pair, one dot per report's onset time, days on a log axis."""
    width, left, right, top = 960, 380, 900, 16
    height = top + ROW_HEIGHT * len(found) + 44
    x = log_scale([d for s in found for d in s.days], left, right)
    axis_y = top + ROW_HEIGHT * len(found) + 6

    def body() -> Iterator[str]:
        for tick in x.ticks():
            yield line(x(tick), top - 6, x(tick), axis_y, "grid")
            yield text(x(tick), axis_y + 16, tick_label(tick), "tick", "middle")
        yield line(left, axis_y, right, axis_y, "axis")
        yield text((left + right) / 2, axis_y + 34, "days to onset (log scale)", "axis-label",
                   "middle")  # fmt: skip
        for i, s in enumerate(found):
            y = top + ROW_HEIGHT * i + ROW_HEIGHT / 2
            yield text(left - 10, y + 4, f"{s.drug} — {s.event}", "row-label", "end")
            for d in s.days:
                if x.contains(d):
                    yield (f'<circle cx="{x(d):.1f}" cy="{y:.1f}" r="3.5" class="m-ror">'
                           f"{tooltip(f'{d:g} days')}</circle>")  # fmt: skip

    return figure(width, height, "Days to onset per drug–event pair", body())
