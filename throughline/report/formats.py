"""Number formats shared by the tiles, the chart axes and the hover labels: one rule for money (k/m/bn),
percent and days, the same as the terminal KPI summary (throughline/kpi_summary.py)."""

from __future__ import annotations

from collections.abc import Iterable

SCALES = ((1e9, "bn"), (1e6, "m"), (1e3, "k"))


def money(value: float | None) -> str:
    """2,565,889 -> '2.57m'; -97,681 -> '-97.68k'; None -> '-'."""
    if value is None:
        return "-"
    value += 0.0  # -0.0 prints as "0"
    for size, suffix in SCALES:
        if abs(value) >= size:
            return f"{value / size:,.2f}{suffix}"
    return f"{value:,.0f}"


def pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}%}"


def days(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f} d"


def money_scale(values: Iterable[float | None]) -> tuple[float, str]:
    """The divisor and suffix for a money axis, chosen from its largest absolute value (e.g. 1e6, 'm')."""
    peak = max((abs(v) for v in values if v is not None), default=0.0)
    for size, suffix in SCALES:
        if peak >= size:
            return size, suffix
    return 1.0, ""
