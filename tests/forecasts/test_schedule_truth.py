"""The schedule-based forecast for the next month equals the generator's plan (``_truth/schedule.csv``)
wherever nothing changed after the snapshot (clean xs firm)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb

#: Projects whose plan changed after the snapshot, or whose schedule the forecast knowingly moves (an item
#: settled before the snapshot, an overdue one pulled into the first month), are left out of the comparison.
_COMPARABLE_SQL = """
with snap as (
    select max(snapshot_date) as s from marts.kpi_forecast_snapshots where snapshot_type = 'month_start'
), booked as (
    select p.project_key
    from marts.dim_project as p
    left join marts.dim_contract as c on p.contract_key = c.contract_key and not c.is_amendment
    where not p.is_unknown and p.is_billable
        and coalesce(c.contract_date, p.start_date) < (select s from snap)
), changed as (
    select project_id as project_key from staging.stg_psa__change_orders
    where approved_date >= (select s from snap)
    union
    select project_id from staging.stg_psa__assignments where modified_at >= (select s from snap)
    union
    select project_id from staging.stg_psa__milestones as m, snap
    where (date_trunc('month', m.due_date) = snap.s and coalesce(m.accepted_date, m.completed_date) < snap.s)
        or (m.due_date < snap.s and coalesce(m.accepted_date, m.completed_date, snap.s) >= snap.s)
)
select project_key from booked where project_key not in (select project_key from changed)
"""


def _forecast(con: duckdb.DuckDBPyConnection) -> tuple[str, dict[str, Decimal]]:
    snap = con.execute(
        "select max(snapshot_date) from marts.kpi_forecast_snapshots where snapshot_type = 'month_start'"
    ).fetchone()[0]
    rows = con.execute(
        """select project_key, sum(amount_transaction) from marts.kpi_forecast_revenue_lines
        where snapshot_date = ? and horizon_months = 1 and is_backlog group by 1""",
        [snap],
    ).fetchall()
    return snap.isoformat(), {k: Decimal(v) for k, v in rows}


def _plan(truth: Path, month: str) -> tuple[dict[str, Decimal], set[str]]:
    plan: dict[str, Decimal] = {}
    components: set[str] = set()
    with (truth / "schedule.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["month"] == month:
                plan[row["project_id"]] = plan.get(row["project_id"], Decimal(0)) + Decimal(
                    row["scheduled_revenue"]
                )
                components.add(row["component"])
    return plan, components


def test_next_month_forecast_equals_the_plan(xs_clean_firm: Path, xs_clean_warehouse: Path) -> None:
    with duckdb.connect(str(xs_clean_warehouse), read_only=True) as con:
        month, forecast = _forecast(con)
        comparable = {r[0] for r in con.execute(_COMPARABLE_SQL).fetchall()}
    plan, components = _plan(xs_clean_firm / "_truth", month)
    keys = comparable & (set(plan) | set(forecast))
    assert len(keys) >= 5 and {"time_and_materials", "retainer"} <= components
    diffs = {
        k: (forecast.get(k, Decimal(0)), plan.get(k, Decimal(0)))
        for k in sorted(keys)
        if abs(forecast.get(k, Decimal(0)) - plan.get(k, Decimal(0))) > Decimal("0.01")
    }
    assert diffs == {}
    # the filter is not hiding everything: most of the month's planned revenue is compared
    assert sum(plan[k] for k in keys if k in plan) > Decimal("0.5") * sum(plan.values())
