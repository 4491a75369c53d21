"""The project's DuckDB table and view materializations (dbt_project/macros/duckdb_materializations.sql).

They replace a relation inside one transaction instead of dbt's build-rename-drop. A small dbt project of
its own, with the project's macro files, checks what the nightly relies on: a rebuild replaces the rows
and keeps the comments, a model that changes from view to table (and back) is rebuilt, a model that fails
leaves the last build's relation as it was, the contract is still enforced, and each model costs the
statements the docstring promises.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dbt_fork import DbtCommand, run_dbt_command

from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_env

pytestmark = pytest.mark.slow

MACROS = ("duckdb_materializations.sql", "duckdb_persist_docs.sql")
PROJECT = """
name: lean
version: "1.0"
config-version: 2
profile: lean
models:
  lean:
    +materialized: table
    +persist_docs: {relation: true, columns: true}
"""
PROFILE = """
lean:
  target: dev
  outputs:
    dev: {type: duckdb, path: "{{ env_var('LEAN_DB') }}", schema: main, threads: 1}
"""
SCHEMA = """
version: 2
models:
  - name: tbl
    description: a table
    columns: [{name: n, description: the number}]
  - name: vw
    description: a view
    columns: [{name: n, description: the number again}, {name: gone, description: not a column}]
  - name: typed
    config: {contract: {enforced: true}}
    columns: [{name: n, data_type: integer, description: typed number}]
"""


def _project(root: Path, models: dict[str, str]) -> Path:
    (root / "macros").mkdir(parents=True, exist_ok=True)
    for name in MACROS:
        shutil.copyfile(DBT_PROJECT_DIR / "macros" / name, root / "macros" / name)
    (root / "dbt_project.yml").write_text(PROJECT)
    (root / "profiles.yml").write_text(PROFILE)
    (root / "models").mkdir(exist_ok=True)
    (root / "models" / "schema.yml").write_text(SCHEMA)
    for old in (root / "models").glob("*.sql"):
        old.unlink()
    for name, sql in models.items():
        (root / "models" / f"{name}.sql").write_text(sql)
    return root


def _dbt(root: Path, db: Path, check: bool = True) -> DbtCommand:
    env = {**dbt_env(), "LEAN_DB": str(db)}
    result = run_dbt_command(["run", "--project-dir", str(root), "--profiles-dir", str(root)], root, env)
    if check and result.returncode != 0:
        raise AssertionError(result.stdout[-4000:])
    return result


def _state(db: Path) -> dict[str, tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        kinds = dict(con.execute("select table_name, table_type from information_schema.tables").fetchall())
        rows = {name: con.execute(f"select * from {name} order by all").fetchall() for name in kinds}
        comments = dict(
            con.execute(
                "select table_name || '.' || column_name, comment from duckdb_columns() "
                "where comment is not null"
            ).fetchall()
        )
    return {name: (kinds[name], rows[name]) for name in kinds} | {"comments": tuple(sorted(comments.items()))}


def test_models_are_replaced_in_one_transaction(tmp_path: Path) -> None:
    root, db = tmp_path / "lean", tmp_path / "lean.duckdb"
    view = "{{ config(materialized='view') }} select n from {{ ref('tbl') }}"
    _project(root, {"tbl": "select 1 as n", "vw": view, "typed": "select 1 as n"})
    _dbt(root, db)
    first = _state(db)
    assert first["tbl"] == ("BASE TABLE", [(1,)]) and first["vw"] == ("VIEW", [(1,)])
    assert ("tbl.n", "the number") in first["comments"] and ("vw.n", "the number again") in first["comments"]

    # a rebuild replaces the rows; a model turned from view to table and from table to view is rebuilt
    tbl_as_view = "{{ config(materialized='view') }} select 2 as n"
    vw_as_table = "{{ config(materialized='table') }} select n from {{ ref('tbl') }}"
    _project(root, {"tbl": tbl_as_view, "vw": vw_as_table, "typed": "select 2 as n"})
    log = _dbt(root, db)
    second = _state(db)
    assert second["tbl"] == ("VIEW", [(2,)]) and second["vw"] == ("BASE TABLE", [(2,)])
    assert second["typed"] == ("BASE TABLE", [(2,)])
    assert second["comments"] == first["comments"]
    assert "gone" in log.stdout  # dbt warns about a documented column the relation lacks

    # a failing model leaves the last build's relation as it was; a contract is still enforced
    _project(
        root,
        {
            "tbl": "{{ config(materialized='view') }} select 2 as n",
            "vw": "{{ config(materialized='table') }} select error('boom') as n from {{ ref('tbl') }}",
            "typed": "select 'text' as n",
        },
    )
    failed = _dbt(root, db, check=False)
    assert failed.returncode != 0 and "boom" in failed.stdout
    assert "contract" in failed.stdout.lower()
    assert _state(db) == second


def test_a_table_model_costs_the_statements_it_needs(tmp_path: Path) -> None:
    """Create (with the drop of the last build), comments, describe for the comments, begin and commit:
    no intermediate relation, no rename and no backup to drop."""
    root, db = tmp_path / "lean", tmp_path / "lean.duckdb"
    _project(root, {"tbl": "select 1 as n"})
    (root / "models" / "schema.yml").write_text(SCHEMA.split("  - name: vw")[0])
    _dbt(root, db)
    _dbt(root, db)  # the second build replaces an existing table
    log = (root / "logs" / "dbt.log").read_text()
    last = log[log.rindex("Began running node model.lean.tbl") :]
    last = last[: last.index("Finished running node model.lean.tbl")]
    assert "__dbt_tmp" not in last and "__dbt_backup" not in last and "rename" not in last.lower()
    # the relation cache's and foreign-key lookups once per invocation land in its first node: not counted
    once = last.count("from duckdb_databases()") + last.count("from duckdb_constraints()")
    assert last.count("SQL status") - once <= 6, last
