"""kpi_forecast_snapshots is append-only: a rerun adds nothing, a new night adds its own snapshot and leaves
every row already written as it was. The lines behind the snapshots are frozen the same way: a night computes
its own nightly snapshot's lines and drops the last night's, and never rewrites a month start's. Runs dbt
twice on a copy of the clean xs warehouse."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
from dbt_raw_fixtures import run_dbt

_ROWS = (
    "select snapshot_date, kind, grain, grain_key, target_month, forecast_value, recorded_at "
    "from marts.kpi_forecast_snapshots"
)
LINES = ("kpi_forecast_revenue_lines", "kpi_forecast_utilization_lines", "kpi_forecast_eac")
_SELECT = [
    "--select",
    "int_forecast_snapshot_dates",
    "int_forecast_targets",
    "int_forecast_assignment_months",
    *LINES,
    "kpi_forecast_snapshots",
]


def _lines(con: duckdb.DuckDBPyConnection) -> dict[str, set[tuple[object, ...]]]:
    return {t: set(con.execute(f"select * from marts.{t}").fetchall()) for t in LINES}


def _month_start_lines(
    lines: dict[str, set[tuple[object, ...]]], dates: set[date]
) -> dict[str, set[tuple[object, ...]]]:
    """The lines of these month-start snapshots (snapshot_date is every lines table's first column)."""
    return {t: {r for r in rows if r[0] in dates} for t, rows in lines.items()}


def test_a_new_night_appends_and_never_rewrites(xs_clean_warehouse: Path, tmp_path: Path) -> None:
    wh = tmp_path / "warehouse.duckdb"
    shutil.copy(xs_clean_warehouse, wh)
    with duckdb.connect(str(wh)) as con:
        before = set(con.execute(_ROWS).fetchall())
        lines_before = _lines(con)
        tonight = con.execute("select max(snapshot_date) from marts.kpi_forecast_snapshots").fetchone()[0]
        # a later extract changes the plan of a month already frozen: the frozen rows must not move
        con.execute("update raw_psa.assignments set hours_per_week = hours_per_week * 2")
    night = tonight + timedelta(days=3)
    if night.day == 1:  # tonight's snapshot is a nightly one
        night += timedelta(days=1)
    frozen_months = {r[0] for rows in lines_before.values() for r in rows if r[0].day == 1}
    run_dbt(["run", *_SELECT, "--vars", f"{{forecast_as_of_date: '{night}'}}"], wh, tmp_path / "t")
    with duckdb.connect(str(wh), read_only=True) as con:
        after = set(con.execute(_ROWS).fetchall())
        lines_after = _lines(con)
        new_dates = {
            r[0]
            for r in con.execute("select distinct snapshot_date from marts.kpi_forecast_snapshots").fetchall()
        }
    assert before <= after  # every frozen row is still there, unchanged (value and recorded_at)
    added = after - before
    assert added and {r[0] for r in added} == {night}
    assert night in new_dates

    # the lines: the month starts' as they were (the doubled plan does not reach them), tonight's nightly
    # snapshot's new, the last night's gone
    assert frozen_months
    assert _month_start_lines(lines_after, frozen_months) == _month_start_lines(lines_before, frozen_months)
    for t, rows in lines_after.items():
        assert {r[0] for r in rows if r[0].day != 1} == {night}, t
    utilization_tonight = {r for r in lines_after["kpi_forecast_utilization_lines"] if r[0] == night}
    assert utilization_tonight and any(r[7] > 0 for r in utilization_tonight)  # scheduled_hours

    # the same night again: its nightly lines are replaced, not added twice, and nothing else moves
    run_dbt(["run", *_SELECT, "--vars", f"{{forecast_as_of_date: '{night}'}}"], wh, tmp_path / "t2")
    with duckdb.connect(str(wh), read_only=True) as con:
        assert set(con.execute(_ROWS).fetchall()) == after
        again = {t: con.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in LINES}
        assert _lines(con) == lines_after
    assert again == {t: len(rows) for t, rows in lines_after.items()}  # no line twice (sets hide doubles)


def test_the_snapshots_data_tests_judge_what_the_last_build_appended(
    xs_clean_warehouse: Path, tmp_path: Path
) -> None:
    """The snapshots grow by a night's snapshot every night; their data tests judge the rows the last build
    appended (meta build_stamp_column: recorded_at, macros/build_stamp.sql), as the facts' judge their last
    build: of a duplicate among older rows and one among the last build's, the tests find the second, an
    audit of every row both."""
    wh = tmp_path / "warehouse.duckdb"
    shutil.copy(xs_clean_warehouse, wh)
    with duckdb.connect(str(wh)) as con:  # the clean firm's snapshots were all frozen by one build
        first, last = con.execute(
            "select min(forecast_snapshot_id), max(forecast_snapshot_id) from marts.kpi_forecast_snapshots"
        ).fetchone()
        copy = (
            "insert into marts.kpi_forecast_snapshots select * {} from marts.kpi_forecast_snapshots "
            "where forecast_snapshot_id = ?"
        )
        older = "replace (timestamp '2000-01-01' as recorded_at)"
        con.execute(copy.format(older), [first])  # a duplicate an older build wrote
        con.execute(copy.format(""), [last])  # one the last build wrote
    tests = ["test", "-s", "kpi_forecast_snapshots", "--exclude-resource-type", "unit_test"]
    unique = "unique_kpi_forecast_snapshots_forecast_snapshot_id"  # a KPI mart's tests warn (severity)
    assert f"WARN 1 {unique}" in run_dbt(tests, wh, tmp_path / "t")
    assert f"WARN 2 {unique}" in run_dbt([*tests, "--vars", "{test_every_row: true}"], wh, tmp_path / "t")
