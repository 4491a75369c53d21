"""The one-screen KPI summary printed at the end of `throughline demo` and `throughline run`.

It reads `marts.kpi_firm_monthly` only, so what it prints is exactly what an analyst gets from SQL: the
latest complete month, one column per legal entity plus the group, and the group's change on the month
before. Definitions live in docs/metrics.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

Row = dict[str, object]


@dataclass(frozen=True)
class Line:
    """One KPI line: label, column of kpi_firm_monthly, how to print a value and a month-on-month change."""

    label: str
    column: str
    fmt: Callable[[float], str]
    change: Callable[[float, float], str]


def _pct(v: float) -> str:
    return f"{v:.1%}"


def _pts(now: float, before: float) -> str:
    return f"{(now - before) * 100:+.1f} pts"


def _money(v: float) -> str:
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(v) >= size:
            return f"{v / size:,.2f}{suffix}"
    return f"{v:,.0f}"


def _rel(now: float, before: float) -> str:
    return f"{(now - before) / abs(before):+.1%}" if before else ""


def _days(v: float) -> str:
    return f"{v:,.1f} d"


def _delta_days(now: float, before: float) -> str:
    return f"{now - before:+.1f} d"


LINES: tuple[Line, ...] = (
    Line("Billable utilization", "billable_utilization", _pct, _pts),
    Line("Productive utilization", "productive_utilization", _pct, _pts),
    Line("Revenue (recognized)", "revenue_reporting", _money, _rel),
    Line("Gross margin", "margin_reporting", _money, _rel),
    Line("Gross margin %", "margin_pct", _pct, _pts),
    Line("T&M billing realization 12m", "billing_realization_12m", _pct, _pts),
    Line("Backlog (revenue basis)", "backlog_reporting", _money, _rel),
    Line("AR (ex-IC, ex-tax)", "ar_reporting", _money, _rel),
    Line("DSO (90-day simple)", "dso_simple_days", _days, _delta_days),
    Line("DSO (count-back)", "dso_countback_days", _days, _delta_days),
    Line("Lock-up days", "lockup_days", _days, _delta_days),
    Line("Leakage % of revenue", "leakage_pct_of_revenue", _pct, _pts),
    Line("Unbilled billable time", "unbilled_time_reporting", _money, _rel),
)


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[Row]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _cell(line: Line, row: Row | None) -> str:
    value = None if row is None else row.get(line.column)
    return "-" if value is None else line.fmt(float(value))


def _change(line: Line, now: Row | None, before: Row | None) -> str:
    if now is None or before is None or now.get(line.column) is None or before.get(line.column) is None:
        return ""
    return line.change(float(now[line.column]), float(before[line.column]))


def render(warehouse: Path) -> str:
    """The summary as text, or a one-line explanation when the warehouse has no complete KPI month yet."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        months = _fetch(
            con,
            "select distinct month_start_date from marts.kpi_firm_monthly "
            "where is_consolidated and not is_partial_month order by month_start_date desc limit 2",
        )
        if not months:
            return "KPI summary: no complete month in marts.kpi_firm_monthly yet."
        month = months[0]["month_start_date"]
        previous = months[1]["month_start_date"] if len(months) > 1 else None
        rows = _fetch(
            con,
            "select f.*, coalesce(e.legal_entity_code, f.legal_entity_key) as entity_label "
            "from marts.kpi_firm_monthly f left join marts.dim_legal_entity e using (legal_entity_key) "
            "where f.month_start_date in (?, ?) order by f.is_consolidated desc, entity_label",
            [month, previous or month],
        )
    now = {r["entity_label"]: r for r in rows if r["month_start_date"] == month}
    before = {r["entity_label"]: r for r in rows if previous and r["month_start_date"] == previous}
    labels = ["GROUP"] + sorted(k for k in now if k != "GROUP")
    currency = next(iter(now.values()))["reporting_currency_code"]
    version = next(iter(now.values()))["definition_version"]
    width = max(len(x.label) for x in LINES) + 2
    change_head = f"vs {previous:%b %Y}" if previous else ""
    out = [
        f"KPI summary for {month:%B %Y} (latest complete month), in {currency}; "
        f"definitions {version}, docs/metrics.md",
        "".ljust(width) + "".join(f"{label:>12}" for label in labels) + f"  {change_head}",
    ]
    for line in LINES:
        cells = "".join(f"{_cell(line, now.get(label)):>12}" for label in labels)
        out.append(f"{line.label:<{width}}{cells}  {_change(line, now.get('GROUP'), before.get('GROUP'))}")
    out.append(
        "Every figure: select * from marts.kpi_firm_monthly (GROUP = consolidated, intercompany eliminated)."
    )
    return "\n".join(out)
