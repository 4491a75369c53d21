"""Create the raw current-state tables (typed from the contracts) in a scratch DuckDB, optionally with rows.

Lets the dbt tests, and the mapping tests of other source systems, build staging and the marts on hand-made
data without running ingestion.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import duckdb

from ingestion.contract import all_objects
from orchestration.dbt_parse_state import dbt_opens_build, keep_partial_parse, restore_partial_parse
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


#: Environment variable naming the folder where ``run_dbt`` keeps dbt's parse state per profile for the test
#: session (set by tests/conftest.py; unset, nothing is kept).
PARSE_STATES_ENV = "THROUGHLINE_TEST_DBT_PARSE_STATES"


def _parse_state_key(args: list[str], env: dict[str, str]) -> str:
    """What dbt's own check of a kept parse state compares and a test varies: the environment a test adds
    (THROUGHLINE_ERP and its kind are read by dbt_project.yml) and ``--vars``. The profile is the same for
    every warehouse, as ``run_dbt`` opens each by the same name."""
    cli_vars = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--vars"]
    text = json.dumps([sorted(env.items()), cli_vars])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run_dbt(
    args: list[str], warehouse: Path, target: Path, env: dict[str, str] | None = None, check: bool = True
) -> str:
    """Run a dbt command on ``warehouse`` with artifacts in ``target``; return stdout, raise on failure
    (``check=False``: return stdout whatever dbt's exit code, for a run expected to find failures).

    ``env``: extra variables, e.g. ``{"THROUGHLINE_ERP": "xero"}`` for a firm on other systems.

    dbt parses only what changed when the profile it runs under is the one its kept parse state was made
    under, and the profile holds the database's path. So dbt opens every warehouse as a night opens its
    build: through the second name ``<warehouse>.builds/build.duckdb`` (orchestration.dbt_parse_state), given
    relative to that folder, where dbt runs. Every test's warehouse is then the same profile, and the parse
    state of the session's first run with the same vars and environment (kept in
    ``$THROUGHLINE_TEST_DBT_PARSE_STATES``) spares the others a full parse (about 14 s of CPU each). dbt still
    checks the state (files, vars, environment, version) and parses again whatever it cannot use, so a kept
    state never changes what a run builds.

    dbt runs in a process forked from one that has already imported it (``dbt_fork``: ~3 s of CPU less per
    command, the imports).

    ``--no-write-json``: no test reads dbt's JSON artifacts, and writing them (``manifest.json`` twice, the
    semantic manifest, ``run_results.json``) was 1.5-3 s of every invocation, about a quarter of a one-model
    run (docs/performance.md, item 49). The compiled SQL (``compiled_sql``) and the parse state are still
    written.
    """
    from dbt_fork import run_dbt_command

    from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_env

    warehouse = Path(warehouse).resolve()
    if not warehouse.exists():
        duckdb.connect(str(warehouse)).close()  # dbt would create it; the second name needs the file
    project = str(DBT_PROJECT_DIR)
    cmd = [*args, "--project-dir", project, "--profiles-dir", project, "--no-write-json"]
    cmd += ["--target-path", str(target), "--log-path", str(target)]
    states = os.environ.get(PARSE_STATES_ENV)
    kept = Path(states) / _parse_state_key(args, env or {}) if states else None
    if kept is not None:
        restore_partial_parse(warehouse, Path(target), kept)
    with dbt_opens_build(warehouse, warehouse) as link:
        run_env = {**dbt_env(), **(env or {}), "THROUGHLINE_WAREHOUSE": link.name}
        result = run_dbt_command(cmd, link.parent, run_env)  # a fork of a process that imported dbt
    if kept is not None and not kept.is_file():
        keep_partial_parse(warehouse, Path(target), kept)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
    return result.stdout
