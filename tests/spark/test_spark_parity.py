"""Parity: the xs firm's Dagster nightly on Apache Spark equals the DuckDB build, table by table.

ONE Spark build per test session (all xdist workers share it through a file lock): ``run_nightly`` with
``THROUGHLINE_ENGINE=spark`` loads the xs firm into a new warehouse, exports the raw layer to Parquet
(ingestion.spark_handoff), runs ``dbt build`` on a local SparkSession (every model and snapshot, and two
data tests of each generic test macro: ``_spark_selection``), copies what Spark built back into the run's
DuckDB build (orchestration.spark_handback), then runs the GX suites, reconciliation checks, Python
assets and report on it and publishes. Spark's tables are Parquet files under its warehouse folder, so the
comparison reads them with DuckDB next to the DuckDB build (no second JVM), and then compares the published
warehouse with the DuckDB build the same way.

Slow (Spark's start alone is 15-20 s on a quiet machine; the build is measured in docs/scale-out.md).
Installs a Java runtime when it is missing (``.ci/install-java``) and skips only when it cannot.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock
from session_builds import shared_build

from bench.spark_parity import COMPARED_SCHEMAS, canonical_columns, compare_builds, python_asset_tables
from ingestion.parse import sql_str
from ingestion.warehouse import RUN_STAMP_COLUMNS

pytestmark = pytest.mark.slow

INSTALL_JAVA = Path(__file__).resolve().parents[2] / ".ci" / "install-java"


def _java() -> None:
    """A Java runtime, installed first when missing (``.ci/install-java``: Debian's openjdk-17-jre-headless,
    one installer at a time across xdist workers; ``THROUGHLINE_INSTALL_JAVA=0`` turns that off); skips
    with the command to run only when it cannot be installed here."""
    if shutil.which("java") is None and os.environ.get("THROUGHLINE_INSTALL_JAVA", "1") != "0":
        with FileLock(str(Path(tempfile.gettempdir()) / "throughline-install-java.lock")):
            if shutil.which("java") is None:
                subprocess.run([str(INSTALL_JAVA)], capture_output=True, timeout=900, check=False)
    if shutil.which("java") is None:
        pytest.skip(
            "no Java runtime and it could not be installed here: the Spark target needs Java 17 "
            "(`sudo apt-get install -y openjdk-17-jre-headless`; .ci/install-java does it)"
        )


@dataclass(frozen=True)
class SparkNightly:
    """The Dagster nightly of the xs firm on Spark: what it published and what its run recorded."""

    warehouse: Path
    spark_dir: Path
    facts: dict


#: JVM options of the suite's Spark (``JAVA_TOOL_OPTIONS``): the xs firm's nightly is ~190 short queries, so
#: the JVM's C2 compiler and parallel GC threads cost more CPU than they save. C1 only and the serial GC:
#: ``dbt run --target spark`` of 20 models on a copy of the suite's Spark folder took 222 → 184 s of CPU
#: (twice each, same wall time, docs/performance.md), CPU the other pytest worker gets. C1 alone shrinks the
#: JIT's code cache to 48 MiB, which Spark fills in ~40 s ("CodeCache is full. Compiler has been disabled":
#: every query after that ran interpreted); 256 MiB keeps the compiler on (the same 20 models: 166 → 135 s
#: of CPU). No code generation either (``spark.*`` system properties are Spark settings; ``factoryMode`` is
#: the switch Spark's own test suites use): compiling a Java class per operator costs more than it saves on
#: tables of a few thousand rows. The nightly alone: 217-219 s and 319 s of CPU → 194 s and 275 s
#: (docs/performance.md, item 59). Not in profiles.yml: C2 and generated code are what a long build on a
#: large firm would want (not measured).
SUITE_JVM_OPTIONS = (
    "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ReservedCodeCacheSize=256m"
    " -Dspark.sql.codegen.factoryMode=NO_CODEGEN -Dspark.sql.codegen.wholeStage=false"
)


#: Environment of the Spark nightly (restored after it): the engine, its own Dagster home, two dbt threads.
def _nightly_env(folder: Path) -> dict[str, str | None]:
    return {
        "THROUGHLINE_ENGINE": "spark",
        "DAGSTER_HOME": str(folder / "dagster_home"),
        "THROUGHLINE_DBT_THREADS": "2",
        "THROUGHLINE_SPARK_DIR": None,  # the default: <published warehouse>.spark
        "JAVA_TOOL_OPTIONS": SUITE_JVM_OPTIONS,
    }


def _run_facts(run_id: str) -> dict:
    """What the run recorded in its Dagster home: materialized asset keys and check evaluations."""
    import dagster as dg

    from orchestration.instance import persistent_instance

    with persistent_instance() as instance:
        run = instance.get_run_by_id(run_id)
        events = instance.all_logs(run_id)
    materialized = sorted(
        {
            e.dagster_event.asset_key.to_user_string()
            for e in events
            if e.dagster_event and e.dagster_event.is_step_materialization
        }
    )
    checks = [
        e.dagster_event.event_specific_data
        for e in events
        if e.dagster_event and e.dagster_event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ]
    evaluations = [[c.asset_key.to_user_string(), c.check_name, c.passed] for c in checks]
    return {
        "status": run.status.value if run else None,
        "materialized": materialized,
        "evaluations": evaluations,
    }


#: The generic test macros of the project's data tests (a check's name starts with its macro's).
TEST_MACROS = (
    "accepted_values",
    "expression_is_true",
    "not_null_columns",  # before not_null: a check's macro is the first that starts its name
    "not_null",
    "primary_key",
    "relationships_columns",  # before relationships, as above
    "relationships",
    "throughline_",
    "unique",
)
#: Data tests per macro run on Spark: each is a Spark job (~0.5 s), and the 610 of them cost minutes that
#: prove no more than a few per macro do; every model is still built there.
TESTS_PER_MACRO = 2


def _macro(check_name: str) -> str | None:
    return next((m for m in TEST_MACROS if check_name.startswith(m)), None)


def _spark_selection():  # -> dg.AssetSelection
    """The whole nightly, with the first ``TESTS_PER_MACRO`` dbt data tests of each macro only: dagster-dbt
    then selects every model and snapshot and those tests explicitly."""
    import dagster as dg

    from orchestration.assets.dbt import throughline_dbt_assets

    kept: dict[str | None, list[dg.AssetCheckKey]] = {}
    for key in sorted(throughline_dbt_assets.check_keys, key=lambda k: k.name):
        kept.setdefault(_macro(key.name), []).append(key)
    assert None not in kept, f"a data test of no known macro: {kept.get(None)}"
    dropped = [key for keys in kept.values() for key in keys[TESTS_PER_MACRO:]]
    return dg.AssetSelection.all() - dg.AssetSelection.checks(*dropped)


def _build_spark_nightly(folder: Path, landing: Path) -> dict:
    """``run_nightly`` with ``THROUGHLINE_ENGINE=spark`` into a new warehouse: every mart in it came from
    Spark (nothing else built it). Returns the facts the tests assert on."""
    from orchestration.nightly import run_nightly

    env = _nightly_env(folder)
    saved = {k: os.environ.get(k) for k in env}
    for key, value in env.items():
        os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    try:
        start = time.monotonic()
        result = run_nightly(
            landing=landing,
            warehouse=folder / "warehouse.duckdb",
            echo=False,
            asset_selection=_spark_selection(),
        )
        seconds = time.monotonic() - start
        facts = _run_facts(result.run_id or "")
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    return {
        **facts,
        "success": result.success,
        "run_id": result.run_id,
        "failed_checks": result.failed_checks,
        "blocked_by": result.blocked_by,
        "messages": result.messages,
        "seconds": seconds,
    }


@pytest.fixture(scope="session")
def spark_nightly(xs_firm: Path, tmp_path_factory: pytest.TempPathFactory) -> SparkNightly:
    """ONE Spark build per test session (all xdist workers share it through a file lock): the Dagster
    nightly of the xs firm with ``THROUGHLINE_ENGINE=spark``, loading, building on Spark, copying back,
    checking, reporting and publishing as the DuckDB nightly does."""
    _java()
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    folder = root / "throughline-cache" / "spark_xs_nightly"
    folder.parent.mkdir(parents=True, exist_ok=True)
    with shared_build(str(folder) + ".lock", "spark_xs_nightly"):
        done = folder / ".done.json"
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            done.write_text(json.dumps(_build_spark_nightly(folder, xs_firm / "landing")))
    facts = json.loads(done.read_text())
    warehouse = folder / "warehouse.duckdb"
    print(
        f"\nDagster nightly of the xs firm on Spark (load, Spark build, copy-back, checks, publish): "
        f"{facts['seconds']:.0f} s"
    )
    return SparkNightly(warehouse, warehouse.with_name(warehouse.name + ".spark"), facts)


def test_the_nightly_on_spark_builds_everything_and_publishes(spark_nightly: SparkNightly) -> None:
    """The portability check and the nightly in one: every enabled model and snapshot compiles and builds
    on Spark (a dbt asset materialized per model), and the run goes on to publish."""
    from orchestration.assets.dbt import throughline_dbt_assets
    from orchestration.assets.publish import PUBLISH_KEY

    facts = spark_nightly.facts
    assert facts["status"] == "SUCCESS" and facts["success"], facts["messages"]
    assert not facts["blocked_by"]
    dbt_keys = {k.to_user_string() for k in throughline_dbt_assets.keys}
    assert len(dbt_keys) > 100
    assert dbt_keys <= set(facts["materialized"]), sorted(dbt_keys - set(facts["materialized"]))
    assert PUBLISH_KEY.to_user_string() in facts["materialized"]
    assert spark_nightly.warehouse.is_file()
    assert any((spark_nightly.spark_dir / "warehouse" / "marts.db" / "fct_invoice_lines").glob("*.parquet"))
    # the JIT stayed on to the end (SUITE_JVM_OPTIONS): a full code cache runs every later query interpreted
    log = spark_nightly.warehouse.with_name(spark_nightly.warehouse.name + ".nightly.log").read_text("utf-8")
    assert SUITE_JVM_OPTIONS in log and "CodeCache is full" not in log


def test_checks_report_and_python_assets_read_the_spark_build(spark_nightly: SparkNightly) -> None:
    """The warehouse was new, so every mart in the build came from Spark: the dbt tests (on Spark), the GX
    suites, the reconciliation family checks and ``analysts_can_read`` ran, the report was written, and the
    Python assets (cash risk, statistical forecasts) wrote their tables beside the Spark-built marts."""
    from orchestration.assets import quality, recon_checks
    from orchestration.assets.publish import CHECK_NAME as PUBLISHED_CHECK

    evaluations = spark_nightly.facts["evaluations"]
    gx_marts = {
        key for key, check, _ in evaluations if check == quality.CHECK_NAME and key.startswith("marts/")
    }
    recon = {key for key, check, _ in evaluations if check == recon_checks.CHECK_NAME}
    assert len(gx_marts) >= 5 and len(recon) >= 10
    # the dbt data tests kept on Spark ran there, every generic test macro, and passed
    from orchestration.assets.dbt import throughline_dbt_assets

    dbt_checks = {k.name for k in throughline_dbt_assets.check_keys}
    on_spark = [(check, passed) for _, check, passed in evaluations if check in dbt_checks]
    assert {_macro(check) for check, _ in on_spark} == set(TEST_MACROS)
    assert len(on_spark) == len(TEST_MACROS) * TESTS_PER_MACRO and all(p for _, p in on_spark), on_spark
    assert [passed for _, check, passed in evaluations if check == PUBLISHED_CHECK] == [True]
    reports = list(spark_nightly.warehouse.parent.glob("reports/*/kpi-report.html"))
    assert reports and reports[0].stat().st_size > 10_000
    with duckdb.connect(str(spark_nightly.warehouse), read_only=True) as con:
        for table in (
            "marts.forecast_statistical_monthly",
            "anomalies.cash_risk_scores",
            "staging.stg_psa__projects",
        ):
            assert con.execute(f"select count(*) from {table}").fetchone()[0] > 0, table  # type: ignore[index]
        gx_rows = con.execute("select count(*) from quality.gx_results").fetchone()[0]  # type: ignore[index]
    assert gx_rows > 0


def test_marts_kpis_and_reconciliation_equal_the_duckdb_build(
    spark_nightly: SparkNightly, xs_warehouse: Path
) -> None:
    """Every dbt table of the compared schemas: same row count, and the same rows (keys, text, dates, and
    every amount and ratio to two decimals) in both directions (EXCEPT ALL, so duplicates count), first as
    Spark wrote them (its Parquet), then as the Spark nightly published them (the copy in DuckDB). The
    tables Python assets write are left out of the first (Spark builds the dbt project only)."""
    assert {
        "marts.forecast_statistical_monthly",
        "marts.forecast_statistical_backtest",
    } <= python_asset_tables()
    compared, differences = compare_builds(xs_warehouse, spark_nightly.spark_dir, RUN_STAMP_COLUMNS)
    assert compared > 100
    assert not differences, f"{len(differences)} of {compared} tables differ:\n" + "\n".join(differences)
    compared, differences = compare_warehouses(xs_warehouse, spark_nightly.warehouse, RUN_STAMP_COLUMNS)
    assert compared > 100
    assert not differences, f"{len(differences)} of {compared} published tables differ:\n" + "\n".join(
        differences
    )


def test_published_types_equal_the_duckdb_build(spark_nightly: SparkNightly, xs_warehouse: Path) -> None:
    """Types round-trip: every column of a contract-enforced model (decimals, dates, timestamps, booleans,
    lists) has the type the DuckDB build gives it, and the copy carries dbt's descriptions as comments."""
    from orchestration.dbt_project import MANIFEST_PATH

    manifest = json.loads(MANIFEST_PATH.read_text())
    enforced = {
        (n["schema"], n.get("alias") or n["name"])
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"].get("contract", {}).get("enforced")
    }
    assert len(enforced) > 20
    query = (
        "select schema_name, table_name, column_name, data_type, comment from duckdb_columns() "
        "where database_name = ? and schema_name in ('marts', 'reconciliation', 'anomalies')"
    )
    with duckdb.connect() as con:
        con.execute(f"attach {sql_str(str(xs_warehouse))} as duck (read_only)")
        con.execute(f"attach {sql_str(str(spark_nightly.warehouse))} as spark (read_only)")
        duck = {tuple(r[:3]): r[3:] for r in con.execute(query, ["duck"]).fetchall()}
        spark = {tuple(r[:3]): r[3:] for r in con.execute(query, ["spark"]).fetchall()}
    contract_columns = [k for k in duck if k[:2] in enforced]
    assert len(contract_columns) > 300
    assert {"DATE", "BOOLEAN", "DECIMAL(18,2)", "TIMESTAMP"} <= {duck[k][0] for k in contract_columns}
    differ = [
        (k, duck[k][0], spark.get(k, (None,))[0])
        for k in contract_columns
        if duck[k][0] != spark.get(k, (None,))[0]
    ]
    assert not differ, differ[:20]
    commented = [k for k in contract_columns if duck[k][1]]
    assert commented and all(spark[k][1] == duck[k][1] for k in commented)


def _count_except(con: duckdb.DuckDBPyConnection, select: str, left: str, right: str) -> int:
    query = f"select count(*) from (select {select} from {left} except all select {select} from {right})"
    return int(con.execute(query).fetchone()[0])  # type: ignore[index]


def compare_warehouses(duck: Path, published: Path, skip: frozenset[str]) -> tuple[int, list[str]]:
    """(tables compared, differences) between two DuckDB warehouses over the compared schemas, with the
    parity comparison's canonical columns (amounts to the cent, run stamps left out). Python-asset tables
    are compared too: on both engines they are computed from the same marts."""
    with duckdb.connect() as con:
        con.execute(f"attach {sql_str(str(duck))} as duck (read_only)")
        con.execute(f"attach {sql_str(str(published))} as other (read_only)")
        con.execute("set TimeZone = 'UTC'")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'duck' "
            f"and schema_name in {COMPARED_SCHEMAS} order by 1, 2"
        ).fetchall()
        differences = []
        for schema, table in tables:
            select = ", ".join(canonical_columns(con, schema, table, skip))
            a, b = f'duck."{schema}"."{table}"', f'other."{schema}"."{table}"'
            try:
                only = [_count_except(con, select, x, y) for x, y in ((a, b), (b, a))]
            except duckdb.Error as exc:
                differences.append(f"{schema}.{table}: {exc}")
                continue
            if only != [0, 0]:
                differences.append(
                    f"{schema}.{table}: {only[0]} rows only on DuckDB, {only[1]} only on Spark"
                )
    return len(tables), differences
