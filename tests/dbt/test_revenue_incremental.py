"""fct_revenue is incremental: booked months stay as booked, and a changed estimate is caught up in the
first month the run rewrites (revrec v1). Runs dbt twice on a copy of the clean xs warehouse."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
from dbt_raw_fixtures import run_dbt

SELECT = ["--select", "int_revenue_by_contract_month", "fct_revenue"]


def test_estimate_change_is_a_catch_up_not_a_restatement(xs_clean_warehouse: Path, tmp_path: Path) -> None:
    wh = tmp_path / "warehouse.duckdb"
    shutil.copy(xs_clean_warehouse, wh)
    with duckdb.connect(str(wh), read_only=True) as con:
        # a fixed-fee contract with cost in at least three closed months
        pid, last_month = con.execute(
            """
            select psa_project_id, max(revenue_month) from marts.fct_revenue
            where revenue_method = 'cost_to_cost' and amount_transaction > 0
            group by 1 having count(*) >= 3 and max(percent_complete) < 0.7
            order by 1 limit 1
            """
        ).fetchone()
    as_of = last_month - timedelta(days=1)  # month end before the latest closed month
    first_run = ["run", "--full-refresh", *SELECT, "--vars", f"{{revrec_as_of_date: '{as_of}'}}"]
    run_dbt(first_run, wh, tmp_path / "t")
    with duckdb.connect(str(wh)) as con:
        booked = dict(
            con.execute(
                "select revenue_month, amount_transaction from marts.fct_revenue where psa_project_id = ?",
                [pid],
            ).fetchall()
        )
        # the estimate at completion drops by 20 %: more percent complete, a catch-up is due
        con.execute(
            "update raw_psa.projects set eac_cost = eac_cost * 0.8 where cast(id as varchar) = ?", [pid]
        )
    run_dbt(["run", *SELECT, "--vars", "{revrec_restate_months: 1}"], wh, tmp_path / "t")
    with duckdb.connect(str(wh), read_only=True) as con:
        rows = con.execute(
            """
            select f.revenue_month, f.amount_transaction, f.cumulative_amount_transaction,
                i.cumulative_revenue
            from marts.fct_revenue as f
            join intermediate.int_revenue_by_contract_month as i
                on i.project_id = f.psa_project_id and i.revenue_month = f.revenue_month
            where f.psa_project_id = ? order by 1
            """,
            [pid],
        ).fetchall()
    months = [r[0] for r in rows]
    latest_booked = max(booked)
    assert months[-1] == last_month and latest_booked < last_month
    for month, amount, cumulative, estimate in rows:
        if month < latest_booked:
            assert amount == booked[month], month  # closed and not rewritten
        else:
            assert cumulative == estimate, month  # rewritten months: cumulative = current estimate
    assert sum(r[1] for r in rows) == rows[-1][3]
    restated = next(r for r in rows if r[0] == latest_booked)
    assert restated[1] > booked[latest_booked], "the catch-up lands in the first rewritten month"
