"""Parity: the xs firm built on Apache Spark equals the DuckDB build, table by table.

ONE Spark build per test session (all xdist workers share it through a file lock): the raw layer of the
``xs_warehouse`` fixture is exported to Parquet (ingestion.spark_handoff) and ``dbt build --target spark``
builds every model and snapshot on a local SparkSession. Spark's tables are Parquet files under its
warehouse folder, so the comparison reads them with DuckDB next to the DuckDB build: no second JVM.

Slow (Spark's start alone is 15-20 s on a quiet machine; the build is measured in docs/scale-out.md).
Skips only when no Java runtime is installed (``.ci/run`` installs ``openjdk-17-jre-headless``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock
from warehouse_diff import RUN_STAMP_COLUMNS

from ingestion.spark_handoff import export_raw, raw_dir
from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_env, dbt_executable

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("java") is None,
        reason="no Java runtime: the Spark target needs Java 17 (apt-get install openjdk-17-jre-headless)",
    ),
]

#: Schemas compared: the conformed marts and KPIs, the reconciliation checks, and the intermediates
#: (crosswalk scores exercise the Spark Jaro-Winkler, FX the date spine).
COMPARED_SCHEMAS = ("marts", "reconciliation", "intermediate", "snapshots")

#: Columns that record when the build ran, not what it computed: they differ between any two builds.
BUILD_TIME_COLUMNS = RUN_STAMP_COLUMNS


def python_asset_tables() -> frozenset[str]:
    """Tables the nightly's Python assets write, not dbt: the Spark target builds only the dbt project, so
    they have no Spark build to compare. Taken from the Dagster Definitions (every asset key outside the dbt
    assets) plus the backtest table the statistical forecast asset writes beside its own."""
    from orchestration import definitions
    from orchestration.assets.dbt import throughline_dbt_assets
    from orchestration.assets.forecasts import BACKTEST_TABLE

    dbt_keys = set(throughline_dbt_assets.keys)
    keys = {key for asset in definitions.ASSETS for key in asset.keys if key not in dbt_keys}
    return frozenset({".".join(key.path) for key in keys if len(key.path) == 2} | {BACKTEST_TABLE})


def python_asset_rows() -> dict[str, str]:
    """Rows a Python asset adds to a dbt table, left out of the DuckDB side (a predicate per table): the
    cash-risk asset appends its signals to marts.exceptions after dbt built it."""
    from orchestration.assets.anomalies import APPEND_EXCEPTIONS_SQL

    assert "'CASH_LATE_RISK' as source_id" in APPEND_EXCEPTIONS_SQL
    return {"marts.exceptions": "source_id is distinct from 'CASH_LATE_RISK'"}


@dataclass(frozen=True)
class SparkBuild:
    spark_dir: Path
    seconds: float
    results: list[dict]


def _dbt_build_on_spark(spark_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **dbt_env(),
        "THROUGHLINE_SPARK_DIR": str(spark_dir),
        "THROUGHLINE_SPARK_RAW": str(raw_dir(spark_dir)),
        "THROUGHLINE_DBT_THREADS": "2",
    }
    args = ["build", "--target", "spark", "--profiles-dir", ".", "--resource-type", "model"]
    args += ["--resource-type", "snapshot", "--target-path", str(spark_dir / "target")]
    args += ["--log-path", str(spark_dir / "logs")]
    return subprocess.run(
        [dbt_executable(), *args], cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="session")
def spark_build(xs_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> SparkBuild:
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    spark_dir = root / "throughline-cache" / "spark_xs"
    spark_dir.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(spark_dir) + ".lock"):
        done = spark_dir / ".done.json"
        if not done.exists():
            shutil.rmtree(spark_dir, ignore_errors=True)
            start = time.monotonic()
            export_raw(xs_warehouse, raw_dir(spark_dir))
            result = _dbt_build_on_spark(spark_dir)
            seconds = time.monotonic() - start
            run_results = spark_dir / "target" / "run_results.json"
            if not run_results.exists():
                pytest.fail(
                    f"dbt on Spark wrote no run results:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
                )
            done.write_text(json.dumps({"seconds": seconds}))
        seconds = json.loads(done.read_text())["seconds"]
    results = json.loads((spark_dir / "target" / "run_results.json").read_text())["results"]
    print(f"\nSpark build of the xs firm (export + dbt build of models and snapshots): {seconds:.0f} s")
    return SparkBuild(spark_dir, seconds, results)


def test_every_model_and_snapshot_builds_on_spark(spark_build: SparkBuild) -> None:
    """The portability check: every enabled model and snapshot compiles and builds on Spark."""
    failed = [(r["unique_id"], r["status"], (r.get("message") or "")[:300]) for r in spark_build.results]
    failed = [f for f in failed if f[1] != "success"]
    assert not failed, "\n".join(map(str, failed))
    built = {r["unique_id"].split(".")[0] for r in spark_build.results}
    assert built == {"model", "snapshot"} and len(spark_build.results) > 100


def _spark_files(spark_dir: Path, schema: str, table: str) -> list[Path]:
    return sorted((spark_dir / "warehouse" / f"{schema}.db" / table).glob("*.parquet"))


def _canonical(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    """Column expressions both builds are compared on: amounts and ratios to the cent, everything else as
    text. (Every decimal division, double rounding and percentile goes through a dispatched macro, so there
    is no table whose amounts are allowed to differ: docs/scale-out.md, "What differed".)"""
    columns = con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = 'duck' "
        "and schema_name = ? and table_name = ? order by column_index",
        [schema, table],
    ).fetchall()
    out = []
    for name, data_type in columns:
        if name in BUILD_TIME_COLUMNS:
            continue
        quoted = f'"{name}"'
        if data_type.startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL")):
            out.append(f"round(cast({quoted} as double), 2) as {quoted}")
        elif data_type == "DATE":  # Spark may compute a date as a midnight timestamp (no contract cast)
            out.append(f"cast(cast({quoted} as date) as varchar) as {quoted}")
        elif data_type.startswith("TIMESTAMP"):
            out.append(f"strftime(cast({quoted} as timestamp), '%Y-%m-%d %H:%M:%S') as {quoted}")
        else:
            out.append(f"cast({quoted} as varchar) as {quoted}")
    return out


def _differences(
    con: duckdb.DuckDBPyConnection, spark_dir: Path, schema: str, table: str, duck_filter: str = "true"
) -> str | None:
    files = _spark_files(spark_dir, schema, table)
    duck = f'(select * from duck."{schema}"."{table}" where {duck_filter})'
    duck_rows = con.execute(f"select count(*) from {duck}").fetchone()[0]  # type: ignore[index]
    if not files:
        return f"{schema}.{table}: no Spark table ({duck_rows} rows on DuckDB)"
    select = ", ".join(_canonical(con, schema, table))
    spark = "read_parquet([" + ", ".join(f"'{f}'" for f in files) + "])"
    spark_rows = con.execute(f"select count(*) from {spark}").fetchone()[0]  # type: ignore[index]
    only_duck = con.execute(
        f"select count(*) from (select {select} from {duck} except all select {select} from {spark})"
    ).fetchone()[0]  # type: ignore[index]
    only_spark = con.execute(
        f"select count(*) from (select {select} from {spark} except all select {select} from {duck})"
    ).fetchone()[0]  # type: ignore[index]
    if (duck_rows, only_duck, only_spark) == (spark_rows, 0, 0):
        return None
    return (
        f"{schema}.{table}: {duck_rows} rows on DuckDB, {spark_rows} on Spark; "
        f"{only_duck} only on DuckDB, {only_spark} only on Spark"
    )


def test_marts_kpis_and_reconciliation_equal_the_duckdb_build(
    spark_build: SparkBuild, xs_warehouse: Path
) -> None:
    """Every table of the compared schemas: same row count, and the same rows (keys, text, dates, and every
    amount and ratio to two decimals) in both directions (EXCEPT ALL, so duplicates count)."""
    with duckdb.connect() as con:
        quoted = str(xs_warehouse).replace("'", "''")  # the suite's warehouse lives under odd paths
        con.execute(f"attach '{quoted}' as duck (read_only)")
        con.execute("set TimeZone = 'UTC'")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'duck' "
            f"and schema_name in {COMPARED_SCHEMAS} order by 1, 2"
        ).fetchall()
        assert len(tables) > 60
        python_tables, python_rows = python_asset_tables(), python_asset_rows()
        assert python_tables & {f"{s}.{t}" for s, t in tables}, "no Python-asset table: is the list stale?"
        compared = [(s, t) for s, t in tables if f"{s}.{t}" not in python_tables]
        differences = [
            d
            for s, t in compared
            if (d := _differences(con, spark_build.spark_dir, s, t, python_rows.get(f"{s}.{t}", "true")))
        ]
    assert not differences, f"{len(differences)} of {len(compared)} tables differ:\n" + "\n".join(differences)
