"""The statistical forecast asset's pieces on small, hand-made series (no warehouse, a few fits)."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.assets.forecasts import (
    backtest,
    backtest_summary,
    fit_forecast,
    forecast_check,
    forecast_frame,
    load_monthly,
    wape,
    write_tables,
)


def _series(n: int, start: str = "2023-01-01") -> pd.Series:
    """Trend 1,000 + 20 a month with a 12-month season of amplitude 200 (no noise)."""
    idx = pd.date_range(start, periods=n, freq="MS")
    t = np.arange(n)
    return pd.Series(1000 + 20 * t + 200 * np.sin(2 * math.pi * t / 12), index=idx)


def test_wape_is_weighted_not_a_mean_of_percentages() -> None:
    # |100-80| + |50-70| + |0-30| = 70 over 150; a mean of APEs would divide by the zero actual
    assert wape([100, 50, 0], [80, 70, 30]) == pytest.approx(70 / 150)
    assert wape([0, 0], [5, 1]) is None


def test_method_follows_the_history_length() -> None:
    assert fit_forecast(_series(30), 3)[1] == "holt_winters"
    assert fit_forecast(_series(12), 3)[1] == "damped_holt"
    values, method = fit_forecast(_series(4), 3)
    assert method == "last_value" and list(values) == [_series(4).iloc[-1]] * 3


def test_holt_winters_recovers_a_clean_season() -> None:
    full = _series(33)
    values, method = fit_forecast(full.iloc[:30], 3)
    assert method == "holt_winters"
    assert np.allclose(values, full.iloc[30:].to_numpy(), rtol=0.02)


def test_backtest_beats_the_last_value_on_a_seasonal_series() -> None:
    monthly = pd.DataFrame(
        {
            "measure": "revenue",
            "practice_id": "1",
            "month": _series(30).index,
            "value": _series(30).to_numpy(),
        }
    )
    bt = backtest(monthly, horizon=3)
    assert len(bt) == 12  # the latest 12 origins
    assert (bt["target_month"] == bt["origin_month"] + pd.offsets.MonthBegin(2)).all()
    summary = backtest_summary(bt)["revenue"]
    assert summary["statistical_wape"] < summary["naive_wape"]


def test_load_forecast_and_write_on_a_tiny_warehouse() -> None:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.dim_project as "
        "select * from (values ('P1', '1'), ('P2', '2')) t(project_key, practice_id)"
    )
    months = pd.date_range("2025-01-01", periods=8, freq="MS")
    revenue = pd.DataFrame(
        {"project_key": ["P1"] * 8, "revenue_month": months, "amount_reporting": range(100, 900, 100)}
    )
    con.register("revenue_frame", revenue)
    con.execute("create table marts.fct_revenue as select * from revenue_frame")
    con.execute(
        """create table marts.kpi_utilization_monthly as select * from (values
        ('2', date '2025-01-01', 60.0, 100.0, false), ('2', date '2025-01-01', 20.0, 100.0, false),
        ('2', date '2025-02-01', 10.0, 100.0, true)) t(practice_id, month_start_date, billable_hours,
        capacity_hours, is_partial_month)"""
    )
    monthly = load_monthly(con)
    util = monthly[monthly["measure"] == "utilization"]
    assert util["value"].tolist() == [pytest.approx(0.4)]  # Σ billable / Σ capacity; partial month left out
    forecast = forecast_frame(monthly)
    rev_rows = forecast[forecast["measure"] == "revenue"]
    assert rev_rows["method"].unique().tolist() == ["damped_holt"]
    assert rev_rows["target_month"].min() == pd.Timestamp("2025-09-01") and len(rev_rows) == 6
    assert forecast[forecast["measure"] == "utilization"]["method"].unique().tolist() == ["last_value"]
    write_tables(con, forecast, backtest(monthly))
    stored = con.execute(
        "select count(*), min(definition_version) from marts.forecast_statistical_monthly"
    ).fetchone()
    assert stored == (len(forecast), "forecast v1")
    # the asset's forecast_complete check on this forecast: two series, six months each, all finite
    check = forecast_check(forecast)
    assert check.passed and check.metadata["series"].value == 2, check.description


def test_forecast_check_names_a_short_or_broken_series() -> None:
    rows = [("revenue", "1", h, 100.0 + h) for h in range(1, 7)]
    rows += [("utilization", "2", h, 0.6) for h in (1, 2, 3)]  # stops short
    rows += [("revenue", "3", h, float("nan") if h == 4 else 50.0) for h in range(1, 7)]
    frame = pd.DataFrame(rows, columns=["measure", "practice_id", "horizon_months", "forecast_value"])
    check = forecast_check(frame)
    assert not check.passed and check.metadata["series"].value == 3
    assert check.metadata["problems"].value == [
        "revenue/3: a forecast value is not a finite number",
        "utilization/2: horizons [1, 2, 3], want 1..6",
    ]
