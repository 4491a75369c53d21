"""Engagement margin and realization (kpi_project_margin_monthly, "margin v1") on the xs sample firm.

Tie-outs: revenue to fct_revenue (to the cent) and to GL revenue (clean firm: the GL books recognised revenue
by month-end journals, so what is comparable ties to the cent and the rest is explained), hours to approved
time, costs to the time entries; a known injected defect (a rate-card gap) shows up; margin is plausible.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

MART = "marts.kpi_project_margin_monthly"


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


# Per entity and month, revenue of the mart and of fct_revenue (each row cast to cents first, as the mart
# does).
REVENUE_BY_ENTITY_MONTH = f"""
    with mart as (
        select legal_entity_key, month_start_date, sum(revenue_entity) as ent, sum(revenue_reporting) as rep
        from {MART} group by 1, 2
    ),
    fact as (
        select legal_entity_key, revenue_month as month_start_date,
               sum(cast(amount_entity as numeric(18, 2))) as ent,
               sum(cast(amount_reporting as numeric(18, 2))) as rep
        from marts.fct_revenue group by 1, 2
    )
    select coalesce(m.legal_entity_key, f.legal_entity_key), coalesce(m.month_start_date, f.month_start_date),
           coalesce(m.ent, 0), coalesce(f.ent, 0), coalesce(m.rep, 0), coalesce(f.rep, 0)
    from mart as m full join fact as f
        on m.legal_entity_key = f.legal_entity_key and m.month_start_date = f.month_start_date
"""


@pytest.mark.parametrize("firm", ["xs_warehouse", "xs_clean_warehouse"])
def test_revenue_ties_to_fct_revenue_per_entity_and_month(firm: str, request: pytest.FixtureRequest) -> None:
    rows = _rows(request.getfixturevalue(firm), REVENUE_BY_ENTITY_MONTH)
    assert len(rows) >= 6
    assert sum(r[2] for r in rows) > 0
    for entity, month, mart_ent, fact_ent, mart_rep, fact_rep in rows:
        assert mart_ent == fact_ent, (entity, month, "entity currency")
        assert mart_rep == fact_rep, (entity, month, "reporting currency")


# GL revenue (account 4000, month-end revenue journals) per project and month, from the journal lines' PSA
# project, in the entity's functional currency as NetSuite booked it.
GL_REVENUE_BY_PROJECT = """
    select l.psa_project_id as project_key, g.period_start as month_start_date, g.legal_entity_key,
           g.transaction_currency_code, g.entity_currency_code, -sum(g.amount_entity) as gl_entity
    from marts.fct_gl_lines as g
    join staging.stg_netsuite__transaction_lines as l
        on l.transaction_id = g.transaction_id and l.line_id = g.line_id
    where g.account_number = '4000'
    group by all
"""


def test_gl_books_recognised_revenue_by_project_month(xs_clean_warehouse: Path) -> None:
    """The GL of the sample firm books recognised revenue (not billings): one month-end journal line per
    project to account 4000, in the project currency, translated at the month-end spot rate. For projects
    whose currency is the entity's functional currency there is no translation difference, so the mart ties
    per project and month to the cent, except the two documented convention differences:
    retainers (GL books retainer_monthly_amount each month; revrec v1 spreads the contract value evenly over
    the term months, which differs when the value is not exactly monthly x months) and the T&M month in
    which a project reaches its NTE cap (revrec v1 caps cumulative value at the cap; the ERP drops the whole
    entry that crosses it)."""
    rows = _rows(
        xs_clean_warehouse,
        f"""
        with gl as ({GL_REVENUE_BY_PROJECT}),
        mart as (
            select m.project_key, m.month_start_date, m.legal_entity_key, m.contract_type, m.revenue_entity
            from {MART} as m
            join marts.dim_project as p on p.project_key = m.project_key
            where p.currency_code = m.entity_currency_code and not m.is_partial_month
        ),
        cap_months as (
            select project_key, revenue_month as month_start_date from marts.fct_revenue
            where cumulative_excess_over_cap > 0
        )
        select mart.project_key, mart.month_start_date, mart.contract_type,
               mart.revenue_entity, coalesce(gl.gl_entity, 0) as gl_entity,
               c.project_key is not null as is_cap_month
        from mart
        left join gl on gl.project_key = mart.project_key and gl.month_start_date = mart.month_start_date
        left join cap_months as c
            on c.project_key = mart.project_key and c.month_start_date = mart.month_start_date
        """,
    )
    comparable = [r for r in rows if r[2] != "retainer" and not r[5]]
    assert len(comparable) >= 20
    assert sum(r[3] for r in comparable) > 0
    off = [r for r in comparable if abs(r[3] - r[4]) > Decimal("0.01")]
    assert not off, off[:5]


def test_revenue_ties_to_gl_per_entity_and_month_within_rounding(xs_clean_warehouse: Path) -> None:
    """All revenue, per entity and month, in entity currency: the residual is the documented differences
    (foreign-currency projects: GL at the month-end spot rate, the mart at the month average; retainers; NTE
    cap months), which stay well under 1 % of the month's revenue on the clean firm."""
    rows = _rows(
        xs_clean_warehouse,
        f"""
        with gl as (
            select legal_entity_key, period_start as month_start_date, -sum(amount_entity) as gl_entity
            from marts.fct_gl_lines where account_number = '4000' group by 1, 2
        ),
        mart as (
            select legal_entity_key, month_start_date, sum(revenue_entity) as revenue_entity
            from {MART} where not is_partial_month group by 1, 2
        )
        select mart.legal_entity_key, mart.month_start_date, mart.revenue_entity, coalesce(gl.gl_entity, 0)
        from mart left join gl using (legal_entity_key, month_start_date)
        where mart.revenue_entity <> 0
        """,
    )
    assert len(rows) >= 6
    for entity, month, mart, gl in rows:
        assert abs(mart - gl) <= Decimal("0.01") * abs(gl) + Decimal("1.00"), (entity, month, mart, gl)


APPROVED_CLIENT_HOURS = f"""
    select sum(t.hours), sum(case when r.employment_type = 'contractor' then t.hours else 0 end),
           sum(t.billable_hours)
    from marts.fct_time_entries as t
    join marts.dim_project as p on p.project_key = t.project_key
    left join marts.dim_resource as r on r.resource_key = t.resource_key
    where t.is_approved and not coalesce(p.is_internal, false) and not coalesce(p.is_unknown, false)
        and t.spent_date <= (select max(month_end_date) from {MART})
"""


@pytest.mark.parametrize("firm", ["xs_warehouse", "xs_clean_warehouse"])
def test_hours_tie_to_approved_client_time(firm: str, request: pytest.FixtureRequest) -> None:
    warehouse = request.getfixturevalue(firm)
    ((hours, contractor_hours, billable),) = _rows(warehouse, APPROVED_CLIENT_HOURS)
    ((m_hours, m_contractor, m_billable, m_employee),) = _rows(
        warehouse,
        f"select sum(hours_total), sum(contractor_hours), sum(billable_hours), sum(employee_hours)"
        f" from {MART}",
    )
    assert hours > 0
    assert m_hours == hours
    assert m_contractor == contractor_hours
    assert m_billable == billable
    assert m_employee + m_contractor == m_hours


def test_cost_ties_to_time_entry_cost_in_cost_currency(xs_clean_warehouse: Path) -> None:
    """Labor + contractor cost, re-translated here from each entry's cost currency at the month average,
    equals the mart's (same rate per month, so only cent rounding per project, month and currency)."""
    ((mart_cost, rebuilt, n_groups),) = _rows(
        xs_clean_warehouse,
        f"""
        with cost as (
            select t.project_key, date_trunc('month', t.spent_date) as m, t.cost_currency_code as ccy,
                   sum(cast(t.cost_amount_cost_currency as numeric(38, 6))) as amt
            from marts.fct_time_entries as t
            join marts.dim_project as p on p.project_key = t.project_key
            where t.is_approved and not coalesce(p.is_internal, false) and not coalesce(p.is_unknown, false)
                and t.spent_date <= (select max(month_end_date) from {MART})
            group by 1, 2, 3
        )
        select (select sum(labor_cost_reporting + contractor_cost_reporting) from {MART}),
               sum(c.amt * case when c.ccy = 'USD' then 1 else fx.average_rate end), count(*)
        from cost as c
        left join intermediate.int_fx_rates_periodic as fx
            on fx.period_start = c.m and fx.from_currency = c.ccy and fx.to_currency = 'USD'
        """,
    )
    assert mart_cost > 0
    assert abs(Decimal(str(rebuilt)) - mart_cost) <= Decimal("0.006") * n_groups


def test_known_rate_card_gap_shows_up(xs_warehouse: Path, xs_firm: Path, xs_clean_warehouse: Path) -> None:
    """The injected PSA_RATE_CARD_GAP defect removes a role's rate card in one currency: its billable hours
    have no standard value and are counted in billable_hours_without_rate_card; the clean firm has none."""
    truth = (xs_firm / "_truth" / "defects.csv").read_text()
    ((clean_gap,),) = _rows(xs_clean_warehouse, f"select sum(billable_hours_without_rate_card) from {MART}")
    assert clean_gap == 0
    ((gap,),) = _rows(xs_warehouse, f"select sum(billable_hours_without_rate_card) from {MART}")
    if "PSA_RATE_CARD_GAP" in truth:
        assert gap > 0
    else:
        assert gap == 0


def test_realization_components_are_consistent(xs_clean_warehouse: Path) -> None:
    """Credit memos are netted (billed = invoiced - credited), collections never exceed what was billed over
    the life of the firm, and overall realization = billing x collection realization at any grain."""
    ((inv, cred, billed, coll, std, overall, product),) = _rows(
        xs_clean_warehouse,
        f"""
        select sum(invoiced_reporting), sum(credited_reporting), sum(billed_reporting),
               sum(collected_reporting), sum(standard_value_reporting),
               sum(collected_reporting) / sum(standard_value_reporting),
               (sum(billed_reporting) / sum(standard_value_reporting))
                   * (sum(collected_reporting) / sum(billed_reporting))
        from {MART}
        """,
    )
    assert inv > 0 and cred > 0 and std > 0
    assert billed == inv - cred
    assert 0 < coll <= billed
    assert overall == pytest.approx(product, rel=1e-12)


def test_latest_full_month_margin_is_plausible(xs_clean_warehouse: Path) -> None:
    """Firm gross margin % of the latest full month, Σ margin / Σ revenue, is in a professional-services
    range; on T&M the period margin sits near the generator's T&M delivery margin (about 33 %)."""
    ((month, margin_pct, tm_margin_pct),) = _rows(
        xs_clean_warehouse,
        f"""
        select month_start_date, sum(margin_reporting) / sum(revenue_reporting),
               sum(margin_reporting) filter (where contract_type = 'time_and_materials')
                   / sum(revenue_reporting) filter (where contract_type = 'time_and_materials')
        from {MART}
        where month_start_date = (select max(month_start_date) from {MART} where not is_partial_month)
        group by 1
        """,
    )
    assert month is not None
    assert 0.15 < margin_pct < 0.6, (month, margin_pct)
    assert 0.2 < tm_margin_pct < 0.5, (month, tm_margin_pct)
