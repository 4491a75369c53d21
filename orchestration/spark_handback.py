"""Spark engine, after ``dbt build``: bring what dbt built on Spark into the run's DuckDB build warehouse.

Everything after dbt in the nightly (great-expectations suites, the reconciliation checks' summary, the
cash-risk and statistical-forecast assets, the KPI report, ``publish`` and its ``analysts_can_read``) reads
the run's DuckDB build, and analysts read the published DuckDB file. So after a Spark build each table dbt
built there is copied into the build under the same schema and name, and the published warehouse holds
the same tables whichever engine built them.

Why a copy and not a DuckDB view over Spark's Parquet: the next night's Spark build rewrites those folders
while the published file is being read, and a failed night must leave the published warehouse as it was.
A view would tie the published file to folders it does not own; a table is part of the file that the
``publish`` step switches in atomically (and that ``throughline rollback`` restores).

What is copied comes from dbt's own artifacts of the invocation (``run_results.json`` joined to
``manifest.json``): every model materialized as a table (``table``, ``incremental``) and every snapshot
that succeeded, one ``create or replace table ... as select ... from read_parquet(...)`` each, in one
transaction; an append-only incremental model (``kpi_forecast_snapshots``) gains the rows whose key the
build lacks instead, so the history earlier nights froze survives a switch of engine. Columns of a
contract-enforced model are cast to their declared type (the contract the
DuckDB build enforces); table and column descriptions are carried over as DuckDB comments (persist_docs).

Views (the staging layer) hold no data on Spark: a Spark view is Spark SQL over Spark's raw tables. They
are built again as DuckDB views by dbt itself on the DuckDB target (``dbt run --target dev`` of exactly
the views the Spark invocation built), reading the raw layer the nightly loaded into this same build.
The lifecycle histories (dbt tag ``lifecycle``) are built in the same DuckDB invocation rather than
copied: on Parquet Spark rebuilds them from tonight alone, while on DuckDB each night updates the build's
last published history, so a break resolves, reopens and keeps its first-seen date as on the DuckDB engine,
and a failed night or a rollback leaves the history where the published warehouse has it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ingestion.parse import sql_str
from orchestration.dbt_project import DBT_PROJECT_DIR, ENGINE_TARGETS, dbt_env, dbt_executable

#: dbt materializations whose relation is a Parquet table under Spark's warehouse folder.
TABLE_MATERIALIZATIONS = frozenset({"table", "incremental", "snapshot"})
#: dbt tag (dbt_project.yml) of a model whose table is its own state across nights (a lifecycle history:
#: ``recon_break_history``, ``anomaly_signal_history``). Parquet cannot delete+insert, so Spark rebuilds
#: it whole from tonight alone; it is built on DuckDB instead, incrementally over the build's last night.
LIFECYCLE_TAG = "lifecycle"


@dataclass(frozen=True)
class BuiltRelation:
    """One relation a dbt invocation built: where it goes in DuckDB and what dbt documents about it."""

    unique_id: str
    schema: str
    name: str
    materialized: str
    description: str = ""
    #: column name -> (description, declared type when the contract is enforced, else None)
    columns: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)
    #: an ``incremental`` model with the ``append`` strategy: the unique key its rows are appended by
    append_key: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def rebuilt_on_duckdb(self) -> bool:
        """A lifecycle history that Spark rebuilt whole (not incrementally): dbt builds it on DuckDB."""
        return LIFECYCLE_TAG in self.tags and self.materialized != "incremental"


@dataclass(frozen=True)
class CopiedTable:
    """One table copied from Spark into the DuckDB build, with its row count."""

    schema: str
    name: str
    rows: int


def _relation(unique_id: str, node: Mapping[str, Any]) -> BuiltRelation:
    config = node.get("config", {})
    enforced = bool(config.get("contract", {}).get("enforced"))
    columns = {
        name: (col.get("description") or "", col.get("data_type") if enforced else None)
        for name, col in node.get("columns", {}).items()
    }
    key = config.get("unique_key") or ()
    appends = config.get("materialized") == "incremental" and config.get("incremental_strategy") == "append"
    return BuiltRelation(
        unique_id=unique_id,
        schema=node["schema"],
        name=node.get("alias") or node["name"],
        materialized=config.get("materialized", ""),
        description=node.get("description") or "",
        columns=columns,
        append_key=tuple([key] if isinstance(key, str) else key) if appends else (),
        tags=tuple(node.get("tags") or ()),
    )


def built_relations(manifest: Mapping[str, Any], run_results: Mapping[str, Any]) -> list[BuiltRelation]:
    """Models and snapshots the invocation built successfully, in the order dbt ran them."""
    nodes = manifest.get("nodes", {})
    out = []
    for result in run_results.get("results", []):
        unique_id = result["unique_id"]
        node = nodes.get(unique_id)
        if result.get("status") != "success" or node is None:
            continue
        if node.get("resource_type") in ("model", "snapshot"):
            out.append(_relation(unique_id, node))
    return out


def spark_table_folder(spark_dir: Path, schema: str, name: str) -> Path:
    """Where the local Spark target keeps a managed table (``spark.sql.warehouse.dir`` in profiles.yml)."""
    return Path(spark_dir) / "warehouse" / f"{schema.lower()}.db" / name.lower()


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select_list(con: duckdb.DuckDBPyConnection, source: str, relation: BuiltRelation) -> str:
    """The Parquet's columns in order; a contract-enforced column cast to its declared (DuckDB) type."""
    names = [row[0] for row in con.execute(f"describe select * from {source}").fetchall()]
    parts = []
    for name in names:
        declared = relation.columns.get(name, ("", None))[1]
        parts.append(f"cast({_ident(name)} as {declared}) as {_ident(name)}" if declared else _ident(name))
    return ", ".join(parts)


def _drop_view_in_the_way(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> None:
    """A model that was a view last night and is a table now: ``create or replace table`` cannot replace
    a view."""
    found = con.execute(
        "select 1 from duckdb_views() where schema_name = ? and view_name = ? and not internal",
        [schema, name],
    ).fetchone()
    if found:
        con.execute(f"drop view {_ident(schema)}.{_ident(name)}")


def _comment(con: duckdb.DuckDBPyConnection, relation: BuiltRelation, columns: set[str]) -> None:
    """persist_docs: the table's and its documented columns' descriptions as DuckDB comments."""
    target = f"{_ident(relation.schema)}.{_ident(relation.name)}"
    if relation.description:
        con.execute(f"comment on table {target} is {sql_str(relation.description)}")
    for name, (description, _) in relation.columns.items():
        if description and name in columns:
            con.execute(f"comment on column {target}.{_ident(name)} is {sql_str(description)}")


def _exists(con: duckdb.DuckDBPyConnection, relation: BuiltRelation) -> bool:
    found = con.execute(
        "select 1 from duckdb_tables() where schema_name = ? and table_name = ?",
        [relation.schema, relation.name],
    ).fetchone()
    return found is not None


def _append_new_keys(con: duckdb.DuckDBPyConnection, target: str, source: str, key: tuple[str, ...]) -> None:
    """An append-only history (``kpi_forecast_snapshots``): add the rows whose key the build lacks.

    The published warehouse is the history of record: a night switched from DuckDB to Spark (an empty
    Spark table) or a Spark metastore rebuilt from scratch must not replace the rows earlier nights froze.
    """
    match = " and ".join(f"t.{_ident(k)} is not distinct from s.{_ident(k)}" for k in key)
    con.execute(
        f"insert into {target} by name select * from {source} s "
        f"where not exists (select 1 from {target} t where {match})"
    )


def copy_table(con: duckdb.DuckDBPyConnection, spark_dir: Path, relation: BuiltRelation) -> CopiedTable:
    """``create or replace table`` from the relation's Parquet files (one set-based statement)."""
    folder = spark_table_folder(spark_dir, relation.schema, relation.name)
    if not any(folder.glob("*.parquet")):
        raise FileNotFoundError(
            f"dbt built {relation.unique_id} on Spark but {folder} holds no Parquet file; "
            "check THROUGHLINE_SPARK_DIR and the Spark target's spark.sql.warehouse.dir"
        )
    source = f"read_parquet({sql_str(str(folder / '*.parquet'))})"
    con.execute(f"create schema if not exists {_ident(relation.schema)}")
    _drop_view_in_the_way(con, relation.schema, relation.name)
    target = f"{_ident(relation.schema)}.{_ident(relation.name)}"
    select = _select_list(con, source, relation)
    if relation.append_key and _exists(con, relation):
        _append_new_keys(con, target, f"(select {select} from {source})", relation.append_key)
    else:
        con.execute(f"create or replace table {target} as select {select} from {source}")
    columns = {r[0] for r in con.execute(f"describe {target}").fetchall()}
    _comment(con, relation, columns)
    rows = con.execute(f"select count(*) from {target}").fetchone()
    return CopiedTable(relation.schema, relation.name, int(rows[0]) if rows else 0)


def copy_tables(warehouse: Path, spark_dir: Path, relations: list[BuiltRelation]) -> list[CopiedTable]:
    """Copy every table-like relation into ``warehouse``, all or nothing (one transaction)."""
    tables = [r for r in relations if r.materialized in TABLE_MATERIALIZATIONS and not r.rebuilt_on_duckdb]
    with duckdb.connect(str(warehouse)) as con:
        con.execute("set TimeZone = 'UTC'")  # Spark's session zone: timestamps keep their wall clock
        con.execute("begin")
        try:
            copied = [copy_table(con, spark_dir, r) for r in tables]
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")
    return copied


def duckdb_selection(relations: list[BuiltRelation]) -> list[str]:
    """What dbt builds on DuckDB after the copy: the views, and each lifecycle history with its
    descendants (``exceptions`` reads both histories), incrementally over the build's last night."""
    views = [r.unique_id.split(".")[-1] for r in relations if r.materialized == "view"]
    return views + [r.unique_id.split(".")[-1] + "+" for r in relations if r.rebuilt_on_duckdb]


def build_on_duckdb(warehouse: Path, relations: list[BuiltRelation], target_path: Path) -> list[str]:
    """``dbt run --target dev`` of :func:`duckdb_selection` into ``warehouse``; the selection.

    Raises RuntimeError with dbt's output when dbt fails."""
    selection = duckdb_selection(relations)
    if not selection:
        return []
    args = [dbt_executable(), "run", "--target", ENGINE_TARGETS["duckdb"], "--profiles-dir", "."]
    args += ["--target-path", str(target_path), "--select", *selection]
    result = subprocess.run(
        args, cwd=DBT_PROJECT_DIR, env=dbt_env(warehouse), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"dbt could not build the views and histories on DuckDB (exit {result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-1000:]}"
        )
    return selection


def hand_back(
    warehouse: Path,
    spark_dir: Path,
    manifest: Mapping[str, Any],
    run_results: Mapping[str, Any],
    target: Path,
) -> tuple[list[CopiedTable], list[str]]:
    """Copy the invocation's tables from Spark into ``warehouse``, then build its views and lifecycle
    histories there on DuckDB (:func:`duckdb_selection`)."""
    relations = built_relations(manifest, run_results)
    copied = copy_tables(warehouse, spark_dir, relations)
    return copied, build_on_duckdb(warehouse, relations, target)
