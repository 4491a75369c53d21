"""The semantic layer (dbt semantic models + MetricFlow metrics) agrees with the KPI marts it reads.

(a) Fast, no ``mf``: from the dbt manifest, every entity, dimension and measure of every semantic model names
    columns its dbt model declares, and each headline metric is Σ numerator ÷ Σ denominator of exactly the
    mart columns the KPI's written definition uses (balances declared semi-additive).
(b) On the xs sample firm built by the nightly: ``mf query`` returns the same numbers as Σ/Σ computed in SQL
    from the KPI marts. Skipped when the ``mf`` executable (dbt-metricflow) is not installed beside Python.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_env, ensure_manifest

MF = Path(sys.executable).parent / "mf"

#: ratio metric -> (KPI mart, numerator column, denominator column): docs/metrics.md
RATIO_METRICS = {
    "billable_utilization": ("kpi_utilization_monthly", "billable_hours", "capacity_hours"),
    "productive_utilization": ("kpi_utilization_monthly", "productive_hours", "capacity_hours"),
    "total_utilization": ("kpi_utilization_monthly", "total_hours", "capacity_hours"),
    "target_attainment": ("kpi_utilization_monthly", "billable_hours", "target_billable_hours"),
    "project_margin_pct": ("kpi_project_margin_monthly", "margin_reporting", "revenue_reporting"),
    "effective_bill_rate": ("kpi_project_margin_monthly", "revenue_reporting", "hours_total"),
}
#: simple metric -> (KPI mart, summed column, semi-additive over the month?)
SUM_METRICS = {
    "project_margin": ("kpi_project_margin_monthly", "margin_reporting", False),
    "backlog": ("kpi_backlog_monthly", "backlog_reporting", True),
}
#: derived DSO metric -> is_consolidated value its inputs are filtered to
DSO_METRICS = {"dso": False, "dso_consolidated": True}
DSO_INPUTS = {"ar_balance": "ar_reporting", "credit_sales": "credit_sales_window_reporting"}

_SQL_WORDS = {
    "as", "and", "or", "not", "is", "null", "true", "false", "case", "when", "then", "else", "end",
    "varchar", "integer", "bigint", "double", "date", "in", "like", "between",
}  # fmt: skip


# ---------------------------------------------------------------------------------------------- manifest


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads(ensure_manifest().read_text())


def _columns_in(expr: str) -> set[str]:
    """Column names an entity/dimension/measure expression reads (identifiers that are not functions)."""
    without_strings = re.sub(r"'[^']*'", "", expr)
    return {
        m.group(1).lower()
        for m in re.finditer(r"\b([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()", without_strings)
        if m.group(1).lower() not in _SQL_WORDS
    }


def _model_of(manifest: dict[str, Any], semantic_model: dict[str, Any]) -> dict[str, Any]:
    (node_id,) = semantic_model["depends_on"]["nodes"]
    return manifest["nodes"][node_id]


def _measures(manifest: dict[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """measure name -> (measure, dbt model node it reads)."""
    return {
        measure["name"]: (measure, _model_of(manifest, sm))
        for sm in manifest["semantic_models"].values()
        for measure in sm["measures"]
    }


def _metric(manifest: dict[str, Any], name: str) -> dict[str, Any]:
    return manifest["metrics"][f"metric.throughline.{name}"]


def _simple_measure(
    manifest: dict[str, Any], metric_name: str
) -> tuple[str, dict[str, Any], str, str | None]:
    """(mart name, measure, column, metric filter) of a simple metric."""
    metric = _metric(manifest, metric_name)
    assert metric["type"] == "simple", metric_name
    measure, model = _measures(manifest)[metric["type_params"]["measure"]["name"]]
    column = (measure["expr"] or measure["name"]).strip()
    where = metric["filter"]["where_filters"][0]["where_sql_template"] if metric.get("filter") else None
    return model["name"], measure, column, where


def test_semantic_models_read_declared_columns(manifest: dict[str, Any]) -> None:
    semantic_models = manifest["semantic_models"].values()
    assert {_model_of(manifest, sm)["name"] for sm in semantic_models} >= {
        "kpi_utilization_monthly",
        "kpi_project_margin_monthly",
        "kpi_dso_monthly",
        "kpi_backlog_monthly",
    }
    missing = []
    for sm in semantic_models:
        model = _model_of(manifest, sm)
        declared = {c.lower() for c in model["columns"]}
        assert declared, f"{model['name']} documents no columns"
        for kind in ("entities", "dimensions", "measures"):
            for element in sm[kind]:
                for column in _columns_in(element["expr"] or element["name"]):
                    if column not in declared:
                        missing.append(f"{sm['name']}.{kind}.{element['name']}: {model['name']}.{column}")
    assert not missing, "semantic layer reads columns its models do not declare:\n" + "\n".join(missing)


def test_practice_entity_resolves_for_the_issue_command(manifest: dict[str, Any]) -> None:
    """`mf query --metrics billable_utilization --group-by practice__name` needs practice -> name."""
    sms = manifest["semantic_models"].values()
    primary = [
        sm for sm in sms if any(e["name"] == "practice" and e["type"] == "primary" for e in sm["entities"])
    ]
    assert len(primary) == 1
    assert "name" in {d["name"] for d in primary[0]["dimensions"]}
    (utilization,) = [sm for sm in sms if _model_of(manifest, sm)["name"] == "kpi_utilization_monthly"]
    (practice,) = [e for e in utilization["entities"] if e["name"] == "practice"]
    assert (practice["type"], practice["expr"]) == ("foreign", "practice_id")


@pytest.mark.parametrize("metric_name", sorted(RATIO_METRICS))
def test_ratio_metrics_are_sum_over_sum_of_the_mart_columns(
    manifest: dict[str, Any], metric_name: str
) -> None:
    mart, numerator, denominator = RATIO_METRICS[metric_name]
    metric = _metric(manifest, metric_name)
    assert metric["type"] == "ratio"
    for part, column in (("numerator", numerator), ("denominator", denominator)):
        ref = metric["type_params"][part]
        assert ref["filter"] is None and ref["offset_window"] is None
        model, measure, expr, where = _simple_measure(manifest, ref["name"])
        assert (model, expr, measure["agg"], where) == (mart, column, "sum", None), f"{metric_name} {part}"
        assert measure["non_additive_dimension"] is None


@pytest.mark.parametrize("metric_name", sorted(SUM_METRICS))
def test_sum_metrics_read_the_mart_columns(manifest: dict[str, Any], metric_name: str) -> None:
    mart, column, semi_additive = SUM_METRICS[metric_name]
    model, measure, expr, where = _simple_measure(manifest, metric_name)
    assert (model, expr, measure["agg"], where) == (mart, column, "sum", None)
    non_additive = measure["non_additive_dimension"]
    if semi_additive:
        assert non_additive == {"name": "month_start_date", "window_choice": "max", "window_groupings": []}
    else:
        assert non_additive is None


@pytest.mark.parametrize("metric_name", sorted(DSO_METRICS))
def test_dso_metrics_are_month_end_balances_of_one_row_kind(
    manifest: dict[str, Any], metric_name: str
) -> None:
    metric = _metric(manifest, metric_name)
    assert metric["type"] == "derived"
    assert re.sub(r"\s+", " ", metric["type_params"]["expr"]) == (
        "ar_balance / nullif(credit_sales, 0) * window_days"
    )
    consolidated = str(DSO_METRICS[metric_name]).lower()
    inputs = {m["alias"]: m["name"] for m in metric["type_params"]["metrics"]}
    assert set(inputs) == {*DSO_INPUTS, "window_days"}
    expected = {**DSO_INPUTS, "window_days": "dso_window_days"}
    for alias, input_metric in inputs.items():
        model, measure, column, where = _simple_measure(manifest, input_metric)
        assert (model, column) == ("kpi_dso_monthly", expected[alias])
        assert measure["agg"] == ("max" if alias == "window_days" else "sum")
        assert measure["non_additive_dimension"]["name"] == "month_start_date"
        assert measure["non_additive_dimension"]["window_choice"] == "max"
        assert where == f"{{{{ Dimension('entity_month__is_consolidated') }}}} = {consolidated}"


def test_time_spine_is_declared(manifest: dict[str, Any]) -> None:
    spine = manifest["nodes"]["model.throughline.metricflow_time_spine"]
    assert spine["time_spine"]["standard_granularity_column"] == "date_day"
    assert spine["columns"]["date_day"]["granularity"] == "day"


# ---------------------------------------------------------------------------------------------- mf query


@pytest.fixture(scope="module")
def mf_project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A project folder for `mf` and a copy of the xs warehouse it queries.

    `mf` reads ``<project>/target/semantic_manifest.json`` (written beside the session's ``manifest.json``
    by ``ensure_manifest``), the project's ``dbt_project.yml`` and ``profiles.yml``, and writes its logs
    there, so it gets a folder of its own with those three files: no second parse of the project. The
    semantic manifest names its tables in the database dbt parsed them under (the warehouse file's stem), so
    the warehouse copy takes that name."""
    if not MF.exists():
        pytest.skip(f"mf (dbt-metricflow) is not installed next to {sys.executable}")
    xs_warehouse: Path = request.getfixturevalue("xs_warehouse")  # built only when mf can run
    semantic_manifest = ensure_manifest().parent / "semantic_manifest.json"
    relations = json.loads(semantic_manifest.read_text())["semantic_models"]
    (database,) = {sm["node_relation"]["database"] for sm in relations}
    root = tmp_path_factory.mktemp("semantic")
    warehouse = root / f"{database}.duckdb"
    shutil.copyfile(xs_warehouse, warehouse)
    project = root / "dbt_project"
    (project / "target").mkdir(parents=True)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copyfile(DBT_PROJECT_DIR / name, project / name)
    shutil.copyfile(semantic_manifest, project / "target" / "semantic_manifest.json")
    return project, warehouse


def _mf_query(project_and_warehouse: tuple[Path, Path], metrics: Sequence[str], group_by: Sequence[str]):
    project, warehouse = project_and_warehouse
    out = project / f"mf_{'_'.join(metrics)}__{'_'.join(group_by)}.csv"
    env = dbt_env(warehouse) | {"DBT_PROFILES_DIR": str(project), "DBT_PROJECT_DIR": str(project)}
    result = subprocess.run(
        [
            str(MF),
            "query",
            "--metrics",
            ",".join(metrics),
            "--group-by",
            ",".join(group_by),
            "--csv",
            str(out),
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0 and out.exists(), result.stdout + result.stderr
    with out.open(newline="") as f:
        return list(csv.DictReader(f))


def _sql(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def _day(value: str) -> date:
    return date.fromisoformat(value[:10])


def _num(value: str | None) -> float | None:
    return None if value in (None, "", "None", "nan") else float(value)


def _by_key(rows: Iterable[tuple], keys: int = 1) -> dict:
    return {
        row[:keys] if keys > 1 else row[0]: (None if row[keys] is None else float(row[keys])) for row in rows
    }


def _assert_same(mf: dict, sql: dict, what: str) -> None:
    assert len(sql) >= 3, f"{what}: too few rows in the mart to compare ({len(sql)})"
    assert any(v is not None for v in sql.values()), f"{what}: every value is NULL"
    assert set(mf) == set(sql), f"{what}: keys differ: {set(mf) ^ set(sql)}"
    for key, expected in sql.items():
        if expected is None:
            assert mf[key] is None, f"{what} {key}"
        else:
            assert mf[key] == pytest.approx(expected, rel=1e-9, abs=1e-9), f"{what} {key}"


def test_mf_monthly_metrics_equal_sum_over_sum_of_the_marts(mf_project: tuple[Path, Path]) -> None:
    metrics = ["billable_utilization", "project_margin_pct", "dso_consolidated"]
    rows = _mf_query(mf_project, metrics, ["metric_time__month"])
    mf = {m: {_day(r["metric_time__month"]): _num(r[m]) for r in rows} for m in metrics}
    warehouse = mf_project[1]
    sql = {
        "billable_utilization": _by_key(_sql(warehouse, """
            select month_start_date, sum(billable_hours) / nullif(sum(capacity_hours), 0)
            from marts.kpi_utilization_monthly group by 1""")),
        "project_margin_pct": _by_key(_sql(warehouse, """
            select month_start_date, sum(margin_reporting) / nullif(sum(revenue_reporting), 0)
            from marts.kpi_project_margin_monthly group by 1""")),
        "dso_consolidated": _by_key(_sql(warehouse, """
            select month_start_date, sum(ar_reporting) / nullif(sum(credit_sales_window_reporting), 0)
                   * max(dso_window_days)
            from marts.kpi_dso_monthly where is_consolidated group by 1""")),
    }  # fmt: skip
    for metric in metrics:
        # the months of the other metrics' marts come back as NULL rows (full outer join on metric_time)
        got = {month: value for month, value in mf[metric].items() if month in sql[metric]}
        assert all(mf[metric][m] is None for m in set(mf[metric]) - set(sql[metric])), metric
        _assert_same(got, sql[metric], metric)


def test_mf_billable_utilization_by_practice_equals_the_mart(mf_project: tuple[Path, Path]) -> None:
    """The issue's command: mf query --metrics billable_utilization --group-by practice__name."""
    rows = _mf_query(mf_project, ["billable_utilization"], ["practice__name"])
    mf = {r["practice__name"] or None: _num(r["billable_utilization"]) for r in rows}
    sql = _by_key(_sql(mf_project[1], """
        select practice_name, sum(billable_hours) / nullif(sum(capacity_hours), 0)
        from marts.kpi_utilization_monthly group by 1"""))  # fmt: skip
    _assert_same(mf, sql, "billable_utilization by practice")


def test_mf_dso_by_entity_reads_entity_rows_per_month(mf_project: tuple[Path, Path]) -> None:
    rows = _mf_query(mf_project, ["dso"], ["metric_time__month", "legal_entity"])
    mf = {(_day(r["metric_time__month"]), r["legal_entity"]): _num(r["dso"]) for r in rows}
    sql = _by_key(_sql(mf_project[1], """
        select month_start_date, legal_entity_key,
               sum(ar_reporting) / nullif(sum(credit_sales_window_reporting), 0) * max(dso_window_days)
        from marts.kpi_dso_monthly where not is_consolidated group by 1, 2"""), keys=2)  # fmt: skip
    _assert_same(mf, sql, "dso by month and entity")


def test_mf_backlog_by_quarter_is_the_last_month_end_not_a_sum_of_months(
    mf_project: tuple[Path, Path],
) -> None:
    rows = _mf_query(mf_project, ["backlog"], ["metric_time__quarter"])
    mf = {_day(r["metric_time__quarter"]): _num(r["backlog"]) for r in rows}
    sql = _by_key(_sql(mf_project[1], """
        with b as (
            select cast(date_trunc('quarter', month_start_date) as date) as quarter_start, month_start_date,
                   backlog_reporting
            from marts.kpi_backlog_monthly
        )
        select quarter_start, sum(backlog_reporting)
        from b
        where month_start_date = (
            select max(month_start_date) from b as l where l.quarter_start = b.quarter_start
        )
        group by 1"""))  # fmt: skip
    _assert_same(mf, sql, "backlog by quarter")
