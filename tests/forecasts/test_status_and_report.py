"""`throughline status` and the KPI report read the forecast marts, and say so when a warehouse has none."""

from __future__ import annotations

from datetime import date

import duckdb

from throughline.report import charts, data
from throughline.status import forecast_section


def _snapshots(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists marts")
    con.execute(
        """create table marts.kpi_forecast_snapshots as select * from (values
        (date '2026-10-01', 'month_start', 'revenue', 'firm', 'GROUP', date '2026-10-01', 1, 100.0),
        (date '2026-11-20', 'nightly', 'revenue', 'firm', 'GROUP', date '2026-12-01', 1, 120.0),
        (date '2026-11-20', 'nightly', 'revenue', 'firm', 'GROUP', date '2027-01-01', 2, 130.0))
        t(snapshot_date, snapshot_type, kind, grain, grain_key, target_month, horizon_months,
        forecast_value)"""
    )


def test_status_shows_the_latest_snapshot() -> None:
    con = duckdb.connect()
    assert forecast_section(con) == [
        "  skipped: this warehouse has no marts.kpi_forecast_snapshots (forecasts not built)"
    ]
    _snapshots(con)
    assert forecast_section(con) == ["  latest snapshot 2026-11-20 (nightly, 2 rows); 2 snapshots frozen"]


def test_report_forecast_rows() -> None:
    con = duckdb.connect()
    ctx = data.Context(
        month=date(2026, 10, 1),
        previous=date(2026, 9, 1),
        first_trend_month=date(2025, 11, 1),
        as_of_date=date(2026, 11, 13),
        currency="USD",
        firm_name="Test",
    )
    assert data.forecasts(con, ctx) is None  # no forecast marts: the section says it is unavailable
    _snapshots(con)
    con.execute(
        """create table marts.kpi_forecast_accuracy_monthly as select * from (values
        (date '2026-10-01', 'revenue', 'firm', 1, 90.0, 100.0, 0.1, 1.1),
        (date '2026-10-01', 'revenue', 'practice', 1, 90.0, 100.0, 0.25, 0.9),
        (date '2026-10-01', 'utilization', 'resource', 3, 1.0, 1.0, 0.5, 1.0))
        t(month_start_date, kind, grain, horizon_months, actual_total, forecast_total, wape,
        conversion_ratio)"""
    )
    fc = data.forecasts(con, ctx)
    assert fc is not None
    assert fc.past == [
        {
            "month_start_date": date(2026, 10, 1),
            "horizon_months": 1,
            "actual_reporting": 90.0,
            "forecast_reporting": 100.0,
        }
    ]
    assert [r["month_start_date"] for r in fc.ahead] == [date(2026, 12, 1), date(2027, 1, 1)]
    assert fc.statistical == []  # the statistical forecast table is not there
    assert [(r["kind"], r["grain"]) for r in fc.accuracy] == [("revenue", "practice")]

    fig = charts.forecast_vs_actual(fc, "USD")
    assert [t.name for t in fig.data] == [
        "Actual",
        "Forecast 1 month(s) ahead",
        "Forecast 3 month(s) ahead",
        "Latest snapshot",
    ]
    assert list(fig.data[0].customdata) == ["90"] and list(fig.data[1].customdata) == ["100"]
    acc = charts.forecast_accuracy(fc.accuracy)
    assert list(acc.data[0].y) == [0.25]  # revenue by practice, 1 month ahead: its WAPE
