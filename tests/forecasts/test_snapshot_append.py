"""kpi_forecast_snapshots is append-only: a rerun adds nothing, a new night adds its own snapshot and leaves
every row already written as it was. Runs dbt once on a copy of the clean xs warehouse."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
from dbt_raw_fixtures import run_dbt

_ROWS = (
    "select snapshot_date, kind, grain, grain_key, target_month, forecast_value, recorded_at "
    "from marts.kpi_forecast_snapshots"
)


def test_a_new_night_appends_and_never_rewrites(xs_clean_warehouse: Path, tmp_path: Path) -> None:
    wh = tmp_path / "warehouse.duckdb"
    shutil.copy(xs_clean_warehouse, wh)
    with duckdb.connect(str(wh)) as con:
        before = set(con.execute(_ROWS).fetchall())
        tonight = con.execute("select max(snapshot_date) from marts.kpi_forecast_snapshots").fetchone()[0]
        # a later extract changes the plan of a month already frozen: the frozen rows must not move
        con.execute("update raw_psa.assignments set hours_per_week = hours_per_week * 2")
    night = tonight + timedelta(days=3)
    select = [
        "--select",
        "int_forecast_snapshot_dates",
        "int_forecast_targets",
        "int_forecast_assignment_months",
        "kpi_forecast_revenue_lines",
        "kpi_forecast_utilization_lines",
        "kpi_forecast_eac",
        "kpi_forecast_snapshots",
    ]
    run_dbt(["run", *select, "--vars", f"{{forecast_as_of_date: '{night}'}}"], wh, tmp_path / "t")
    with duckdb.connect(str(wh), read_only=True) as con:
        after = set(con.execute(_ROWS).fetchall())
        new_dates = {
            r[0]
            for r in con.execute("select distinct snapshot_date from marts.kpi_forecast_snapshots").fetchall()
        }
    assert before <= after  # every frozen row is still there, unchanged (value and recorded_at)
    added = after - before
    assert added and {r[0] for r in added} == {night}
    assert night in new_dates
