"""The copy of a Spark build into the run's DuckDB build (orchestration.spark_handback), without Spark.

Spark's tables are Parquet folders under ``<spark dir>/warehouse/<schema>.db/<table>/``; here DuckDB
writes such folders by hand, with the types Spark gives the columns, and the manifest and run results are
the few fields dbt writes that the copy reads. Fast: no Java, no dbt.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingestion.parse import sql_str
from orchestration.spark_handback import built_relations, copy_tables, duckdb_selection, spark_table_folder


def _spark_table(spark_dir: Path, schema: str, name: str, select: str) -> None:
    """A Spark-managed table as Spark leaves it: a folder of part files (and a _SUCCESS marker)."""
    folder = spark_table_folder(spark_dir, schema, name)
    folder.mkdir(parents=True)
    (folder / "_SUCCESS").write_text("")
    with duckdb.connect() as con:
        con.execute(
            f"copy ({select}) to {sql_str(str(folder / 'part-00000.snappy.parquet'))} (format parquet)"
        )


def _node(schema: str, name: str, materialized: str, columns: dict, enforced: bool = False) -> dict:
    return {
        "resource_type": "snapshot" if materialized == "snapshot" else "model",
        "schema": schema,
        "name": name,
        "alias": name,
        "description": f"{name} described",
        "config": {"materialized": materialized, "contract": {"enforced": enforced}},
        "columns": {c: {"description": d, "data_type": t} for c, (d, t) in columns.items()},
    }


MANIFEST = {
    "nodes": {
        "model.throughline.fct_money": _node(
            "marts",
            "fct_money",
            "table",
            {
                "amount": ("Amount, contract currency.", "numeric(18,2)"),
                "booked_on": ("Booking date.", "date"),
                "is_paid": ("Paid?", "boolean"),
                "recorded_at": ("When.", "timestamp"),
            },
            enforced=True,
        ),
        "model.throughline.int_loose": _node(
            "intermediate", "int_loose", "incremental", {"n": ("A count.", "bigint")}
        ),
        "model.throughline.stg_view": _node("staging", "stg_view", "view", {}),
        "model.throughline.skipped": _node("marts", "skipped", "table", {}),
        "snapshot.throughline.snap_x": _node("snapshots", "snap_x", "snapshot", {}),
        "model.throughline.break_history": {
            **_node("marts", "break_history", "table", {}),
            "tags": ["lifecycle"],
        },
        "test.throughline.not_null_x": {"resource_type": "test", "config": {}},
    }
}
RUN_RESULTS = {
    "results": [
        {"unique_id": "model.throughline.stg_view", "status": "success"},
        {"unique_id": "model.throughline.fct_money", "status": "success"},
        {"unique_id": "model.throughline.int_loose", "status": "success"},
        {"unique_id": "model.throughline.skipped", "status": "skipped"},
        {"unique_id": "snapshot.throughline.snap_x", "status": "success"},
        {"unique_id": "model.throughline.break_history", "status": "success"},
        {"unique_id": "test.throughline.not_null_x", "status": "pass"},
    ]
}


def test_built_relations_are_the_invocations_successful_models_and_snapshots() -> None:
    relations = built_relations(MANIFEST, RUN_RESULTS)
    assert [(r.schema, r.name, r.materialized) for r in relations] == [
        ("staging", "stg_view", "view"),
        ("marts", "fct_money", "table"),
        ("intermediate", "int_loose", "incremental"),
        ("snapshots", "snap_x", "snapshot"),
        ("marts", "break_history", "table"),
    ]
    money = relations[1]
    assert money.columns["amount"] == ("Amount, contract currency.", "numeric(18,2)")
    # a declared type outside an enforced contract is documentation, not a cast
    assert relations[2].columns["n"] == ("A count.", None)
    # the views, and the lifecycle history Spark rebuilt whole with what reads it, are built on DuckDB
    assert [r.name for r in relations if r.rebuilt_on_duckdb] == ["break_history"]
    assert duckdb_selection(relations) == ["stg_view", "break_history+"]


@pytest.fixture
def spark_dir(tmp_path: Path) -> Path:
    spark = tmp_path / "w.duckdb.spark"
    # Spark's types: a wider decimal than the contract's, an instant, a 32-bit count
    _spark_table(
        spark,
        "marts",
        "fct_money",
        "select cast(12.345 as decimal(28,3)) as amount, date '2026-11-30' as booked_on, true as is_paid, "
        "timestamptz '2026-11-30 23:30:00+00' as recorded_at "
        "union all select -0.5, null, false, null",
    )
    _spark_table(spark, "intermediate", "int_loose", "select cast(n as integer) as n from range(3) t(n)")
    _spark_table(spark, "snapshots", "snap_x", "select 'a' as k where false")  # empty: schema only
    return spark


def test_copy_tables_round_trips_types_and_carries_docs(tmp_path: Path, spark_dir: Path) -> None:
    """Contract columns get their declared DuckDB type, documented ones their comment; a view in the way
    is replaced; the lifecycle history keeps last night's table (dbt on DuckDB updates it next)."""
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:  # last night's build: a view where a table now goes
        con.execute("create schema marts; create view marts.fct_money as select 1 as old")
        con.execute("create table marts.break_history as select 'B1' as break_id")
    copied = copy_tables(warehouse, spark_dir, built_relations(MANIFEST, RUN_RESULTS))
    assert [(c.schema, c.name, c.rows) for c in copied] == [
        ("marts", "fct_money", 2),
        ("intermediate", "int_loose", 3),
        ("snapshots", "snap_x", 0),
    ]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        types = con.execute(
            "select column_name, data_type, comment from duckdb_columns() "
            "where schema_name = 'marts' and table_name = 'fct_money' order by column_index"
        ).fetchall()
        rows = con.execute("select * from marts.fct_money order by amount").fetchall()
        table_comment = con.execute(
            "select comment from duckdb_tables() where table_name = 'fct_money'"
        ).fetchone()
        loose = con.execute(
            "select data_type from duckdb_columns() where table_name = 'int_loose'"
        ).fetchone()
    assert types == [
        ("amount", "DECIMAL(18,2)", "Amount, contract currency."),
        ("booked_on", "DATE", "Booking date."),
        ("is_paid", "BOOLEAN", "Paid?"),
        ("recorded_at", "TIMESTAMP", "When."),
    ]
    # 12.345 -> 12.35 (a decimal cast rounds half away from zero); the instant keeps its UTC wall clock
    assert rows == [
        (Decimal("-0.50"), None, False, None),
        (Decimal("12.35"), date(2026, 11, 30), True, datetime(2026, 11, 30, 23, 30)),
    ]
    assert table_comment == ("fct_money described",)
    assert loose == ("INTEGER",)  # no contract: Spark's type as it is
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select * from marts.break_history").fetchall() == [("B1",)]


def test_copy_tables_is_all_or_nothing(tmp_path: Path, spark_dir: Path) -> None:
    """A table dbt built on Spark whose folder is missing fails the copy, and the build keeps last night's
    tables: nothing half-copied reaches the checks or the publish."""
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema intermediate; create table intermediate.int_loose as select 42 as n")
    manifest = {"nodes": {**MANIFEST["nodes"], "model.throughline.gone": _node("marts", "gone", "table", {})}}
    results = {
        "results": [*RUN_RESULTS["results"], {"unique_id": "model.throughline.gone", "status": "success"}]
    }
    with pytest.raises(
        FileNotFoundError, match=r"model.throughline.gone on Spark but .*marts.db/gone holds no"
    ):
        copy_tables(warehouse, spark_dir, built_relations(manifest, results))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select n from intermediate.int_loose").fetchall() == [(42,)]
        assert con.execute("select count(*) from duckdb_tables() where schema_name = 'marts'").fetchone() == (
            0,
        )


def test_an_append_only_history_keeps_the_rows_earlier_nights_froze(tmp_path: Path) -> None:
    """``kpi_forecast_snapshots`` (incremental, append): the build keeps every row it had, even one Spark
    computed differently or no longer holds (a first night on Spark), and gains the keys it lacked."""
    spark = tmp_path / "w.duckdb.spark"
    _spark_table(
        spark,
        "marts",
        "kpi_snap",
        "select * from (values (date '2026-11-20', 'revenue', 9.0), (date '2026-11-21', 'revenue', 5.0)) "
        "v(snapshot_date, kind, forecast_value)",
    )
    node = _node("marts", "kpi_snap", "incremental", {})
    node["config"].update(incremental_strategy="append", unique_key=["snapshot_date", "kind"])
    manifest = {"nodes": {"model.throughline.kpi_snap": node}}
    results = {"results": [{"unique_id": "model.throughline.kpi_snap", "status": "success"}]}
    relations = built_relations(manifest, results)
    assert relations[0].append_key == ("snapshot_date", "kind")
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.kpi_snap as select * from (values (date '2026-11-19', 'revenue', 1.5), "
            "(date '2026-11-20', 'revenue', 2.5)) v(snapshot_date, kind, forecast_value)"
        )
    copy_tables(warehouse, spark, relations)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select snapshot_date, forecast_value from marts.kpi_snap order by 1").fetchall()
    assert [(d.day, float(v)) for d, v in rows] == [(19, 1.5), (20, 2.5), (21, 5.0)]
