"""The queries behind the KPI report: one function per chart, each a set-based query on the published marts.

Every function takes an open read-only DuckDB connection and the report's `Context` (the as-of month), and
returns plain Python values (floats, not Decimals), so the charts and the tests read the same numbers. The
SQL lives here, in the open, because the report shows it under each chart: an analyst can paste it into
the DuckDB CLI and get the figure back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import duckdb

Row = dict[str, object]

# The KPI marts whose `definition_version` the report lists in its header.
KPI_TABLES = (
    "kpi_firm_monthly",
    "kpi_utilization_monthly",
    "kpi_backlog_rollforward",
    "kpi_project_margin_monthly",
    "kpi_dso_monthly",
    "kpi_ar_aging_monthly",
)
TREND_MONTHS = 12


class ReportError(Exception):
    """A warehouse the report cannot be written from; the message says what to do."""


class WarehouseBusy(ReportError):
    """Another process holds the warehouse file so that it cannot even be opened read-only."""


def fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[Row]:
    """Rows as dicts keyed by column name."""
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    """The table's column names, empty when the table does not exist (so a section can say so)."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    return {r[0] for r in rows}


@dataclass(frozen=True)
class Context:
    """What the whole report is about: the latest complete month, the one before and the firm."""

    month: date
    previous: date | None
    first_trend_month: date
    as_of_date: date
    currency: str
    firm_name: str
    definition_versions: list[str] = field(default_factory=list)


def _months_back(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def load_context(con: duckdb.DuckDBPyConnection) -> Context:
    """The as-of month is the latest complete consolidated month of kpi_firm_monthly, as in kpi_summary."""
    if not columns(con, "marts", "kpi_firm_monthly"):
        raise ReportError(
            "marts.kpi_firm_monthly is missing: this is not a built Throughline warehouse; "
            "run `throughline run` (or `throughline demo`) first"
        )
    months = fetch(
        con,
        "select month_start_date, reporting_currency_code from marts.kpi_firm_monthly "
        "where is_consolidated and not is_partial_month order by month_start_date desc limit 2",
    )
    if not months:
        raise ReportError("marts.kpi_firm_monthly has no complete month yet; load more extracts and rerun")
    month = months[0]["month_start_date"]
    as_of = con.execute(
        "select max(as_of_date) from marts.kpi_utilization_monthly"
        if "as_of_date" in columns(con, "marts", "kpi_utilization_monthly")
        else "select max(month_end_date) from marts.kpi_firm_monthly"
    ).fetchone()[0]
    return Context(
        month=month,
        previous=months[1]["month_start_date"] if len(months) > 1 else None,
        first_trend_month=_months_back(month, TREND_MONTHS - 1),
        as_of_date=as_of or month,
        currency=str(months[0]["reporting_currency_code"]),
        firm_name=_firm_name(con),
        definition_versions=_definition_versions(con),
    )


def _firm_name(con: duckdb.DuckDBPyConnection) -> str:
    rows = fetch(
        con,
        "select legal_name from marts.dim_legal_entity "
        "where erp_parent_subsidiary_id is null and not is_unknown and not is_elimination "
        "order by erp_subsidiary_id limit 1",
    )
    return str(rows[0]["legal_name"]) if rows else "Throughline"


def _definition_versions(con: duckdb.DuckDBPyConnection) -> list[str]:
    present = [t for t in KPI_TABLES if "definition_version" in columns(con, "marts", t)]
    if not present:
        return []
    sql = " union ".join(f"select distinct definition_version from marts.{t}" for t in present)
    return sorted(str(r[0]) for r in con.execute(sql).fetchall() if r[0] is not None)


# -- headline ---------------------------------------------------------------------------------------------

HEADLINE_SQL = """select *
from marts.kpi_firm_monthly
where is_consolidated and not is_partial_month and month_start_date between ? and ?
order by month_start_date"""


def headline(con: duckdb.DuckDBPyConnection, ctx: Context) -> list[Row]:
    """The GROUP row of each complete month in the trend window, oldest first (tiles and sparklines)."""
    return fetch(con, HEADLINE_SQL, [ctx.first_trend_month, ctx.month])


# -- utilization ------------------------------------------------------------------------------------------

UTILIZATION_SQL = """select month_start_date,
    coalesce(practice_name, '(no practice)') as practice_name,
    sum(billable_hours)::double as billable_hours,
    sum(capacity_hours)::double as capacity_hours,
    sum(billable_hours)::double / nullif(sum(capacity_hours), 0)::double as billable_utilization
from marts.kpi_utilization_monthly
where is_in_firm_totals and month_start_date between ? and ?
group by all
order by practice_name, month_start_date"""

FIRM_UTILIZATION_SQL = """select month_start_date, billable_utilization, target_utilization
from marts.kpi_utilization_entity_monthly
where is_consolidated and month_start_date between ? and ?
order by month_start_date"""


def utilization_by_practice(con: duckdb.DuckDBPyConnection, ctx: Context) -> list[Row]:
    """Billable utilization per practice and month: Σ billable hours ÷ Σ capacity, never a mean of ratios."""
    return fetch(con, UTILIZATION_SQL, [ctx.first_trend_month, ctx.month])


def utilization_firm(con: duckdb.DuckDBPyConnection, ctx: Context) -> list[Row]:
    """The firm line (GROUP row of the entity roll-up) drawn over the practices."""
    return fetch(con, FIRM_UTILIZATION_SQL, [ctx.first_trend_month, ctx.month])


# -- backlog ----------------------------------------------------------------------------------------------

# (label, column, sign as it enters `closing = opening + ...`), in the order of docs/metrics.md.
BACKLOG_STEPS: tuple[tuple[str, str, int], ...] = (
    ("Bookings", "bookings_reporting", 1),
    ("Change orders", "change_orders_reporting", 1),
    ("Revenue recognized", "revenue_recognized_reporting", -1),
    ("Revenue outside backlog", "revenue_outside_backlog_reporting", 1),
    ("Cancellations", "cancellations_reporting", -1),
    ("Completion releases", "completion_releases_reporting", -1),
    ("Overrun adjustment", "overrun_adjustment_reporting", 1),
    ("FX translation", "fx_reporting", 1),
    ("Residual (source breaks)", "residual_reporting", 1),
)

BACKLOG_MONTH_SQL = """select max(month_start_date) as month_start_date
from marts.kpi_backlog_rollforward where month_start_date <= ?"""

BACKLOG_SQL = (
    "select sum(opening_reporting)::double as opening_reporting,\n    "
    + ",\n    ".join(f"sum({c})::double as {c}" for _, c, _ in BACKLOG_STEPS)
    + """,
    sum(closing_reporting)::double as closing_reporting,
    count(*) filter (where is_fx_rate_missing) as fx_missing_rows
from marts.kpi_backlog_rollforward
where month_start_date = ? and not is_fx_rate_missing"""
)

BACKLOG_TREND_SQL = """select month_start_date, sum(closing_reporting)::double as closing_reporting
from marts.kpi_backlog_rollforward
where month_start_date between ? and ? and not is_fx_rate_missing
group by all order by month_start_date"""


@dataclass(frozen=True)
class Waterfall:
    """The group backlog roll-forward of one month: opening, signed movements, closing."""

    month: date
    opening: float
    steps: list[tuple[str, float]]
    closing: float
    fx_missing_rows: int


def backlog_waterfall(con: duckdb.DuckDBPyConnection, ctx: Context) -> Waterfall | None:
    """The roll-forward of the latest month up to the as-of month, Σ over contracts in reporting currency.

    Rows without an FX rate have NULL reporting amounts; they are left out (and counted) so the waterfall
    still ties: opening + Σ movements = closing.
    """
    month = con.execute(BACKLOG_MONTH_SQL, [ctx.month]).fetchone()[0]
    if month is None:
        return None
    row = fetch(con, BACKLOG_SQL, [month])[0]
    if row["fx_missing_rows"] is None:
        row["fx_missing_rows"] = 0
    return Waterfall(
        month=month,
        opening=row["opening_reporting"] or 0.0,
        steps=[(label, sign * (row[col] or 0.0)) for label, col, sign in BACKLOG_STEPS],
        closing=row["closing_reporting"] or 0.0,
        fx_missing_rows=int(row["fx_missing_rows"]),
    )


def backlog_trend(con: duckdb.DuckDBPyConnection, ctx: Context) -> list[Row]:
    """Closing backlog per month end over the trend window."""
    return fetch(con, BACKLOG_TREND_SQL, [ctx.first_trend_month, ctx.month])


# -- margin -----------------------------------------------------------------------------------------------

MARGIN_SQL = """select m.project_key,
    coalesce(p.project_code, m.project_key) as project_code,
    coalesce(p.project_name, '(unknown project)') as project_name,
    coalesce(c.client_name, '(unknown client)') as client_name,
    sum(m.revenue_reporting)::double as revenue_reporting,
    sum(m.cost_reporting)::double as cost_reporting,
    sum(m.margin_reporting)::double as margin_reporting,
    sum(m.margin_reporting)::double / nullif(sum(m.revenue_reporting), 0)::double as margin_pct
from marts.kpi_project_margin_monthly m
left join marts.dim_project p using (project_key)
left join marts.dim_client c on c.client_key = m.client_key
where m.month_start_date between ? and ? and m.margin_reporting is not null
group by all
having sum(m.revenue_reporting) <> 0 or sum(m.cost_reporting) <> 0
order by margin_reporting desc, project_code"""


def margin_by_engagement(
    con: duckdb.DuckDBPyConnection, ctx: Context, n: int = 10
) -> tuple[list[Row], list[Row]]:
    """Best and worst `n` engagements by gross margin over the trailing twelve months (reporting currency).

    Ranked by margin amount, not %, so a tiny engagement at -300 % does not hide a large one losing money.
    The worst list never repeats an engagement of the best list (small firms have fewer than 2n).
    """
    rows = fetch(con, MARGIN_SQL, [ctx.first_trend_month, ctx.month])
    best = rows[:n]
    worst = [r for r in reversed(rows[n:])][:n]
    return best, worst


# -- DSO and aging ----------------------------------------------------------------------------------------

DSO_SQL = """select month_start_date, dso_simple_days, dso_countback_days, bpdso_days
from marts.kpi_dso_monthly
where is_consolidated and month_start_date between ? and ?
order by month_start_date"""

AGING_SQL = """select a.aging_bucket, a.aging_bucket_order,
    case when a.is_consolidated then 'GROUP' else coalesce(e.legal_entity_code, a.legal_entity_key) end
        as entity,
    sum(a.open_amount_reporting)::double as open_amount_reporting,
    sum(a.open_invoice_count) as open_invoice_count
from marts.kpi_ar_aging_monthly a
left join marts.dim_legal_entity e using (legal_entity_key)
where a.month_start_date = ? and not a.is_intercompany
group by all
order by a.aging_bucket_order, entity"""


def dso_trend(con: duckdb.DuckDBPyConnection, ctx: Context) -> list[Row]:
    """Group DSO (simple, count-back, best possible) per month over the trend window."""
    return fetch(con, DSO_SQL, [ctx.first_trend_month, ctx.month])


def aging_profile(con: duckdb.DuckDBPyConnection, ctx: Context) -> list[Row]:
    """Open AR (ex intercompany) by aging bucket and entity at the as-of month end, plus the GROUP rows."""
    return fetch(con, AGING_SQL, [ctx.month])


# -- open breaks ------------------------------------------------------------------------------------------

BREAK_COLUMNS = ("check_id", "owner", "age_band", "open_breaks", "amount_at_risk_reporting")


@dataclass(frozen=True)
class Breaks:
    """Open breaks from marts.recon_summary, or why they cannot be shown."""

    missing: str | None
    by_owner: list[Row] = field(default_factory=list)
    by_check: list[Row] = field(default_factory=list)
    by_age: list[Row] = field(default_factory=list)
    sql: str = ""


def _breaks_sql(cols: set[str]) -> str:
    """One grouping-sets query over whatever recon_summary has: family and severity are optional."""
    family = "coalesce(check_family, '')" if "check_family" in cols else "''"
    severity = "coalesce(severity, 'unrated')" if "severity" in cols else "'unrated'"
    return f"""select grouping_id(owner, check_id, age_band, severity) as grp,
    owner, check_id, check_family, age_band, severity,
    sum(open_breaks)::bigint as open_breaks,
    sum(amount_at_risk)::double as amount_at_risk_reporting
from (
    select coalesce(owner, '(unassigned)') as owner, check_id, {family} as check_family,
        coalesce(age_band, '(no age)') as age_band, {severity} as severity,
        coalesce(open_breaks, 0) as open_breaks, coalesce(amount_at_risk_reporting, 0) as amount_at_risk
    from marts.recon_summary
) b
group by grouping sets ((owner, severity), (check_id, check_family), (age_band, severity))
having sum(open_breaks) > 0
order by grp, amount_at_risk_reporting desc, open_breaks desc"""


def _age_key(label: object) -> tuple[int, str]:
    """Age bands sort by their first number ('0-7d' < '8-30d' < '90d+'); bands without one go last."""
    match = re.search(r"\d+", str(label))
    return (int(match.group()) if match else 10**9, str(label))


def open_breaks(con: duckdb.DuckDBPyConnection) -> Breaks:
    """Open breaks by owner, check and age band; a reason instead when recon_summary is absent or partial."""
    cols = columns(con, "marts", "recon_summary")
    if not cols:
        return Breaks(
            missing="marts.recon_summary is not in this warehouse (the reconciliation marts are not built)"
        )
    absent = [c for c in BREAK_COLUMNS if c not in cols]
    if absent:
        return Breaks(missing=f"marts.recon_summary has no column {', '.join(absent)}")
    sql = _breaks_sql(cols)
    rows = fetch(con, sql)
    # grouping_id bits (owner, check_id, age_band, severity): 1 = rolled up.
    by_owner = [r for r in rows if r["grp"] == 0b0110]
    by_check = [r for r in rows if r["grp"] == 0b1011]
    by_age = sorted((r for r in rows if r["grp"] == 0b1100), key=lambda r: _age_key(r["age_band"]))
    return Breaks(missing=None, by_owner=by_owner, by_check=by_check, by_age=by_age, sql=sql)


# -- data quality -----------------------------------------------------------------------------------------

# A file re-read by `throughline reload` keeps its earlier attempt in the log, marked superseded_by: only
# the latest attempt of each file counts. {current} is that filter (empty for logs older than reload).
LOADS_SQL = """select system, status, count(*) as files,
    sum(rows_loaded)::bigint as rows_loaded, sum(rows_rejected)::bigint as rows_rejected
from raw.load_log
where {current}
group by all order by system, status"""

REJECTS_SQL = """select system, rule, count(*) as rows_quarantined
from raw.rejects group by all order by rows_quarantined desc, system, rule"""

WARNINGS_SQL = """select extract_date, system, object, status, message
from raw.load_log
where status <> 'loaded' and coalesce(message, '') <> '' and {current}
order by extract_date desc, system, object"""


@dataclass(frozen=True)
class Quality:
    """What the loads of the extracts in this warehouse did: files by status, quarantined rows, warnings."""

    loads: list[Row]
    rejects: list[Row]
    warnings: list[Row]
    latest_extract: date | None


def data_quality(con: duckdb.DuckDBPyConnection) -> Quality | None:
    """From raw.load_log and raw.rejects (None when the warehouse has no load log)."""
    if not columns(con, "raw", "load_log"):
        return None
    rejects = fetch(con, REJECTS_SQL) if columns(con, "raw", "rejects") else []
    current = "superseded_by is null" if "superseded_by" in columns(con, "raw", "load_log") else "true"
    return Quality(
        loads=fetch(con, LOADS_SQL.format(current=current)),
        rejects=rejects,
        warnings=fetch(con, WARNINGS_SQL.format(current=current)),
        latest_extract=con.execute("select max(extract_date) from raw.load_log").fetchone()[0],
    )


# -- forecasts --------------------------------------------------------------------------------------------

FORECAST_SQL = """select month_start_date, horizon_months, actual_total::double as actual_reporting,
    forecast_total::double as forecast_reporting
from marts.kpi_forecast_accuracy_monthly
where kind = 'revenue' and grain = 'firm' and horizon_months in (1, 3) and month_start_date between ? and ?
order by month_start_date, horizon_months"""

FORECAST_AHEAD_SQL = """select target_month as month_start_date, forecast_value::double as forecast_reporting,
    snapshot_date
from marts.kpi_forecast_snapshots
where kind = 'revenue' and grain = 'firm'
    and snapshot_date = (select max(snapshot_date) from marts.kpi_forecast_snapshots where kind = 'revenue')
order by target_month"""

STATISTICAL_AHEAD_SQL = """select target_month as month_start_date,
    sum(forecast_value)::double as forecast_reporting
from marts.forecast_statistical_monthly
where measure = 'revenue'
group by target_month
order by target_month"""

ACCURACY_SQL = """select month_start_date, kind, grain, horizon_months, wape::double as wape,
    conversion_ratio::double as conversion_ratio
from marts.kpi_forecast_accuracy_monthly
where ((kind = 'revenue' and grain = 'practice' and horizon_months in (1, 3))
    or (kind = 'utilization' and grain = 'resource' and horizon_months = 1)
    or (kind = 'backlog_conversion'))
    and month_start_date between ? and ?
order by kind, horizon_months, month_start_date"""


@dataclass(frozen=True)
class Forecasts:
    """Firm revenue forecast vs actual (horizons 1 and 3), the latest snapshot's months ahead, the
    statistical forecast ahead (empty when not built) and the monthly accuracy rows."""

    past: list[Row]
    ahead: list[Row]
    statistical: list[Row]
    accuracy: list[Row]


def forecasts(con: duckdb.DuckDBPyConnection, ctx: Context) -> Forecasts | None:
    """The forecast section's rows, or None when the warehouse has no forecast marts."""
    if not columns(con, "marts", "kpi_forecast_accuracy_monthly"):
        return None
    window = [ctx.first_trend_month, ctx.month]
    has_stat = bool(columns(con, "marts", "forecast_statistical_monthly"))
    return Forecasts(
        past=fetch(con, FORECAST_SQL, window),
        ahead=fetch(con, FORECAST_AHEAD_SQL),
        statistical=fetch(con, STATISTICAL_AHEAD_SQL) if has_stat else [],
        accuracy=fetch(con, ACCURACY_SQL, window),
    )
