"""Create the raw current-state tables (typed from the contracts) in a scratch DuckDB, optionally with rows.

Lets the dbt tests, and the mapping tests of other source systems, build staging and the marts on hand-made
data without running ingestion.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.contract import all_objects
from throughline.dbt_sources import LINEAGE_COLUMNS


def create_raw_tables(path: Path) -> None:
    """Create every ``raw_<system>.<object>`` table, empty, with contract and lineage columns."""
    with duckdb.connect(str(path)) as con:
        for obj in all_objects():
            con.execute(f"create schema if not exists {obj.schema}")
            cols = [f'"{c.name}" {c.type}' for c in obj.columns]
            cols += [f'"{n}" {t}' for n, t, _ in LINEAGE_COLUMNS]
            con.execute(f'create or replace table {obj.schema}."{obj.name}" ({", ".join(cols)})')


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], loaded_at: str) -> None:
    """Insert hand-made rows into ``raw_<system>.<object>``; lineage columns get test defaults."""
    for i, row in enumerate(rows, start=1):
        full = {
            "_load_id": "test",
            "_source_file": f"test/{table}",
            "_source_row": i,
            "_extract_date": loaded_at[:10],
            "_loaded_at": loaded_at,
            "_is_deleted": False,
            **row,
        }
        names = ", ".join(f'"{k}"' for k in full)
        marks = ", ".join("?" for _ in full)
        con.execute(f"insert into {table} ({names}) values ({marks})", list(full.values()))


def land_versions(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], loaded_at: str) -> None:
    """Land new versions of records (by ``id``) in ``raw_<system>.<object>`` and its ``__history``, as
    ingestion does: each replaces its record in the current table, and one with ``_is_deleted`` leaves it."""
    for row in rows:
        con.execute(f"delete from {table} where id = ?", [row["id"]])
        insert_rows(con, table, [row], loaded_at)
        insert_rows(con, f"{table}__history", [row], loaded_at)
    con.execute(f"delete from {table} where _is_deleted")


def query(warehouse: Path, sql: str) -> list[tuple]:
    """Rows of ``sql`` on ``warehouse``, opened read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def compiled_sql(target: Path, model: str) -> str:
    """The SQL dbt compiled for ``model`` into ``target`` (its last run there)."""
    return next(target.glob(f"compiled/**/{model}.sql")).read_text()


def run_dbt(
    args: list[str], warehouse: Path, target: Path, env: dict[str, str] | None = None, check: bool = True
) -> str:
    """Run a dbt command on ``warehouse`` with artifacts in ``target``; return stdout, raise on failure
    (``check=False``: return stdout whatever dbt's exit code, for a run expected to find failures).

    ``env``: extra variables, e.g. ``{"THROUGHLINE_ERP": "xero"}`` for a firm on other systems.
    """
    import subprocess

    from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_env, dbt_executable

    cmd = [
        dbt_executable(),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(target),
    ]
    result = subprocess.run(
        cmd, cwd=DBT_PROJECT_DIR, env={**dbt_env(warehouse), **(env or {})}, capture_output=True, text=True
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
    return result.stdout
