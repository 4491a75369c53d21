"""``throughline.not_null_columns``: a model's not-null columns checked in one dbt data test."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dbt_raw_fixtures import run_dbt

MODEL = "int_psa_project_context"
TEST = f"not_null_columns_{MODEL}"


def test_not_null_columns_fails_on_each_row_with_a_null_and_names_its_columns(
    mini_warehouse: Path, tmp_path: Path
) -> None:
    """Passes on the mini firm; with a NULL in one listed column of one row and in two of another, it fails
    with those two rows (not three NULLs), each naming its empty listed columns."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(mini_warehouse, warehouse)
    target = tmp_path / "target"
    run_dbt(["test", "-s", TEST], warehouse, target)

    with duckdb.connect(str(warehouse)) as con:
        schema = con.execute(
            "select schema_name from duckdb_tables() where table_name = ?", [MODEL]
        ).fetchone()[0]  # type: ignore[index]
        first, second = (
            r[0]
            for r in con.execute(
                f"select psa_project_id from {schema}.{MODEL} order by psa_project_id limit 2"
            ).fetchall()
        )
        con.execute(  # psa_practice_id may be NULL (an internal project's): not a listed column
            f"update {schema}.{MODEL} set client_key = null, psa_practice_id = null where psa_project_id = ?",
            [first],
        )
        con.execute(
            f"update {schema}.{MODEL} set contract_key = null, entity_currency_code = null "
            "where psa_project_id = ?",
            [second],
        )

    with pytest.raises(AssertionError, match=rf"FAIL 2 {TEST}"):
        run_dbt(["test", "-s", TEST, "--store-failures"], warehouse, target)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        audit = con.execute(
            "select schema_name from duckdb_tables() where table_name = ?", [TEST]
        ).fetchone()[0]  # type: ignore[index]
        rows = con.execute(
            f"select psa_project_id, null_columns from {audit}.{TEST} order by psa_project_id"
        ).fetchall()
    assert rows == [(first, "client_key"), (second, "contract_key entity_currency_code")]
