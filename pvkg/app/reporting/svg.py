"""Scales and elements for the report's inline SVG: just what two plots need."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

NICE_STEPS = (1.0, 2.0, 5.0)
MAX_TICKS = 9


@dataclass(frozen=True)
class LogScale:
    """Positive values on a log axis from pixel `start` to `end`; ticks at 1-2-5 steps."""

    lo: float
    hi: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        fraction = math.log(value / self.lo) / math.log(self.hi / self.lo)
        return self.start + fraction * (self.end - self.start)

    def contains(self, value: float) -> bool:
        return math.isfinite(value) and self.lo <= value <= self.hi

    def ticks(self) -> list[float]:
        nice = [v for v in _nice_values(self.lo, self.hi) if self.lo <= v <= self.hi]
        if len(nice) > MAX_TICKS:  # wide ranges: decades only
            nice = [v for v in nice if math.isclose(math.log10(v), round(math.log10(v)))]
        return nice


def log_scale(values: Iterable[float], start: float, end: float, limit: float = 1e6) -> LogScale:
    """A scale spanning every finite positive value (within 1/limit..limit), at nice ends."""
    finite = [v for v in values if math.isfinite(v) and 1 / limit <= v <= limit]
    lo, hi = min(finite, default=1.0), max(finite, default=1.0)
    lo = max((v for v in _nice_values(lo / 10, lo) if v <= lo), default=lo)
    hi = min((v for v in _nice_values(hi, hi * 10) if v >= hi), default=hi)
    if lo >= hi:
        lo, hi = lo / 2, hi * 2
    return LogScale(lo, hi, start, end)


def _nice_values(lo: float, hi: float) -> list[float]:
    decades = range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 2)
    return [step * 10.0**k for k in decades for step in NICE_STEPS]


@dataclass(frozen=True)
class LinearScale:
    lo: float
    hi: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        return self.start + (value - self.lo) / (self.hi - self.lo) * (self.end - self.start)

    def ticks(self) -> list[float]:
        step = next(s for s in (0.5, 1, 2, 5, 10, 20, 50) if (self.hi - self.lo) / s <= MAX_TICKS)
        first = math.ceil(self.lo / step) * step
        return [first + i * step for i in range(int((self.hi - first) / step) + 1)]


def linear_scale(values: Iterable[float], start: float, end: float) -> LinearScale:
    """A scale spanning every finite value and 0, padded to whole units."""
    finite = [v for v in values if math.isfinite(v)]
    lo, hi = min([0.0, *finite]), max([0.0, *finite])
    return LinearScale(math.floor(lo - 0.25), math.ceil(hi + 0.25), start, end)


def tick_label(value: float) -> str:
    return f"{value:g}"


def text(x: float, y: float, content: str, cls: str = "", anchor: str = "start") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{klass}>{escape(content)}</text>'


def line(x1: float, y1: float, x2: float, y2: float, cls: str) -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" class="{cls}"/>'


def tooltip(content: str) -> str:
    """A hover tooltip: an SVG <title> as the first child of the element it describes."""
    return f"<title>{escape(content)}</title>"


def figure(width: int, height: int, label: str, body: Iterable[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">'
        + "".join(body)
        + "</svg>"
    )
