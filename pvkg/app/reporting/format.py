"""Numbers as the page shows them and as its sort script reads them."""

from __future__ import annotations

import math


def shown(value: float | None) -> str:  # an int is a float here (PEP 484)
    """Three significant digits; inf as ∞, nan (a zero cell) as n/a, None as a dash."""
    if value is None:
        return "–"
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if abs(value) >= 100:  # .3g would write 999.7 as 1e+03
        return f"{value:,.0f}"
    return f"{value:.3g}"


def sortable(value: float | None) -> str:
    """A string JavaScript's Number() reads back; empty (sorted last) for None and nan."""
    if isinstance(value, int):
        return str(value)
    if value is None or math.isnan(value):
        return ""
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return f"{value:.6g}"  # enough to order by; full precision would double the page
