"""Every SQL block of docs/analysts.md runs against the xs sample firm and answers its question sensibly.

The blocks are extracted by their ``<!-- query: label -->`` marker, so the doc and the test cannot drift: a
new block without a check here fails ``test_every_block_has_a_label_and_a_check``. Each check ties the answer
to a second source where one exists (the firm headline, the detail fact, the injected defects).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.dbt_project import ensure_manifest

DOC = Path(__file__).resolve().parents[2] / "docs" / "analysts.md"
BLOCK = re.compile(r"<!-- query: (\w+) -->\n```sql\n(.*?)```", re.S)


def doc_queries() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    found = BLOCK.findall(text)
    return dict(found)


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> object:
    return con.execute(sql, params or []).fetchone()[0]  # type: ignore[index]


def near(a: object, b: object, tol: float = 0.01) -> bool:
    return abs(float(a) - float(b)) <= tol  # type: ignore[arg-type]


def check_utilization(df: pd.DataFrame, con: duckdb.DuckDBPyConnection, firm: Path) -> None:
    assert df["billable_utilization"].between(0, 1.5).all()
    (month,) = set(df["month_start_date"])
    last = scalar(
        con, "select max(month_start_date) from marts.kpi_utilization_monthly where not is_partial_month"
    )
    assert month.date() == last if hasattr(month, "date") else month == last
    firm_hours = scalar(
        con,
        "select billable_hours from marts.kpi_utilization_entity_monthly "
        "where legal_entity_key = 'GROUP' and month_start_date = ?",
        [last],
    )
    assert near(df["billable_hours"].sum(), firm_hours)  # practices add up to the firm


def check_backlog(df: pd.DataFrame, con: duckdb.DuckDBPyConnection, firm: Path) -> None:
    assert (df["backlog_reporting"] >= 0).all()
    assert list(df["backlog_reporting"]) == sorted(df["backlog_reporting"], reverse=True)
    firm_backlog = scalar(
        con,
        "select backlog_reporting from marts.kpi_firm_monthly where legal_entity_key = 'GROUP' "
        "and month_end_date = ?",
        [df["month_end_date"].iloc[0]],
    )
    assert near(df["backlog_reporting"].sum(), firm_backlog)  # clients add up to the firm's backlog


def check_worst_margin(df: pd.DataFrame, con: duckdb.DuckDBPyConnection, firm: Path) -> None:
    assert 1 <= len(df) <= 10
    pct = list(df["margin_itd_pct"])
    assert pct == sorted(pct)
    for row in df.itertuples():
        assert row.revenue_itd_reporting > 0
        assert abs(row.margin_itd_pct - float(row.margin_itd_reporting / row.revenue_itd_reporting)) < 0.01


def check_dso(df: pd.DataFrame, con: duckdb.DuckDBPyConnection, firm: Path) -> None:
    assert 1 <= len(df) <= 12
    months = list(df["month_end_date"])
    assert months == sorted(set(months))
    assert months[-1] == pd.Timestamp(scalar(con, "select max(month_end_date) from marts.kpi_dso_monthly"))
    assert (df["dso_simple_days"].dropna() >= 0).all() and df["dso_simple_days"].notna().any()


def check_aging(df: pd.DataFrame, con: duckdb.DuckDBPyConnection, firm: Path) -> None:
    buckets = [c for c in df.columns if c.endswith("_reporting") and c != "open_amount_reporting"]
    assert len(buckets) == 5
    for row in df.itertuples():
        parts = sum(float(getattr(row, b)) for b in buckets if pd.notna(getattr(row, b)))
        assert near(parts, row.open_amount_reporting)
    detail = scalar(
        con,
        "select sum(open_amount_reporting) from marts.fct_ar_open_items where as_of_date = ?",
        [df["month_end_date"].iloc[0]],
    )
    assert near(df["open_amount_reporting"].sum(), detail, tol=0.05 * len(df))  # ties to the open items


def check_unbilled_time(df: pd.DataFrame, con: duckdb.DuckDBPyConnection, firm: Path) -> None:
    assert (df["unbilled_hours"] > 0).all()
    assert (df["older_than_30_days_reporting"] <= df["unbilled_value_reporting"] + 0.01).all()
    as_of = scalar(con, "select max(spent_date) from marts.fct_time_entries where is_approved")
    with (firm / "_truth" / "defects.csv").open(newline="") as f:
        injected = [json.loads(r["related_keys"]) for r in csv.DictReader(f) if r["kind"] == "B1"]
    old = {
        str(k["project_id"])
        for k in injected
        if date.fromisoformat(k["spent_date"]) < as_of - timedelta(days=30)  # type: ignore[operator]
    }
    assert old, "the xs firm has no B1 (never invoiced) defect older than 30 days"
    codes = dict(con.execute("select project_key, project_code from marts.dim_project").fetchall())
    flagged = set(df.loc[df["older_than_30_days_reporting"] > 0, "project_code"])
    assert {codes[p] for p in old} <= flagged  # every injected never-invoiced entry is on the list


def check_leakage(df: pd.DataFrame, con: duckdb.DuckDBPyConnection, firm: Path) -> None:
    assert 1 <= len(df) <= 12
    assert list(df["month_start_date"]) == sorted(df["month_start_date"])
    firm_rows = dict(
        con.execute(
            "select month_start_date, leakage_total_reporting from marts.kpi_firm_monthly "
            "where legal_entity_key = 'GROUP'"
        ).fetchall()
    )
    for row in df.itertuples():
        assert near(row.leakage_total_reporting, firm_rows[row.month_start_date.date()])


def check_revenue_vs_gl(df: pd.DataFrame, con: duckdb.DuckDBPyConnection, firm: Path) -> None:
    assert df["month_start_date"].nunique() <= 12 and len(df) >= 3
    assert (
        abs(df["revenue_entity"] - df["gl_revenue_entity"].astype(float) - df["difference_entity"]) < 0.02
    ).all()
    # The sub-ledger and the ledger agree to within a few percent per entity and month (defects aside).
    assert df["difference_pct"].abs().median() < 0.02


def check_cycle_time(df: pd.DataFrame, con: duckdb.DuckDBPyConnection, firm: Path) -> None:
    assert (df["projects"] > 0).all()
    assert (df["median_days"] <= df["p80_days"]).all()
    assert (df["active_before_win"] <= df["projects"]).all()
    measured = scalar(con, "select count(days_won_to_active) from marts.kpi_cycle_times")
    assert df["projects"].sum() == measured


def check_open_breaks(df: pd.DataFrame, con: duckdb.DuckDBPyConnection, firm: Path) -> None:
    assert (df["amount_at_risk_reporting"].fillna(0) >= 0).all()
    open_breaks = scalar(con, "select count(*) from marts.recon_breaks where not is_waived")
    assert df["breaks"].sum() == open_breaks


CHECKS: dict[str, Callable[[pd.DataFrame, duckdb.DuckDBPyConnection, Path], None]] = {
    "utilization_by_practice_last_month": check_utilization,
    "backlog_by_client": check_backlog,
    "worst_margin_projects": check_worst_margin,
    "dso_trend": check_dso,
    "aging_by_entity": check_aging,
    "unbilled_time_by_project": check_unbilled_time,
    "leakage_by_month": check_leakage,
    "revenue_vs_gl": check_revenue_vs_gl,
    "cycle_time_won_to_active": check_cycle_time,
    "open_breaks_by_owner": check_open_breaks,
}

#: Marts another workstream builds, with the columns the query relies on: the query is skipped (with the
#: reason) until the table has them.
NEEDS_TABLE = {
    "open_breaks_by_owner": (
        "recon_breaks",
        {"owner", "severity", "is_waived", "amount_at_risk_reporting", "check_id"},
    ),
}


def test_every_block_has_a_label_and_a_check() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert text.count("```sql") == len(doc_queries()) == 10
    assert set(doc_queries()) == set(CHECKS)


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        t
        for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }


def _missing(con: duckdb.DuckDBPyConnection, label: str) -> str | None:
    """Why the query cannot run on this warehouse (its table or a column is missing), else None."""
    if label not in NEEDS_TABLE:
        return None
    table, columns = NEEDS_TABLE[label]
    have = {
        c
        for (c,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = ?",
            [table],
        ).fetchall()
    }
    if not have:
        return f"marts.{table} is not built on this branch yet"
    if columns - have:
        return f"marts.{table} has no column(s) {', '.join(sorted(columns - have))} yet"
    return None


@pytest.mark.parametrize("label", list(CHECKS))
def test_query_answers_its_question(label: str, xs_warehouse: Path, xs_firm: Path) -> None:
    sql = doc_queries()[label]
    with duckdb.connect(str(xs_warehouse), read_only=True) as con:
        reason = _missing(con, label)
        assert reason is None, f"docs/analysts.md question {label}: {reason}"  # built now: never a skip
        df = con.execute(sql).df()
        assert len(df) > 0, f"{label} returned no rows"
        CHECKS[label](df, con, xs_firm)


def test_catalogue_lists_every_mart(xs_warehouse: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(\w+)` \|", text, re.M))
    with duckdb.connect(str(xs_warehouse), read_only=True) as con:
        built = _tables(con)
    assert built - listed == set(), "marts missing from the catalogue in docs/analysts.md"


def test_every_documented_column_is_a_comment_in_the_warehouse(xs_warehouse: Path) -> None:
    """Analysts read the docs where they query: every column a model documents carries its description as
    a DuckDB comment (dbt's persist_docs, with the project's one-read ``duckdb__alter_column_comment``)."""
    manifest = json.loads(ensure_manifest().read_text())
    documented = {
        (node["schema"], node["alias"], column): spec["description"].strip()
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] != "ephemeral"
        for column, spec in node["columns"].items()
        if spec.get("description")
    }
    with duckdb.connect(str(xs_warehouse), read_only=True) as con:
        comments = {
            (schema, table, column): (comment or "").strip()
            for schema, table, column, comment in con.execute(
                "select schema_name, table_name, column_name, comment from duckdb_columns()"
            ).fetchall()
        }
    assert len(documented) > 1000
    wrong = {key: comments.get(key) for key, text in documented.items() if comments.get(key) != text}
    assert not wrong, f"{len(wrong)} documented columns without their comment, e.g. {list(wrong.items())[:3]}"


def test_open_breaks_query_on_a_hand_built_break_list(tmp_path: Path) -> None:
    """The breaks query on a four-row break list with the columns marts.recon_breaks promises."""
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.recon_breaks as select * from (values "
            "('billing', 'error', false, 100.0, 'B1'), ('billing', 'error', false, 50.0, 'B2'), "
            "('billing', 'error', true, 900.0, 'B1'), ('pmo', 'warn', false, null, 'R6')"
            ") t(owner, severity, is_waived, amount_at_risk_reporting, check_id)"
        )
        df = con.execute(doc_queries()["open_breaks_by_owner"]).df()
        check_open_breaks(df, con, tmp_path)
        rows = con.execute(doc_queries()["open_breaks_by_owner"]).fetchall()
    # waived breaks drop out; the money at risk sums per owner and severity; biggest first
    assert rows == [("billing", "error", 2, 2, 150.0), ("pmo", "warn", 1, 1, None)]
