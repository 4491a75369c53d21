"""The raw layer describes itself: contract descriptions become DuckDB table and column comments."""

from __future__ import annotations

import duckdb

from ingestion.contract import all_objects
from ingestion.warehouse import ensure_warehouse


def test_every_raw_table_and_column_carries_its_contract_description() -> None:
    with duckdb.connect() as con:
        ensure_warehouse(con)
        ensure_warehouse(con)  # idempotent: a second call neither fails nor duplicates anything
        undescribed = con.execute(
            "select schema_name || '.' || table_name || '.' || column_name from duckdb_columns() "
            "where schema_name like 'raw_%' and comment is null"
        ).fetchall()
        assert undescribed == []
        opp = next(o for o in all_objects() if o.system == "salesforce" and o.name == "opportunity")
        (comment,) = con.execute(
            "select comment from duckdb_columns() where schema_name = 'raw_salesforce' "
            "and table_name = 'opportunity' and column_name = 'stage_name'"
        ).fetchall()[0]
        assert comment == opp.column("stage_name").description
        tables = dict(
            con.execute(
                "select table_name, comment from duckdb_tables() where schema_name = 'raw'"
            ).fetchall()
        )
        assert set(tables) == {"load_log", "rejects", "loaded_files", "reload_requests"}
        assert all(tables.values())
