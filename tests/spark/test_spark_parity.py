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
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

from bench.spark_parity import compare_builds, dbt_build_on_spark, python_asset_tables
from ingestion.spark_handoff import export_raw, raw_dir
from ingestion.warehouse import RUN_STAMP_COLUMNS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("java") is None,
        reason="no Java runtime: the Spark target needs Java 17 (apt-get install openjdk-17-jre-headless)",
    ),
]


@dataclass(frozen=True)
class SparkBuild:
    spark_dir: Path
    seconds: float
    results: list[dict]


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
            result = dbt_build_on_spark(spark_dir)
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


def test_marts_kpis_and_reconciliation_equal_the_duckdb_build(
    spark_build: SparkBuild, xs_warehouse: Path
) -> None:
    """Every dbt table of the compared schemas: same row count, and the same rows (keys, text, dates, and
    every amount and ratio to two decimals) in both directions (EXCEPT ALL, so duplicates count). The
    tables Python assets write are left out (the Spark target builds the dbt project only)."""
    assert {
        "marts.forecast_statistical_monthly",
        "marts.forecast_statistical_backtest",
    } <= python_asset_tables()
    compared, differences = compare_builds(xs_warehouse, spark_build.spark_dir, RUN_STAMP_COLUMNS)
    assert compared > 100
    assert not differences, f"{len(differences)} of {compared} tables differ:\n" + "\n".join(differences)
