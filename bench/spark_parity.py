"""``python -m bench.spark_parity WAREHOUSE``: build a DuckDB warehouse's dbt project again on Spark, compare.

The parity run at any scale, and for any choice of systems (issue 11: "a larger parity run at s is
documented with its time"). It takes a warehouse a nightly built, exports its raw layer to Parquet
(:mod:`ingestion.spark_handoff`), runs ``dbt build --target spark`` on a local SparkSession for the models
and snapshots, then compares every table of the compared schemas with the DuckDB build: row counts, and
the same rows (keys, text, dates, and every amount and ratio to the cent) in both directions. Spark's tables
are Parquet files, so DuckDB reads both sides: no second JVM. ``tests/spark/test_spark_parity.py`` runs the
same steps on the suite's xs firm.

The systems the warehouse was built with are read from ``THROUGHLINE_CRM``/``_ERP``/``_PSA`` as for the
nightly: set them as you did for the DuckDB run (e.g. ``THROUGHLINE_CRM=hubspot THROUGHLINE_PSA=harvest``).

Prints a line per differing table and one JSON summary (timings, counts); writes it with ``--json``.
Exit codes: 0 every table equal; 1 a table differs or a model failed on Spark; 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingestion.parse import sql_str
from ingestion.spark_handoff import export_raw, raw_dir
from ingestion.warehouse import RUN_STAMP_COLUMNS
from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_env, dbt_executable

#: Schemas compared: the conformed marts and KPIs, the reconciliation checks, and the intermediates
#: (crosswalk scores exercise the Spark Jaro-Winkler, FX the date spine).
COMPARED_SCHEMAS = ("marts", "reconciliation", "intermediate", "snapshots")


@dataclass
class ParityRun:
    """What one parity run measured."""

    export_seconds: float = 0.0
    build_seconds: float = 0.0
    compare_seconds: float = 0.0
    built: int = 0
    failed: list[str] = field(default_factory=list)
    compared: int = 0
    differences: list[str] = field(default_factory=list)


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


def dbt_build_on_spark(spark_dir: Path, threads: int = 2) -> subprocess.CompletedProcess[str]:
    """``dbt build --target spark`` of every model and snapshot, reading the hand-off under ``spark_dir``."""
    env = {
        **dbt_env(),
        "THROUGHLINE_SPARK_DIR": str(spark_dir),
        "THROUGHLINE_SPARK_RAW": str(raw_dir(spark_dir)),
        "THROUGHLINE_DBT_THREADS": str(threads),
    }
    args = ["build", "--target", "spark", "--profiles-dir", ".", "--resource-type", "model"]
    args += ["--resource-type", "snapshot", "--target-path", str(spark_dir / "target")]
    args += ["--log-path", str(spark_dir / "logs")]
    return subprocess.run(
        [dbt_executable(), *args], cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )


def canonical_columns(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, skip: frozenset[str]
) -> list[str]:
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
        if name in skip:
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


def spark_files(spark_dir: Path, schema: str, table: str) -> list[Path]:
    return sorted((spark_dir / "warehouse" / f"{schema}.db" / table).glob("*.parquet"))


def table_difference(
    con: duckdb.DuckDBPyConnection,
    spark_dir: Path,
    schema: str,
    table: str,
    skip: frozenset[str],
    duck_filter: str = "true",
) -> str | None:
    """None when the two builds of one table hold the same rows (EXCEPT ALL both ways: duplicates count)."""
    files = spark_files(spark_dir, schema, table)
    duck = f'(select * from duck."{schema}"."{table}" where {duck_filter})'
    duck_rows = con.execute(f"select count(*) from {duck}").fetchone()[0]  # type: ignore[index]
    if not files:
        return f"{schema}.{table}: no Spark table ({duck_rows} rows on DuckDB)"
    select = ", ".join(canonical_columns(con, schema, table, skip))
    spark = "read_parquet([" + ", ".join(sql_str(str(f)) for f in files) + "])"
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


def compare_builds(warehouse: Path, spark_dir: Path, skip_columns: frozenset[str]) -> tuple[int, list[str]]:
    """(tables compared, differences) over every dbt table of the compared schemas."""
    with duckdb.connect() as con:
        con.execute(f"attach {sql_str(str(warehouse))} as duck (read_only)")
        con.execute("set TimeZone = 'UTC'")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'duck' "
            f"and schema_name in {COMPARED_SCHEMAS} order by 1, 2"
        ).fetchall()
        python_tables, python_rows = python_asset_tables(), python_asset_rows()
        compared = [(s, t) for s, t in tables if f"{s}.{t}" not in python_tables]
        differences = [
            d
            for s, t in compared
            if (
                d := table_difference(con, spark_dir, s, t, skip_columns, python_rows.get(f"{s}.{t}", "true"))
            )
        ]
    return len(compared), differences


def run(warehouse: Path, spark_dir: Path, skip_columns: frozenset[str]) -> ParityRun:
    """Export, build on Spark, compare; timings of each step (the Spark build's includes the JVM start)."""
    result = ParityRun()
    start = time.monotonic()
    export_raw(warehouse, raw_dir(spark_dir))
    result.export_seconds = time.monotonic() - start
    start = time.monotonic()
    build = dbt_build_on_spark(spark_dir)
    result.build_seconds = time.monotonic() - start
    run_results = spark_dir / "target" / "run_results.json"
    if not run_results.exists():
        raise RuntimeError(
            f"dbt on Spark wrote no run results:\n{build.stdout[-4000:]}\n{build.stderr[-2000:]}"
        )
    results = json.loads(run_results.read_text())["results"]
    result.built = len(results)
    result.failed = [
        f"{r['unique_id']}: {(r.get('message') or '')[:200]}" for r in results if r["status"] != "success"
    ]
    start = time.monotonic()
    result.compared, result.differences = compare_builds(warehouse, spark_dir, skip_columns)
    result.compare_seconds = time.monotonic() - start
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.spark_parity", description=__doc__)
    p.add_argument("warehouse", type=Path, help="a DuckDB warehouse a nightly built (read only)")
    p.add_argument("--spark-dir", type=Path, help="Spark's metastore and tables (default <warehouse>.parity)")
    p.add_argument("--json", type=Path, help="also write the summary here")
    args = p.parse_args(argv)
    if not args.warehouse.is_file():
        print(
            f"python -m bench.spark_parity: {args.warehouse} is not a file; give a built warehouse",
            file=sys.stderr,
        )
        return 2
    spark_dir = args.spark_dir or args.warehouse.with_name(args.warehouse.name + ".parity")
    systems = {k: os.environ.get(f"THROUGHLINE_{k.upper()}", "") for k in ("crm", "erp", "psa")}
    try:
        result = run(args.warehouse.resolve(), spark_dir.resolve(), RUN_STAMP_COLUMNS)
    except RuntimeError as exc:
        print(f"python -m bench.spark_parity: {exc}", file=sys.stderr)
        return 1
    for line in result.failed + result.differences:
        print(line)
    summary = {"warehouse": str(args.warehouse), "systems": systems, **result.__dict__}
    print(json.dumps({k: v for k, v in summary.items() if k not in ("failed", "differences")}))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return 1 if result.failed or result.differences else 0


if __name__ == "__main__":
    sys.exit(main())
