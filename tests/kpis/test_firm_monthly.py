"""kpi_firm_monthly: the headline table agrees with the KPI family marts it is built from, the group row is
the sum of the entities (intercompany already out), and the demo's KPI summary reads it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from throughline.kpi_summary import render

pytestmark = pytest.mark.slow

ADDITIVE = [
    "capacity_hours",
    "billable_hours",
    "productive_hours",
    "total_hours",
    "revenue_reporting",
    "cost_reporting",
    "margin_reporting",
    "backlog_reporting",
    "leakage_total_reporting",
]


def _sql(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize("column", ADDITIVE)
def test_group_row_is_the_sum_of_entity_rows(xs_warehouse: Path, column: str) -> None:
    diffs = _sql(
        xs_warehouse,
        f"""
        select g.month_start_date, g.{column}, e.total
        from marts.kpi_firm_monthly g
        join (select month_start_date, sum({column}) as total from marts.kpi_firm_monthly
              where not is_consolidated group by 1) e using (month_start_date)
        where g.is_consolidated and abs(coalesce(g.{column}, 0) - coalesce(e.total, 0)) > 0.01
        """,
    )
    assert diffs == []


def test_group_ratios_are_sum_over_sum_not_means(xs_warehouse: Path) -> None:
    rows = _sql(
        xs_warehouse,
        """
        select month_start_date, billable_utilization, billable_hours / capacity_hours,
               margin_pct, margin_reporting / nullif(revenue_reporting, 0)
        from marts.kpi_firm_monthly where is_consolidated and capacity_hours > 0
        """,
    )
    assert rows
    for month, util, util_expected, margin, margin_expected in rows:
        assert util == pytest.approx(float(util_expected), rel=1e-9), month
        if margin_expected is not None:
            assert margin == pytest.approx(float(margin_expected), rel=1e-9), month


def test_revenue_ties_to_fct_revenue_per_entity_and_month(xs_warehouse: Path) -> None:
    diffs = _sql(
        xs_warehouse,
        """
        with r as (select revenue_month as month_start_date, legal_entity_key, sum(amount_reporting) as rev
                   from marts.fct_revenue group by 1, 2)
        select f.month_start_date, f.legal_entity_key, f.revenue_reporting, r.rev
        from marts.kpi_firm_monthly f
        full join r using (month_start_date, legal_entity_key)
        where not coalesce(f.is_consolidated, false)
          and abs(coalesce(f.revenue_reporting, 0) - coalesce(r.rev, 0)) > 0.01
        """,
    )
    assert diffs == []


def test_hours_tie_to_the_utilization_mart(xs_warehouse: Path) -> None:
    (firm, mart) = _sql(
        xs_warehouse,
        """
        select (select sum(billable_hours) from marts.kpi_firm_monthly where not is_consolidated),
               (select sum(billable_hours) from marts.kpi_utilization_monthly)
        """,
    )[0]
    assert firm == pytest.approx(float(mart))


def test_kpi_summary_shows_the_latest_complete_month(xs_warehouse: Path) -> None:
    text = render(xs_warehouse)
    (month,) = _sql(
        xs_warehouse,
        "select max(month_start_date) from marts.kpi_firm_monthly "
        "where is_consolidated and not is_partial_month",
    )[0]
    assert f"{month:%B %Y}" in text
    for label in ("Billable utilization", "Gross margin %", "DSO (90-day simple)", "Backlog", "GROUP"):
        assert label in text
    assert len(text.splitlines()) <= 24, "the summary must fit one screen"
