"""The queries behind the KPI report's charts, checked on the xs sample firm against independent SQL.

Each test recomputes a chart's numbers another way (from the KPI marts' own identities or from a different
grouping), so a wrong filter, sign or join in throughline/report/data.py fails here, not in front of a
finance reader. The breaks section is checked on a small hand-made recon_summary, since the reconciliation
marts are built by another part of the pipeline.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from throughline.kpi_summary import LINES
from throughline.report import ReportError, data, render
from throughline.report.formats import money, money_scale
from throughline.report.render import sparkline


@pytest.fixture(scope="module")
def con(xs_warehouse: Path):
    with duckdb.connect(str(xs_warehouse), read_only=True) as c:
        yield c


@pytest.fixture(scope="module")
def ctx(con) -> data.Context:
    return data.load_context(con)


def test_context_is_the_latest_complete_group_month(con, ctx: data.Context) -> None:
    latest = con.execute(
        "select max(month_start_date) from marts.kpi_firm_monthly "
        "where is_consolidated and not is_partial_month"
    ).fetchone()[0]
    assert ctx.month == latest
    assert ctx.previous == date(latest.year - (latest.month == 1), (latest.month - 2) % 12 + 1, 1)
    assert ctx.first_trend_month == date(latest.year - 1 + (latest.month == 12), latest.month % 12 + 1, 1)
    assert ctx.as_of_date >= ctx.month
    assert ctx.currency == "USD"
    assert ctx.firm_name == "Throughline Partners Inc."  # the parent subsidiary of the sample firm
    assert "firm v1" in ctx.definition_versions and "backlog v1" in ctx.definition_versions


def test_headline_ends_on_the_as_of_month_with_twelve_months_at_most(con, ctx: data.Context) -> None:
    rows = data.headline(con, ctx)
    assert rows[-1]["month_start_date"] == ctx.month
    assert 1 <= len(rows) <= data.TREND_MONTHS
    assert all(r["legal_entity_key"] == "GROUP" for r in rows)


def test_backlog_waterfall_ties_opening_movements_closing(con, ctx: data.Context) -> None:
    wf = data.backlog_waterfall(con, ctx)
    assert wf is not None and wf.month <= ctx.month
    assert wf.opening + sum(v for _, v in wf.steps) == pytest.approx(wf.closing, abs=0.01)
    # Closing is the month-end backlog snapshot; opening is the snapshot of the month before.
    snapshot = (
        "select sum(backlog_reporting)::double from marts.kpi_backlog_monthly "
        "where month_start_date = ? and not is_fx_rate_missing"
    )
    assert wf.closing == pytest.approx(con.execute(snapshot, [wf.month]).fetchone()[0], abs=0.01)
    previous = data._months_back(wf.month, 1)
    assert wf.opening == pytest.approx(con.execute(snapshot, [previous]).fetchone()[0] or 0.0, abs=0.01)
    # Revenue recognized leaves the backlog: the step is negative and equals the month's revenue.
    steps = dict(wf.steps)
    revenue = con.execute(
        "select sum(revenue_recognized_reporting)::double from marts.kpi_backlog_rollforward "
        "where month_start_date = ? and not is_fx_rate_missing",
        [wf.month],
    ).fetchone()[0]
    assert steps["Revenue recognized"] == pytest.approx(-revenue) and revenue > 0


def test_backlog_trend_ends_on_the_waterfall_closing(con, ctx: data.Context) -> None:
    wf = data.backlog_waterfall(con, ctx)
    trend = data.backlog_trend(con, ctx)
    assert trend[-1]["month_start_date"] == wf.month
    assert trend[-1]["closing_reporting"] == pytest.approx(wf.closing, abs=0.01)


def test_practice_utilization_rolls_up_to_the_firm_line(con, ctx: data.Context) -> None:
    practices = data.utilization_by_practice(con, ctx)
    firm = {r["month_start_date"]: r["billable_utilization"] for r in data.utilization_firm(con, ctx)}
    assert len({r["practice_name"] for r in practices}) >= 2
    for month, value in firm.items():
        rows = [r for r in practices if r["month_start_date"] == month]
        pooled = sum(r["billable_hours"] for r in rows) / sum(r["capacity_hours"] for r in rows)
        assert pooled == pytest.approx(value, rel=1e-9), month  # Σ/Σ, the same as the GROUP roll-up
    assert max(firm) == ctx.month


def test_margin_best_and_worst_ten(con, ctx: data.Context) -> None:
    best, worst = data.margin_by_engagement(con, ctx)
    assert len(best) == 10 and 1 <= len(worst) <= 10
    assert not {r["project_key"] for r in best} & {r["project_key"] for r in worst}
    assert [r["margin_reporting"] for r in best] == sorted(
        (r["margin_reporting"] for r in best), reverse=True
    )
    assert [r["margin_reporting"] for r in worst] == sorted(r["margin_reporting"] for r in worst)
    # Independent: the extremes of trailing-twelve-month margin per project straight from the mart.
    top, bottom = con.execute(
        "select max(m), min(m) from (select sum(margin_reporting)::double as m "
        "from marts.kpi_project_margin_monthly where month_start_date between ? and ? group by project_key "
        "having sum(revenue_reporting) <> 0 or sum(cost_reporting) <> 0)",
        [ctx.first_trend_month, ctx.month],
    ).fetchone()
    assert best[0]["margin_reporting"] == pytest.approx(top)
    assert worst[0]["margin_reporting"] == pytest.approx(bottom)
    for r in best + worst:
        assert r["margin_reporting"] == pytest.approx(r["revenue_reporting"] - r["cost_reporting"], abs=0.02)


def test_aging_entities_stack_up_to_the_group(con, ctx: data.Context) -> None:
    rows = data.aging_profile(con, ctx)
    buckets = {r["aging_bucket"] for r in rows}
    assert "Current" in buckets and buckets <= {"Current", "1-30", "31-60", "61-90", "90+"}
    for bucket in buckets:
        group = sum(
            r["open_amount_reporting"] for r in rows if r["aging_bucket"] == bucket and r["entity"] == "GROUP"
        )
        parts = sum(
            r["open_amount_reporting"] for r in rows if r["aging_bucket"] == bucket and r["entity"] != "GROUP"
        )
        assert parts == pytest.approx(group, abs=0.05), bucket  # intercompany left out on both sides


def test_dso_trend_is_the_group_rows(con, ctx: data.Context) -> None:
    rows = data.dso_trend(con, ctx)
    assert rows and rows[-1]["month_start_date"] <= ctx.month
    assert all(r["dso_simple_days"] is None or r["dso_simple_days"] >= 0 for r in rows)


def test_data_quality_counts_match_the_load_log(con) -> None:
    q = data.data_quality(con)
    assert q is not None
    files, rejected = con.execute("select count(*), sum(rows_rejected) from raw.load_log").fetchone()
    assert sum(r["files"] for r in q.loads) == files
    assert (
        sum(r["rows_quarantined"] for r in q.rejects)
        == con.execute("select count(*) from raw.rejects").fetchone()[0]
    )
    # The xs firm is generated with defects: some rows are quarantined, and each one is in raw.rejects.
    assert rejected > 0 and sum(r["rows_quarantined"] for r in q.rejects) == rejected
    assert all(w["status"] != "loaded" and w["message"] for w in q.warnings)


# -- open breaks on a hand-made recon_summary --------------------------------------------------------------

RECON_ROWS = """insert into marts.recon_summary values
    ('AR01', 'ar', 'Finance Ops', 'high', '0-7d', 4, 12500.00),
    ('AR01', 'ar', 'Finance Ops', 'medium', '8-30d', 2, 3000.00),
    ('REV02', 'revenue', 'Controllers', 'critical', '31-90d', 1, 80000.00),
    ('REV02', 'revenue', NULL, 'low', '90d+', 3, 500.00),
    ('TIME03', 'time', 'Resourcing', 'low', '0-7d', 7, 0.00),
    ('BILL04', 'billing', 'Finance Ops', 'high', '90d+', 0, 0.00)"""


def _recon_db(path: Path, columns: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(f"create table marts.recon_summary ({columns})")
    return con


def test_breaks_by_owner_check_and_age_hand_computed(tmp_path: Path) -> None:
    con = _recon_db(
        tmp_path / "r.duckdb",
        "check_id varchar, check_family varchar, owner varchar, severity varchar, age_band varchar, "
        "open_breaks integer, amount_at_risk_reporting decimal(18,2)",
    )
    con.execute(RECON_ROWS)
    b = data.open_breaks(con)
    assert b.missing is None
    owners = {
        (r["owner"], r["severity"]): (r["open_breaks"], r["amount_at_risk_reporting"]) for r in b.by_owner
    }
    # BILL04 has no open break: it is left out everywhere.
    assert owners == {
        ("Controllers", "critical"): (1, 80000.0),
        ("Finance Ops", "high"): (4, 12500.0),
        ("Finance Ops", "medium"): (2, 3000.0),
        ("(unassigned)", "low"): (3, 500.0),
        ("Resourcing", "low"): (7, 0.0),
    }
    checks = [
        (r["check_id"], r["check_family"], r["open_breaks"], r["amount_at_risk_reporting"])
        for r in b.by_check
    ]
    assert checks == [
        ("REV02", "revenue", 4, 80500.0),
        ("AR01", "ar", 6, 15500.0),
        ("TIME03", "time", 7, 0.0),
    ]
    ages = [(r["age_band"], r["severity"], r["open_breaks"]) for r in b.by_age]
    assert [a for a, _, _ in ages] == [
        "0-7d",
        "0-7d",
        "8-30d",
        "31-90d",
        "90d+",
    ]  # by the band's first number
    assert sum(n for _, _, n in ages) == 17


def test_breaks_without_optional_columns(tmp_path: Path) -> None:
    con = _recon_db(
        tmp_path / "r.duckdb",
        "check_id varchar, owner varchar, age_band varchar, open_breaks integer, "
        "amount_at_risk_reporting double",
    )
    con.execute(
        "insert into marts.recon_summary values ('X1', 'Ops', '0-7d', 2, 10.5), ('X1', 'Ops', 'old', 1, 1)"
    )
    b = data.open_breaks(con)
    assert b.missing is None
    assert [(r["severity"], r["open_breaks"], r["amount_at_risk_reporting"]) for r in b.by_owner] == [
        ("unrated", 3, 11.5)
    ]
    assert [r["age_band"] for r in b.by_age] == ["0-7d", "old"]  # a band without a number sorts last


def test_breaks_missing_table_or_columns_say_so(tmp_path: Path) -> None:
    older = duckdb.connect(str(tmp_path / "o.duckdb"))  # a warehouse from before the reconciliation marts
    older.execute("create schema marts")
    assert "not in this warehouse" in (data.open_breaks(older).missing or "")
    partial = _recon_db(tmp_path / "p.duckdb", "check_id varchar, owner varchar, open_breaks integer")
    assert data.open_breaks(partial).missing == (
        "marts.recon_summary has no column age_band, amount_at_risk_reporting"
    )


def test_no_open_breaks_is_good_news_not_empty_charts(tmp_path: Path) -> None:
    con = _recon_db(
        tmp_path / "r.duckdb",
        "check_id varchar, owner varchar, age_band varchar, open_breaks integer, "
        "amount_at_risk_reporting double",
    )
    con.execute("insert into marts.recon_summary values ('X1', 'Ops', '0-7d', 0, 0)")
    ctx = data.Context(date(2026, 10, 1), None, date(2025, 11, 1), date(2026, 11, 13), "USD", "Firm")
    section = render._breaks(con, ctx)
    assert section.charts == [] and section.unavailable is None
    assert section.message.startswith("No open breaks") and section.tiles[0].value == "0"


# -- formats, sparkline, errors ----------------------------------------------------------------------------


def test_money_and_scale_formats() -> None:
    assert money(2565889.42) == "2.57m"
    assert money(-97681.33) == "-97.68k"
    assert money(-0.0) == "0" and money(None) == "-"
    assert money_scale([None, -2.5e6, 10]) == (1e6, "m")
    assert money_scale([]) == (1.0, "")


def test_tile_tone_follows_what_a_rise_means() -> None:
    lines = {line.column: line for line in LINES}
    now, before = (
        {"dso_simple_days": 45.0, "revenue_reporting": 1.2e6},
        {"dso_simple_days": 40.0, "revenue_reporting": 1e6},
    )
    dso = render._tile(lines["dso_simple_days"], now, before, [before, now])
    assert (dso.value, dso.change, dso.tone) == ("45.0 d", "+5.0 d", "bad")  # DSO up: cash comes in later
    revenue = render._tile(lines["revenue_reporting"], now, before, [before, now])
    assert (revenue.value, revenue.change, revenue.tone) == ("1.20m", "+20.0%", "good")
    first = render._tile(lines["revenue_reporting"], now, None, [now])
    assert (first.change, first.tone, first.spark) == ("", "", "")


def test_sparkline_skips_missing_points() -> None:
    svg = sparkline([1, None, 3, 2])
    assert svg.count(",") == 3 and "<polyline" in svg
    assert sparkline([None, 1]) == ""


def test_a_warehouse_without_kpi_marts_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with (
        duckdb.connect(str(empty), read_only=True) as c,
        pytest.raises(ReportError, match="kpi_firm_monthly"),
    ):
        data.load_context(c)
