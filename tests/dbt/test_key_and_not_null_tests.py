"""The project's own generic data tests that stand for several of dbt's, each one node a night:
``throughline.not_null_columns`` (a model's not-null columns), ``primary_key`` (a key column unique and set)
and ``throughline.relationships_columns`` (a model's foreign keys of one severity)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dbt_raw_fixtures import run_dbt

MODEL = "int_psa_project_context"
TEST = f"not_null_columns_{MODEL}"
KEYED = "int_deals_matched"
KEY_TEST = f"primary_key_{KEYED}_deal_key"


def _schema_of(con: duckdb.DuckDBPyConnection, table: str) -> str:
    return con.execute("select schema_name from duckdb_tables() where table_name = ?", [table]).fetchone()[0]  # type: ignore[index]


def _passing_copy(mini_warehouse: Path, tmp_path: Path, test: str) -> tuple[Path, Path]:
    """A copy of the mini firm's warehouse and a dbt target folder, once ``test`` has passed on it."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(mini_warehouse, warehouse)
    target = tmp_path / "target"
    run_dbt(["test", "-s", test], warehouse, target)
    return warehouse, target


def _stored_failures(warehouse: Path, test: str, columns: str) -> list[tuple]:
    """``columns`` of the rows a ``--store-failures`` run of ``test`` kept, in order."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select {columns} from {_schema_of(con, test)}.{test} order by all").fetchall()


def _first_two(con: duckdb.DuckDBPyConnection, table: str, column: str) -> tuple[str, str]:
    first, second = (
        r[0] for r in con.execute(f"select {column} from {table} order by {column} limit 2").fetchall()
    )
    return first, second


def test_not_null_columns_fails_on_each_row_with_a_null_and_names_its_columns(
    mini_warehouse: Path, tmp_path: Path
) -> None:
    """Passes on the mini firm; with a NULL in one listed column of one row and in two of another, it fails
    with those two rows (not three NULLs), each naming its empty listed columns."""
    warehouse, target = _passing_copy(mini_warehouse, tmp_path, TEST)

    with duckdb.connect(str(warehouse)) as con:
        table = f"{_schema_of(con, MODEL)}.{MODEL}"
        first, second = _first_two(con, table, "psa_project_id")
        con.execute(  # psa_practice_id may be NULL (an internal project's): not a listed column
            f"update {table} set client_key = null, psa_practice_id = null where psa_project_id = ?",
            [first],
        )
        con.execute(
            f"update {table} set contract_key = null, entity_currency_code = null where psa_project_id = ?",
            [second],
        )

    with pytest.raises(AssertionError, match=rf"FAIL 2 {TEST}"):
        run_dbt(["test", "-s", TEST, "--store-failures"], warehouse, target)
    rows = _stored_failures(warehouse, TEST, "psa_project_id, null_columns")
    assert rows == [(first, "client_key"), (second, "contract_key entity_currency_code")]


def test_primary_key_fails_on_each_repeated_or_null_key(mini_warehouse: Path, tmp_path: Path) -> None:
    """Passes on the mini firm; with one row copied and another row's key set to NULL, it fails with two
    rows: the repeated key (two records) and the NULL (one)."""
    warehouse, target = _passing_copy(mini_warehouse, tmp_path, KEY_TEST)

    with duckdb.connect(str(warehouse)) as con:
        table = f"{_schema_of(con, KEYED)}.{KEYED}"
        first, second = _first_two(con, table, "deal_key")
        con.execute(f"insert into {table} select * from {table} where deal_key = ?", [first])
        con.execute(f"update {table} set deal_key = null where deal_key = ?", [second])

    with pytest.raises(AssertionError, match=rf"FAIL 2 {KEY_TEST}"):
        run_dbt(["test", "-s", KEY_TEST, "--store-failures"], warehouse, target)
    rows = _stored_failures(warehouse, KEY_TEST, "deal_key, n_records")
    assert rows == [(first, 2), (None, 1)]


def test_relationships_columns_fails_on_each_value_missing_from_its_model(
    mini_warehouse: Path, tmp_path: Path
) -> None:
    """Passes on the mini firm; with a client key and a service line key that no dimension holds (the client
    one on both projects), it fails with those two values, each naming its column and counting its rows; a
    NULL key is not a dangling one."""
    test = f"relationships_columns_{MODEL}"
    warehouse, target = _passing_copy(mini_warehouse, tmp_path, test)

    with duckdb.connect(str(warehouse)) as con:
        table = f"{_schema_of(con, MODEL)}.{MODEL}"
        first, second = _first_two(con, table, "psa_project_id")
        con.execute(f"update {table} set client_key = 'no-such-client'")
        con.execute(f"update {table} set service_line_key = 'no-such-line' where psa_project_id = ?", [first])
        con.execute(f"update {table} set service_line_key = null where psa_project_id = ?", [second])

    log = run_dbt(["test", "-s", test, "--store-failures"], warehouse, target)
    assert f"WARN 2 {test}" in log  # the model's keys that may not resolve: severity warn
    rows = _stored_failures(warehouse, test, "column_name, column_value, n_records")
    assert rows == [("client_key", "no-such-client", 2), ("service_line_key", "no-such-line", 1)]
