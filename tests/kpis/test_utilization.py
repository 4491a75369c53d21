"""Utilization KPI (docs/metrics.md, Utilization) on the xs sample firm built by the nightly pipeline.

Capacity is recomputed here independently from the staging views (resources, holidays, time off) with pandas
and compared with the marts; hours tie to fct_time_entries; the injected PSA defects that touch utilization
(zero or missing weekly capacity, time after termination) must show up.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

WORKDAYS = 5  # var utilization_workdays_per_week
DEDUCTED_TIME_OFF = ("approved",)  # var utilization_deducted_time_off_statuses


def _df(warehouse: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).df()


def _one(warehouse: Path, sql: str) -> tuple:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(sql).fetchone()
    assert row is not None
    return row


def _expected_capacity(warehouse: Path) -> pd.DataFrame:
    """Capacity per resource and month recomputed from staging, without the dbt calendar."""
    as_of, span_start = _one(
        warehouse,
        "select max(as_of_date), min(month_start_date) from marts.kpi_utilization_monthly",
    )
    resources = _df(
        warehouse,
        "select resource_id, country_code, hire_date, termination_date, "
        "coalesce(weekly_capacity_hours, 0)::double as weekly from staging.stg_psa__resources",
    )
    holidays = _df(warehouse, "select distinct country_code, holiday_date from staging.stg_psa__holidays")
    statuses = ", ".join(f"'{s}'" for s in DEDUCTED_TIME_OFF)
    time_off = _df(
        warehouse,
        "select resource_id, off_date, sum(hours)::double as off from staging.stg_psa__time_off "
        f"where time_off_status in ({statuses}) group by all",
    )
    days = pd.DataFrame({"day": pd.date_range(span_start, as_of, freq="D")})
    days = days[days["day"].dt.day_of_week < WORKDAYS]  # Mon=0 .. Fri=4
    cal = resources.merge(days, how="cross")
    hire = pd.to_datetime(cal["hire_date"])
    term = pd.to_datetime(cal["termination_date"])
    cal = cal[(cal["day"] >= hire) & (term.isna() | (cal["day"] <= term))].copy()
    cal["gross"] = cal["weekly"] / WORKDAYS
    hol = holidays.assign(day=pd.to_datetime(holidays["holiday_date"]), is_holiday=True)
    cal = cal.merge(hol[["country_code", "day", "is_holiday"]], on=["country_code", "day"], how="left")
    cal["holiday"] = cal["gross"].where(cal["is_holiday"].fillna(False).astype(bool), 0.0)
    off = time_off.assign(day=pd.to_datetime(time_off["off_date"]))[["resource_id", "day", "off"]]
    cal = cal.merge(off, on=["resource_id", "day"], how="left")
    left = cal["gross"] - cal["holiday"]
    cal["time_off"] = cal["off"].fillna(0.0).clip(lower=0.0).where(lambda s: s < left, left)
    cal["net"] = cal["gross"] - cal["holiday"] - cal["time_off"]
    cal["month_start_date"] = cal["day"].dt.to_period("M").dt.to_timestamp()
    return (
        cal.groupby(["resource_id", "month_start_date"], as_index=False)[
            ["gross", "holiday", "time_off", "net"]
        ]
        .sum()
        .rename(columns={"resource_id": "psa_resource_id"})
    )


@pytest.mark.slow
@pytest.mark.parametrize("firm", ["xs_clean_warehouse", "xs_warehouse"])
def test_capacity_matches_an_independent_recompute(firm: str, request: pytest.FixtureRequest) -> None:
    """Gross, holiday, time-off and net capacity per resource-month equal a pandas recompute from staging."""
    warehouse: Path = request.getfixturevalue(firm)
    expected = _expected_capacity(warehouse)
    mart = _df(
        warehouse,
        "select psa_resource_id, month_start_date, gross_capacity_hours::double as m_gross, "
        "holiday_hours::double as m_holiday, time_off_hours::double as m_time_off, "
        "capacity_hours::double as m_net from marts.kpi_utilization_monthly",
    )
    mart["month_start_date"] = pd.to_datetime(mart["month_start_date"])
    both = expected.merge(mart, on=["psa_resource_id", "month_start_date"], how="outer").fillna(0.0)
    assert len(both) > 100
    assert expected["holiday"].sum() > 0 and expected["time_off"].sum() > 0
    for col in ("gross", "holiday", "time_off", "net"):
        diff = (both[col] - both[f"m_{col}"]).abs()
        assert diff.max() < 1e-6, both.loc[diff.idxmax()].to_dict()


@pytest.mark.slow
def test_no_holiday_or_time_off_hour_in_a_capacity_denominator(xs_clean_warehouse: Path) -> None:
    """Checked against staging directly: a working day that is a public holiday of the resource's country
    has no net capacity, and an approved day off never leaves more than the day's capacity minus the time
    off."""
    (holiday_days, bad_holidays, off_days, bad_off) = _one(
        xs_clean_warehouse,
        """
        with cal as (
            select c.*, r.country_code as resource_country
            from intermediate.int_resource_days_calendared c
            join staging.stg_psa__resources r on r.resource_id = c.psa_resource_id
        ),
        hol as (select distinct country_code, holiday_date from staging.stg_psa__holidays),
        off as (
            select resource_id, off_date, sum(hours) as hours from staging.stg_psa__time_off
            where time_off_status = 'approved' group by all
        )
        select
            count(*) filter (where h.holiday_date is not null and isodow(cal.calendar_date) <= 5),
            count(*) filter (where h.holiday_date is not null and cal.net_capacity_hours <> 0),
            count(*) filter (where o.off_date is not null and isodow(cal.calendar_date) <= 5),
            count(*) filter (
                where o.off_date is not null
                and cal.net_capacity_hours > greatest(cal.gross_capacity_hours - o.hours, 0)
            )
        from cal
        left join hol h on h.country_code = cal.resource_country and h.holiday_date = cal.calendar_date
        left join off o on o.resource_id = cal.psa_resource_id and o.off_date = cal.calendar_date
        """,
    )
    assert holiday_days > 0 and off_days > 0
    assert bad_holidays == 0
    assert bad_off == 0
    # and the mart adds up: capacity = gross - holiday - time off on every row
    (bad_rows,) = _one(
        xs_clean_warehouse,
        "select count(*) from marts.kpi_utilization_monthly "
        "where capacity_hours <> gross_capacity_hours - holiday_hours - time_off_hours or capacity_hours < 0",
    )
    assert bad_rows == 0


@pytest.mark.slow
def test_capacity_is_zero_outside_employment(xs_warehouse: Path) -> None:
    (outside, terminated) = _one(
        xs_warehouse,
        """
        select
            count(*) filter (
                where c.calendar_date < r.hire_date or c.calendar_date > r.termination_date
            ),
            count(distinct r.resource_id) filter (where r.termination_date is not null)
        from intermediate.int_resource_days_calendared c
        join staging.stg_psa__resources r on r.resource_id = c.psa_resource_id
        """,
    )
    assert outside == 0
    assert terminated > 0
    # months wholly after termination or before hire carry no capacity in the mart
    (bad,) = _one(
        xs_warehouse,
        """
        select count(*) from marts.kpi_utilization_monthly k
        join staging.stg_psa__resources r on r.resource_id = k.psa_resource_id
        where (k.month_start_date > r.termination_date or k.month_end_date < r.hire_date)
          and (k.gross_capacity_hours <> 0 or k.employed_working_days <> 0)
        """,
    )
    assert bad == 0


def _hours_tie_out(warehouse: Path) -> tuple:
    """(resource-months whose hours differ, the mart's total hours, the fact's): the mart against approved
    hours in fct_time_entries up to the as-of date, per resource and month (total, billable, productive)."""
    return _one(
        warehouse,
        """
        with as_of as (select max(as_of_date) as d from marts.kpi_utilization_monthly),
        fact as (
            select psa_resource_id, date_trunc('month', spent_date)::date as month_start_date,
                   sum(hours) as total,
                   sum(hours) filter (where is_billable) as billable,
                   sum(hours) filter (
                       where is_billable or work_type in ('client', 'presales', 'internal', 'training')
                   ) as productive
            from marts.fct_time_entries
            where is_approved and spent_date <= (select d from as_of)
            group by all
        ),
        joined as (
            select k.total_hours, k.billable_hours, k.productive_hours, f.total, f.billable, f.productive
            from marts.kpi_utilization_monthly k
            full join fact f using (psa_resource_id, month_start_date)
        )
        select
            count(*) filter (
                where coalesce(total_hours, 0) <> coalesce(total, 0)
                   or coalesce(billable_hours, 0) <> coalesce(billable, 0)
                   or coalesce(productive_hours, 0) <> coalesce(productive, 0)
            ),
            sum(total_hours), sum(total)
        from joined
        """,
    )


@pytest.mark.slow
@pytest.mark.parametrize("firm", ["xs_clean_warehouse", "xs_warehouse"])
def test_hours_tie_out_to_fct_time_entries(firm: str, request: pytest.FixtureRequest) -> None:
    """Sum of hours in the mart = sum of approved hours in fct_time_entries up to the as-of date, per
    resource and month, for total, billable and productive hours."""
    mismatches, mart_total, fact_total = _hours_tie_out(request.getfixturevalue(firm))
    assert fact_total > 0
    assert mismatches == 0
    assert mart_total == fact_total


@pytest.mark.slow
def test_hours_tie_out_with_an_as_of_date_in_mid_month(xs_warehouse: Path, tmp_path: Path) -> None:
    """With kpi_as_of_date on the 10th of the last month, its month counts the approved hours up to that
    day only: the KPI reads the fact for that month, the monthly sum (fct_time_entries_monthly, whole
    months) for the months before."""
    from dbt_raw_fixtures import run_dbt

    warehouse = tmp_path / "wh.duckdb"
    shutil.copy(xs_warehouse, warehouse)
    (last_month,) = _one(warehouse, "select max(month_start_date) from marts.fct_time_entries_monthly")
    as_of = last_month.replace(day=10)
    run_dbt(
        ["run", "-s", "kpi_utilization_monthly", "--vars", json.dumps({"kpi_as_of_date": as_of.isoformat()})],
        warehouse,
        tmp_path / "target",
    )
    (later,) = _one(
        warehouse, f"select count(*) from marts.fct_time_entries where is_approved and spent_date > '{as_of}'"
    )
    assert later > 0  # the as-of day leaves approved time of its month out
    assert _one(warehouse, "select max(as_of_date) from marts.kpi_utilization_monthly") == (as_of,)
    mismatches, mart_total, fact_total = _hours_tie_out(warehouse)
    assert fact_total > 0
    assert mismatches == 0
    assert mart_total == fact_total


@pytest.mark.slow
@pytest.mark.parametrize("firm", ["xs_clean_warehouse", "xs_warehouse"])
def test_latest_full_month_firm_utilization_is_plausible(firm: str, request: pytest.FixtureRequest) -> None:
    """Firm billable utilization of the latest full month, sum/sum over the resource rows, is a plausible
    professional-services figure and equals the GROUP row of the entity roll-up."""
    warehouse: Path = request.getfixturevalue(firm)
    month, billable, capacity, ratio, total_ratio = _one(
        warehouse,
        """
        select month_start_date, sum(billable_hours), sum(capacity_hours),
               sum(billable_hours) / sum(capacity_hours), sum(total_hours) / sum(capacity_hours)
        from marts.kpi_utilization_monthly
        where is_in_firm_totals
          and month_start_date = (
              select max(month_start_date) from marts.kpi_utilization_monthly where not is_partial_month
          )
        group by 1
        """,
    )
    print(
        f"{firm} {month}: billable utilization {billable} / {capacity} = {ratio:.4f}; total {total_ratio:.4f}"
    )
    assert 0.45 <= ratio <= 0.95
    assert 0.7 <= total_ratio <= 1.3
    (group_ratio, group_billable, group_capacity) = _one(
        warehouse,
        "select billable_utilization, billable_hours, capacity_hours "
        "from marts.kpi_utilization_entity_monthly "
        f"where legal_entity_key = 'GROUP' and month_start_date = '{month}'",
    )
    assert (group_billable, group_capacity) == (billable, capacity)
    assert group_ratio == pytest.approx(ratio, rel=1e-6)
    # the group row is the sum of the entity rows, for every month and every summed column
    (bad_months,) = _one(
        warehouse,
        """
        select count(*) from (
            select month_start_date,
                   sum(capacity_hours) filter (where not is_consolidated) as e_cap,
                   sum(capacity_hours) filter (where is_consolidated) as g_cap,
                   sum(billable_hours) filter (where not is_consolidated) as e_bill,
                   sum(billable_hours) filter (where is_consolidated) as g_bill,
                   sum(total_hours) filter (where not is_consolidated) as e_tot,
                   sum(total_hours) filter (where is_consolidated) as g_tot
            from marts.kpi_utilization_entity_monthly group by 1
        ) where e_cap <> g_cap or e_bill <> g_bill or e_tot <> g_tot
        """,
    )
    assert bad_months == 0


def _defects(firm: Path, kind: str) -> list[dict]:
    with (firm / "_truth" / "defects.csv").open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["kind"] == kind]


@pytest.mark.slow
def test_injected_capacity_gaps_show_up(xs_firm: Path, xs_warehouse: Path) -> None:
    """Resources whose PSA weekly capacity was blanked or zeroed are flagged is_capacity_missing, with NULL
    ratios, in every month they are employed, and never contribute capacity."""
    gaps = {str(json.loads(d["record_key"])["id"]) for d in _defects(xs_firm, "PSA_CAPACITY_GAP")}
    if not gaps:
        pytest.skip("the xs firm has no PSA_CAPACITY_GAP defect")
    ids = ", ".join(f"'{g}'" for g in sorted(gaps))
    flagged = _df(
        xs_warehouse,
        f"""
        select psa_resource_id, count(*) as months,
               count(*) filter (where is_capacity_missing) as flagged,
               sum(capacity_hours) as capacity,
               count(billable_utilization) as ratios
        from marts.kpi_utilization_monthly
        where psa_resource_id in ({ids}) and employed_working_days > 0
        group by 1
        """,
    )
    assert set(flagged["psa_resource_id"]) == gaps
    assert (flagged["flagged"] == flagged["months"]).all()
    assert (flagged["capacity"] == 0).all() and (flagged["ratios"] == 0).all()
    (others,) = _one(
        xs_warehouse,
        f"select count(*) from marts.kpi_utilization_monthly where is_capacity_missing "
        f"and psa_resource_id not in ({ids})",
    )
    assert others == 0


@pytest.mark.slow
def test_time_after_termination_counts_hours_but_no_capacity(xs_firm: Path, xs_warehouse: Path) -> None:
    defects = _defects(xs_firm, "PSA_TIME_TERMINATED_RESOURCE")
    if not defects:
        pytest.skip("the xs firm has no PSA_TIME_TERMINATED_RESOURCE defect")
    for d in defects:
        entry_id = str(json.loads(d["record_key"])["id"])
        rel = json.loads(d["related_keys"])
        resource, spent = str(rel["resource_id"]), rel["spent_date"]
        (approved,) = _one(
            xs_warehouse,
            f"select count(*) from marts.fct_time_entries where time_entry_id = '{entry_id}' and is_approved",
        )
        (calendar_rows,) = _one(
            xs_warehouse,
            "select count(*) from intermediate.int_resource_days_calendared "
            f"where psa_resource_id = '{resource}' and calendar_date = '{spent}'",
        )
        assert calendar_rows == 0
        if approved:
            (rows,) = _one(
                xs_warehouse,
                "select count(*) from marts.kpi_utilization_monthly "
                f"where psa_resource_id = '{resource}' and total_hours > 0 "
                f"and month_start_date = date_trunc('month', date '{spent}')",
            )
            assert rows == 1
