"""The ``marts/forecast_statistical_monthly`` asset: a statistical forecast of revenue and utilization per
practice, beside the schedule-based one in dbt (docs/metrics.md, "Statistical forecast").

It runs in Python because dbt has no time-series models: statsmodels' exponential smoothing on the
*monthly aggregate* per practice (a few dozen numbers per series, pulled from the run's build and written
back to it before the publish step). Holt-Winters with additive trend and 12-month seasonality needs two
full seasons; with fewer months the documented fallback is a damped Holt trend (6+ months), then the last
value. The same asset backtests the method against a naive last-value forecast at the 3-month horizon
(rolling origin, WAPE), so the docs can say honestly which one wins.
"""

import warnings
from collections.abc import Iterable

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import yaml

from orchestration.assets.dbt import LAYER_OWNERS, MART_FRESHNESS
from orchestration.dbt_project import DBT_PROJECT_DIR
from orchestration.resources import WarehouseResource

FORECAST_KEY = dg.AssetKey(["marts", "forecast_statistical_monthly"])
BACKTEST_TABLE = "marts.forecast_statistical_backtest"
#: Months forecast from the last complete month, and the backtest horizon (reference §6.3: 3 months).
HORIZON_MONTHS = 6
BACKTEST_HORIZON = 3
#: Seasonal periods, and the history each method needs (two full seasons for Holt-Winters).
SEASON = 12
MIN_SEASONAL = 2 * SEASON
MIN_TREND = 6
#: The backtest starts once a series has this many months of training history, and scores at most the
#: latest BACKTEST_ORIGINS origins (a year of monthly origins keeps the nightly asset to seconds).
MIN_TRAIN = 6
BACKTEST_ORIGINS = 12
#: Series at least this long start from statsmodels' heuristic initial states (fewer parameters to fit).
MIN_HEURISTIC = 10

_MONTHLY_SQL = """
with revenue as (
    select 'revenue' as measure, coalesce(p.practice_id, '-1') as practice_id, r.revenue_month as month,
        sum(cast(r.amount_reporting as decimal(38, 6))) as value  -- exact: a double sum varies with row order
    from marts.fct_revenue as r
    left join marts.dim_project as p on r.project_key = p.project_key
    group by all
), utilization as (
    select 'utilization' as measure, coalesce(practice_id, '-1') as practice_id, month_start_date as month,
        sum(billable_hours) / nullif(sum(capacity_hours), 0) as value
    from marts.kpi_utilization_monthly
    where not is_partial_month
    group by all
)
select * from revenue union all select * from utilization
order by measure, practice_id, month
"""


def definition_version() -> str:
    """The forecasts' definition version, from the same dbt var as the forecast marts (never a literal)."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return str(project["vars"]["kpi_definition_versions"]["forecasts"])


def load_monthly(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Monthly revenue (reporting currency) and billable utilization per practice, complete months only."""
    df = con.execute(_MONTHLY_SQL).df()
    df["month"] = pd.to_datetime(df["month"])
    return df


def _regular(series: pd.Series) -> pd.Series:
    """The series on a gap-free monthly index (a month without revenue is 0, not missing)."""
    idx = pd.date_range(series.index.min(), series.index.max(), freq="MS")
    return series.reindex(idx, fill_value=0.0).astype(float)


def fit_forecast(series: pd.Series, steps: int) -> tuple[np.ndarray, str]:
    """Forecast ``steps`` months after ``series`` (monthly, oldest first); returns values and method.

    24+ months: Holt-Winters (additive trend and 12-month season); 6+: damped Holt; else the last value.
    """
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    values = series.to_numpy(dtype=float)
    init = "heuristic" if len(values) >= MIN_HEURISTIC else "estimated"
    if len(values) >= MIN_SEASONAL:
        model = ExponentialSmoothing(
            values, trend="add", seasonal="add", seasonal_periods=SEASON, initialization_method=init
        )
        method = "holt_winters"
    elif len(values) >= MIN_TREND:
        model = ExponentialSmoothing(values, trend="add", damped_trend=True, initialization_method=init)
        method = "damped_holt"
    else:
        return np.repeat(values[-1] if len(values) else np.nan, steps), "last_value"
    with warnings.catch_warnings():  # convergence chatter on short series; the backtest judges the fit
        warnings.simplefilter("ignore")
        fitted = model.fit(use_brute=False)  # no grid search for starting values: 10x faster here
    return np.maximum(np.asarray(fitted.forecast(steps), dtype=float), 0.0), method


def forecast_frame(monthly: pd.DataFrame, steps: int = HORIZON_MONTHS) -> pd.DataFrame:
    """One row per measure x practice x target month after the last complete month."""
    rows = []
    for (measure, practice), group in monthly.groupby(["measure", "practice_id"]):
        series = _regular(group.set_index("month")["value"])
        values, method = fit_forecast(series, steps)
        origin = series.index[-1] + pd.offsets.MonthBegin(1)
        for h, value in enumerate(values, start=1):
            target = origin + pd.offsets.MonthBegin(h - 1)
            rows.append((measure, practice, origin, target, h, float(value), method, len(series)))
    columns = ["measure", "practice_id", "origin_month", "target_month", "horizon_months", "forecast_value"]
    return pd.DataFrame(rows, columns=[*columns, "method", "history_months"])


def backtest(monthly: pd.DataFrame, horizon: int = BACKTEST_HORIZON) -> pd.DataFrame:
    """Rolling-origin backtest: from each of the latest BACKTEST_ORIGINS origins with MIN_TRAIN months of
    history, the forecast ``horizon`` months ahead by the statistical method and by the last value."""
    rows = []
    for (measure, practice), group in monthly.groupby(["measure", "practice_id"]):
        series = _regular(group.set_index("month")["value"])
        last = len(series) - horizon
        for origin in range(max(MIN_TRAIN, last - BACKTEST_ORIGINS + 1), last + 1):
            train = series.iloc[:origin]
            values, method = fit_forecast(train, horizon)
            target = series.index[origin + horizon - 1]
            actual = float(series.iloc[origin + horizon - 1])
            naive = float(train.iloc[-1])
            rows.append(
                (
                    measure,
                    practice,
                    series.index[origin],
                    target,
                    horizon,
                    actual,
                    float(values[-1]),
                    naive,
                    method,
                )
            )
    columns = ["measure", "practice_id", "origin_month", "target_month", "horizon_months", "actual_value"]
    return pd.DataFrame(rows, columns=[*columns, "statistical_forecast", "naive_forecast", "method"])


def wape(actual: Iterable[float], forecast: Iterable[float]) -> float | None:
    """Σ|A - F| / Σ A (None when Σ A is 0): errors weighted by size, never a mean of percentages."""
    a = np.asarray(list(actual), dtype=float)
    f = np.asarray(list(forecast), dtype=float)
    total = a.sum()
    return None if total == 0 else float(np.abs(a - f).sum() / total)


def backtest_summary(bt: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    """WAPE of the statistical and the naive forecast per measure (over every practice and origin)."""
    return {
        str(measure): {
            "statistical_wape": wape(g["actual_value"], g["statistical_forecast"]),
            "naive_wape": wape(g["actual_value"], g["naive_forecast"]),
            "points": float(len(g)),
        }
        for measure, g in bt.groupby("measure")
    }


def write_tables(con: duckdb.DuckDBPyConnection, forecast: pd.DataFrame, bt: pd.DataFrame) -> None:
    """Replace both tables in the build (they are recomputed every night from the whole history)."""
    con.execute("create schema if not exists marts")
    version = definition_version()
    for name, frame in ((".".join(FORECAST_KEY.path), forecast), (BACKTEST_TABLE, bt)):
        con.register("forecast_frame", frame.assign(definition_version=version))
        con.execute(f"create or replace table {name} as select * from forecast_frame")
        con.unregister("forecast_frame")


FORECAST_CHECK = "forecast_complete"


def forecast_check(forecast: pd.DataFrame, steps: int = HORIZON_MONTHS) -> dg.AssetCheckResult:
    """``forecast_complete`` (WARN): every measure x practice has horizons 1..``steps``, once each, with a
    finite value. A fit that silently returns NaN or stops short shows here, not in next month's report."""
    problems: list[str] = []
    for (measure, practice), group in forecast.groupby(["measure", "practice_id"]):
        series = f"{measure}/{practice}"
        if sorted(group["horizon_months"]) != list(range(1, steps + 1)):
            problems.append(f"{series}: horizons {sorted(group['horizon_months'])}, want 1..{steps}")
        if not np.isfinite(group["forecast_value"].to_numpy(dtype=float)).all():
            problems.append(f"{series}: a forecast value is not a finite number")
    series_count = forecast.groupby(["measure", "practice_id"]).ngroups if len(forecast) else 0
    return dg.AssetCheckResult(
        check_name=FORECAST_CHECK,
        passed=not problems,
        severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(problems[:10])
        or f"{series_count} series, each forecast {steps} months ahead with finite values",
        metadata={"series": series_count, "problems": dg.MetadataValue.json(problems)},
    )


@dg.asset(
    key=FORECAST_KEY,
    deps=[
        dg.AssetKey(["marts", "fct_revenue"]),
        dg.AssetKey(["marts", "dim_project"]),
        dg.AssetKey(["marts", "kpi_utilization_monthly"]),
    ],
    group_name="dbt_kpis",  # beside the KPI marts: same owners and the same freshness expectation
    owners=[LAYER_OWNERS["kpis"]],
    freshness_policy=MART_FRESHNESS,
    kinds={"python", "duckdb"},
    check_specs=[
        dg.AssetCheckSpec(
            FORECAST_CHECK,
            asset=FORECAST_KEY,
            description="every series forecast 1..6 months ahead, once each, with a finite value",
        )
    ],
    description="Statistical forecast of revenue and billable utilization per practice (statsmodels "
    "Holt-Winters, damped Holt fallback) for the next 6 months, and its 3-month backtest against a naive "
    "last-value forecast (marts.forecast_statistical_backtest).",
)
def forecast_statistical_monthly(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        monthly = load_monthly(con)
        forecast = forecast_frame(monthly)
        bt = backtest(monthly)
        write_tables(con, forecast, bt)
    summary = backtest_summary(bt)
    context.log.info(f"statistical forecast: {len(forecast)} rows; 3-month backtest WAPE {summary}")
    return dg.MaterializeResult(
        metadata={
            "rows": len(forecast),
            "backtest_rows": len(bt),
            "backtest_wape": dg.MetadataValue.json(summary),
        },
        check_results=[forecast_check(forecast)],
    )
